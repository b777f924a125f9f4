package fakeidp_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/config"
)

// guardCall is one request to the control API with the headers a browser
// (or an attacker's page) would choose.
type guardCall struct {
	method, path, body string
	host               string            // Host header; "" is the listen address
	header             map[string]string // Content-Type, Origin, ...
}

// do sends the call and decodes the JSON answer, if there is one.
func (c guardCall) do(t *testing.T, srv *fakeidp.Server) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(c.method, srv.URL()+c.path, strings.NewReader(c.body))
	if err != nil {
		t.Fatal(err)
	}
	if c.host != "" {
		req.Host = c.host
	}
	for k, v := range c.header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	var out map[string]any
	_ = json.Unmarshal(raw, &out)
	return resp.StatusCode, out
}

// The reproduction: a text/plain POST from another page's origin
// installs no fault, whichever check refuses it first.
func TestControlRefusesCrossSiteFault(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	pwned := `{"match":{},"effect":{"type":"response","status":200,"body":"=pwned"}}`
	for _, c := range []guardCall{
		{"POST", "/_fakeidp/faults", pwned, "", map[string]string{"Origin": "http://evil.example", "Content-Type": "text/plain"}},
		{"POST", "/_fakeidp/faults", pwned, "", map[string]string{"Content-Type": "text/plain"}},
		{"POST", "/_fakeidp/faults", pwned, "", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}},
		{"POST", "/_fakeidp/faults", pwned, "", map[string]string{"Content-Type": "multipart/form-data; boundary=x"}},
		{"POST", "/_fakeidp/faults", pwned, "", nil},
		{"POST", "/_fakeidp/faults", pwned, "", map[string]string{"Content-Type": "application/jsonx"}},
		{"POST", "/_fakeidp/faults", pwned, "", map[string]string{"Origin": "http://evil.example", "Content-Type": "application/json"}},
		{"POST", "/_fakeidp/faults", pwned, "", map[string]string{"Origin": "null", "Content-Type": "application/json"}},
		// Same host, other port or scheme: another origin.
		{"POST", "/_fakeidp/faults", pwned, "", map[string]string{"Origin": "http://127.0.0.1:1", "Content-Type": "application/json"}},
		{"POST", "/_fakeidp/faults", pwned, "", map[string]string{"Origin": "https://" + strings.TrimPrefix(srv.URL(), "http://"), "Content-Type": "application/json"}},
		{"POST", "/_fakeidp/faults", pwned, "attacker.example:8080", map[string]string{"Content-Type": "application/json"}},
	} {
		code, body := c.do(t, srv)
		if code != http.StatusForbidden && code != http.StatusUnsupportedMediaType {
			t.Errorf("%v: %d %v, want 403 or 415", c.header, code, body)
		}
		if msg, _ := body["error"].(string); msg == "" {
			t.Errorf("%v: %v, want the control API's error", c.header, body)
		}
	}
	if n := len(srv.Faults().List()); n != 0 {
		t.Fatalf("%d fault rules installed by refused requests", n)
	}
	if _, err := mediConfig(srv).Token(context.Background()); err != nil {
		t.Fatalf("the site no longer answers as itself: %v", err)
	}
}

// Which check answers: 415 for a wrong type, 403 for a foreign Origin or
// Host, in the control API's JSON.
func TestControlGuardStatuses(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	own := srv.URL()
	tests := []struct {
		call guardCall
		want int
	}{
		{guardCall{"POST", "/_fakeidp/clock", `{"advance":"1h"}`, "", map[string]string{"Content-Type": "text/plain"}}, 415},
		{guardCall{"POST", "/_fakeidp/clock", `{"advance":"1h"}`, "", map[string]string{"Origin": "http://evil.example", "Content-Type": "application/json"}}, 403},
		{guardCall{"POST", "/_fakeidp/clock", `{"advance":"1h"}`, "", map[string]string{"Origin": "null", "Content-Type": "application/json"}}, 403},
		{guardCall{"GET", "/_fakeidp/health", "", "", map[string]string{"Origin": "http://evil.example"}}, 403},
		{guardCall{"GET", "/_fakeidp/health", "", "attacker.example", nil}, 403},
		{guardCall{"GET", "/_fakeidp/nothing-here", "", "attacker.example", nil}, 403},
		{guardCall{"DELETE", "/_fakeidp/faults", "", "", map[string]string{"Content-Type": "text/plain"}}, 415},
		{guardCall{"PUT", "/_fakeidp/livedigital/users/test_user@test.test/password", `{"password":"x"}`, "", map[string]string{"Content-Type": "text/plain;charset=utf-8"}}, 415},
		// What curl, test code and the pages send.
		{guardCall{"POST", "/_fakeidp/clock", `{"advance":"1h"}`, "", map[string]string{"Content-Type": "application/json"}}, 200},
		{guardCall{"POST", "/_fakeidp/clock", `{"advance":"1h"}`, "", map[string]string{"Content-Type": "Application/JSON; charset=utf-8"}}, 200},
		{guardCall{"POST", "/_fakeidp/clock", `{"advance":"1h"}`, "", map[string]string{"Origin": own, "Content-Type": "application/json"}}, 200},
		{guardCall{"POST", "/_fakeidp/reset", ``, "", map[string]string{"Content-Type": "application/json"}}, 200},
		{guardCall{"DELETE", "/_fakeidp/faults", "", "", nil}, 204},
		{guardCall{"GET", "/_fakeidp/health", "", "", nil}, 200},
		{guardCall{"GET", "/_fakeidp/health", "", "localhost:9", nil}, 200},
		{guardCall{"GET", "/_fakeidp/health", "", "LOCALHOST", nil}, 200},
		{guardCall{"GET", "/_fakeidp/health", "", "127.0.0.2", nil}, 200},
		{guardCall{"GET", "/_fakeidp/health", "", "[::1]:8080", nil}, 200},
		{guardCall{"GET", "/_fakeidp/health", "", "", map[string]string{"Origin": strings.Replace(own, "127.0.0.1", "localhost", 1)}}, 403},
	}
	for _, tt := range tests {
		code, body := tt.call.do(t, srv)
		if code != tt.want {
			t.Errorf("%s %s Host %q %v: %d %v, want %d", tt.call.method, tt.call.path, tt.call.host, tt.call.header, code, body, tt.want)
		}
		if msg, _ := body["error"].(string); code >= 400 && msg == "" {
			t.Errorf("%s %s: %d %v, want the control API's JSON error", tt.call.method, tt.call.path, code, body)
		}
	}
}

// What a cross-site page can send without a preflight: an empty form
// POST. None of them changes anything.
func TestControlRefusesEmptyFormPosts(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	before, _ := srv.Livedigital().Cabinet("test_user@test.test")
	keys := strings.Join(srv.Keys().KeyIDs(), ",")
	srv.Clock().Advance(3600e9)
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	for _, path := range []string{
		"/_fakeidp/reset", "/_fakeidp/keys/rotate", "/_fakeidp/presets/connection-reset",
		"/_fakeidp/livedigital/users/test_user@test.test/clients/john-smith-livedigital/secret",
		"/_fakeidp/livedigital/users/test_user@test.test/clients",
		"/_fakeidp/livedigital/users/test_user@test.test/personal-tokens",
	} {
		for _, hdr := range []map[string]string{form, nil, {"Content-Type": "text/plain"}} {
			if code, body := (guardCall{"POST", path, "", "", hdr}).do(t, srv); code != http.StatusUnsupportedMediaType {
				t.Errorf("POST %s %v: %d %v, want 415", path, hdr, code, body)
			}
		}
	}
	after, _ := srv.Livedigital().Cabinet("test_user@test.test")
	if after.Clients[0].ClientSecret != before.Clients[0].ClientSecret || len(after.Clients) != 1 || len(after.PersonalTokens) != 0 {
		t.Errorf("the cabinet changed: %+v", after)
	}
	if got := strings.Join(srv.Keys().KeyIDs(), ","); got != keys {
		t.Errorf("keys rotated: %s, were %s", got, keys)
	}
	if srv.Clock().Offset() == 0 {
		t.Error("the server was reset")
	}
	if n := len(srv.Faults().List()); n != 0 {
		t.Errorf("a preset was enabled: %d rules", n)
	}
}

// DNS rebinding: a page on attacker.example, rebound to 127.0.0.1, reads
// nothing; the same request by a known name does.
func TestControlRefusesRebindingHost(t *testing.T) {
	t.Parallel()
	def, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	cfg := *def
	cfg.Server.PublicNames = []string{"fakeidp"}
	srv := fakeidp.StartTest(t, fakeidp.Options{Config: &cfg, PublicNames: []string{"idp.internal"}})
	cabinet := "/_fakeidp/livedigital/users/test_user@test.test"
	for _, host := range []string{"attacker.example", "attacker.example:" + srv.URL()[len("http://127.0.0.1:"):], "127.0.0.1.attacker.example", "localhost.attacker.example", "fakeidp.attacker.example"} {
		code, body := (guardCall{"GET", cabinet, "", host, nil}).do(t, srv)
		if code != http.StatusForbidden || strings.Contains(body["error"].(string), "VTytkTR7") {
			t.Errorf("Host %s: %d %v, want 403", host, code, body)
		}
	}
	for _, host := range []string{"fakeidp:8080", "FakeIDP", "idp.internal", "localhost", "127.0.0.1"} {
		if code, body := (guardCall{"GET", cabinet, "", host, nil}).do(t, srv); code != http.StatusOK || body["clients"] == nil {
			t.Errorf("Host %s: %d %v, want the cabinet", host, code, body)
		}
	}
}

// With a control token, a foreign Host is refused before the token is
// asked for, and the token does not let a foreign Origin through.
func TestControlGuardWithToken(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{ControlToken: "tok"})
	bearer := map[string]string{"Authorization": "Bearer tok"}
	if code, _ := (guardCall{"GET", "/_fakeidp/health", "", "attacker.example", bearer}).do(t, srv); code != http.StatusForbidden {
		t.Errorf("foreign Host with the token: %d, want 403", code)
	}
	if code, _ := (guardCall{"GET", "/_fakeidp/health", "", "", nil}).do(t, srv); code != http.StatusUnauthorized {
		t.Errorf("no token: %d, want 401", code)
	}
	withOrigin := map[string]string{"Authorization": "Bearer tok", "Origin": "http://evil.example"}
	if code, _ := (guardCall{"GET", "/_fakeidp/health", "", "", withOrigin}).do(t, srv); code != http.StatusForbidden {
		t.Errorf("foreign Origin with the token: %d, want 403", code)
	}
	if code, _ := (guardCall{"GET", "/_fakeidp/health", "", "", bearer}).do(t, srv); code != http.StatusOK {
		t.Errorf("the token: %d, want 200", code)
	}
}

// Under a control token, a browser opening the cabinet page without the
// cookie is sent to sign in, and back; the cabinet's API still answers
// JSON 401s, and the page's content is not in the redirect.
func TestCabinetPageSignInRedirect(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{ControlToken: "test-only-token"})
	r := wire(t, http.MethodGet, srv.URL()+"/_fakeidp/livedigital/", "")
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "../ui?next=livedigital/" || strings.Contains(r.Body, "john-smith") {
		t.Errorf("cabinet page without the cookie: %d Location %q %s", r.Status, r.Header.Get("Location"), r.Body)
	}
	r = wire(t, http.MethodGet, srv.URL()+"/_fakeidp/livedigital/users", "")
	if r.Status != http.StatusUnauthorized || r.JSON["error"] == nil {
		t.Errorf("cabinet API without the cookie: %d %s", r.Status, r.Body)
	}
	r = wire(t, http.MethodGet, srv.URL()+"/_fakeidp/livedigital/", "", "Authorization", "Bearer test-only-token")
	if r.Status != http.StatusOK {
		t.Errorf("cabinet page with the token: %d", r.Status)
	}
}
