package fakeidp_test

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// wireReply is one response as the sandbox tests look at it.
type wireReply struct {
	Status int
	Header http.Header
	Body   string
	JSON   map[string]any
}

// wire sends one request; hdr holds header pairs, "Host" included.
func wire(t testing.TB, method, target, body string, hdr ...string) wireReply {
	t.Helper()
	req, err := http.NewRequest(method, target, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		// Errorf, not Fatalf: the helpers run in goroutines too.
		t.Errorf("%s %s: %v", method, target, err)
		return wireReply{}
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := wireReply{Status: resp.StatusCode, Header: resp.Header, Body: string(raw)}
	_ = json.Unmarshal(raw, &out.JSON)
	return out
}

const jsonType = "application/json"

// sandboxRef is a sandbox as POST /_fakeidp/sandboxes describes it.
type sandboxRef struct {
	ID        string            `json:"id"`
	Sites     map[string]string `json:"sites"`
	Control   string            `json:"control"`
	ExpiresAt string            `json:"expires_at"`
}

// newSandbox creates a sandbox over HTTP and fails the test unless it
// gets 201.
func newSandbox(t testing.TB, srv *fakeidp.Server, body string) sandboxRef {
	t.Helper()
	r := wire(t, http.MethodPost, srv.URL()+"/_fakeidp/sandboxes", body, "Content-Type", jsonType)
	var ref sandboxRef
	if err := json.Unmarshal([]byte(r.Body), &ref); err != nil || r.Status != http.StatusCreated {
		t.Errorf("POST /_fakeidp/sandboxes: %d %s", r.Status, r.Body)
	}
	return ref
}

// konturPassword gets an access token by Kontur's password grant with
// openid, so that userinfo takes it too; "" when refused.
func konturPassword(t testing.TB, base, user, pass string, hdr ...string) string {
	t.Helper()
	f := url.Values{"grant_type": {"password"}, "client_id": {"jwt-client"}, "client_secret": {"jwt-client-secret"},
		"username": {user}, "password": {pass}, "scope": {"openid profile extern.api"}}
	r := wire(t, http.MethodPost, base+"/connect/token", f.Encode(), append([]string{"Content-Type", "application/x-www-form-urlencoded"}, hdr...)...)
	tok, _ := r.JSON["access_token"].(string)
	return tok
}

// introspectActive asks a Kontur site whether token is live.
func introspectActive(t testing.TB, base, token string, hdr ...string) bool {
	t.Helper()
	f := url.Values{"token": {token}}
	basic := base64.StdEncoding.EncodeToString([]byte("extern.api:extern.api-resource-secret"))
	hdr = append([]string{"Content-Type", "application/x-www-form-urlencoded", "Authorization", "Basic " + basic}, hdr...)
	r := wire(t, http.MethodPost, base+"/connect/introspect", f.Encode(), hdr...)
	if r.Status != http.StatusOK {
		t.Errorf("introspect at %s: %d %s", base, r.Status, r.Body)
	}
	return r.JSON["active"] == true
}

// userinfoStatus is the status of Kontur's userinfo for token.
func userinfoStatus(t testing.TB, base, token string, hdr ...string) int {
	t.Helper()
	return wire(t, http.MethodGet, base+"/connect/userinfo", "", append([]string{"Authorization", "Bearer " + token}, hdr...)...).Status
}

// livedigitalUserToken logs the seed user in on a livedigital site: a client
// token, then the password grant with it.
func livedigitalUserToken(t testing.TB, base string) string {
	t.Helper()
	c := wire(t, http.MethodPost, base+"/v1/auth/token",
		`{"grant_type":"client_credentials","client_id":"john-smith-livedigital","client_secret":"VTytkTR7ZHH5nLhoWCLjymrUJjKBzfs4"}`, "Content-Type", jsonType)
	ct, _ := c.JSON["access_token"].(string)
	u := wire(t, http.MethodPost, base+"/v1/auth/token",
		`{"grant_type":"password","client_id":"john-smith-livedigital","client_secret":"VTytkTR7ZHH5nLhoWCLjymrUJjKBzfs4","username":"test_user@test.test","password":"123456"}`, "Content-Type", jsonType, "Authorization", "Bearer "+ct)
	tok, _ := u.JSON["access_token"].(string)
	if tok == "" {
		t.Errorf("livedigital login at %s: %d %s / %d %s", base, c.Status, c.Body, u.Status, u.Body)
	}
	return tok
}
