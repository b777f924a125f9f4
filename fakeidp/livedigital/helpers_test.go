package livedigital_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/internal/wiretest"
)

// The seed document's credentials and the fixtures' ObjectIds.
const (
	seedClientID     = "john-smith-livedigital"
	seedClientSecret = "VTytkTR7ZHH5nLhoWCLjymrUJjKBzfs4"
	seedClientOID    = "62a09fc702f86ce37a9386f1"
	seedUser         = "test_user@test.test"
	seedPassword     = "123456"
	seedUserOID      = "62ab5a84b0ce6ee31b0997b3"
	realHost         = "moodhood-api.livedigital.space"
)

// fixed is the servers' frozen clock: a day after the seed's own user token
// was issued, so that token is refused for its signature, not its age.
var fixed = time.Date(2022, 6, 21, 10, 0, 0, 0, time.UTC)

func start(t testing.TB) *fakeidp.Server {
	t.Helper()
	return fakeidp.StartTest(t, fakeidp.Options{Now: wiretest.At(fixed)})
}

// response is what a test looks at.
type response = wiretest.Reply

// call sends one request; hdr holds headers, "Host" included.
func call(t testing.TB, method, url, body string, hdr map[string]string) response {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range hdr {
		if k == "Host" {
			req.Host = v
			continue
		}
		req.Header.Set(k, v)
	}
	return wiretest.Do(t, nil, req)
}

var jsonCT = map[string]string{"Content-Type": "application/json"}

func withBearer(token string) map[string]string {
	return map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + token}
}

func tokenURL(srv *fakeidp.Server) string { return srv.SiteURL("livedigital") + "/v1/auth/token" }

func clientCredentialsBody(id, secret string) string {
	return `{"client_id":"` + id + `","client_secret":"` + secret + `","grant_type":"client_credentials"}`
}

func passwordBody(user, password string) string {
	return `{"client_id":"` + seedClientID + `","client_secret":"` + seedClientSecret +
		`","grant_type":"password","username":"` + user + `","password":"` + password + `"}`
}

// pair is a successful token response.
type pair struct {
	TokenType    string `json:"token_type"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

func mustPair(t testing.TB, r response) pair {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("status %d, want 200: %s", r.Status, r.Body)
	}
	var p pair
	if err := json.Unmarshal(r.Body, &p); err != nil {
		t.Fatal(err)
	}
	return p
}

func clientPair(t testing.TB, srv *fakeidp.Server) pair {
	t.Helper()
	return mustPair(t, call(t, "POST", tokenURL(srv), clientCredentialsBody(seedClientID, seedClientSecret), jsonCT))
}

func userPair(t testing.TB, srv *fakeidp.Server) pair {
	t.Helper()
	client := clientPair(t, srv)
	return mustPair(t, call(t, "POST", tokenURL(srv), passwordBody(seedUser, seedPassword), withBearer(client.AccessToken)))
}

// decoded is a JWT split and decoded without verification, to look at.
type decoded struct {
	Header map[string]any
	Claims map[string]any
}

func decode(t testing.TB, jwt string) decoded {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWT: %q", jwt)
	}
	var d decoded
	for i, dst := range []*map[string]any{&d.Header, &d.Claims} {
		raw, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			t.Fatalf("segment %d: %v", i, err)
		}
		if err := json.Unmarshal(raw, dst); err != nil {
			t.Fatalf("segment %d: %v", i, err)
		}
	}
	return d
}

func spacesURL(srv *fakeidp.Server) string { return srv.SiteURL("livedigital") + "/v1/spaces/" }

func cabinetURL(srv *fakeidp.Server, rest string) string {
	return srv.URL() + "/_fakeidp/livedigital/users/" + seedUser + rest
}
