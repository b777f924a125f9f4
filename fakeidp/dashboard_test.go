package fakeidp_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// get fetches a path and returns the response with its body read.
func get(t *testing.T, srv *fakeidp.Server, path string, header map[string]string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL()+path, nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp, string(body)
}

func TestDashboardPageAndAssets(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	resp, body := get(t, srv, "/_fakeidp/ui", nil)
	csp := resp.Header.Get("Content-Security-Policy")
	if resp.StatusCode != 200 || !strings.Contains(body, `id="journal"`) || !strings.Contains(body, srv.SiteURL("kontur")) {
		t.Fatalf("GET /_fakeidp/ui: %d\n%.300s", resp.StatusCode, body)
	}
	if !strings.Contains(csp, "default-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Errorf("CSP %q: want scripts from the server only, nothing inline", csp)
	}
	if strings.Contains(body, "<script>") || strings.Contains(body, "<style") || strings.Contains(body, " style=") {
		t.Error("the page has inline script or style, which its CSP forbids")
	}
	tests := []struct {
		path, wantType string
		wantStatus     int
	}{
		{"/_fakeidp/ui/assets/dashboard.js", "text/javascript", 200},
		{"/_fakeidp/ui/assets/dashboard.css", "text/css", 200},
		{"/_fakeidp/ui/assets/favicon.svg", "image/svg+xml", 200},
		{"/_fakeidp/ui/assets/dashboard.html", "", 404}, // the template is not an asset
		{"/_fakeidp/ui/assets/nothing.js", "", 404},
		{"/_fakeidp/ui/assets/", "", 404},
	}
	for _, tt := range tests {
		resp, _ := get(t, srv, tt.path, nil)
		if resp.StatusCode != tt.wantStatus || !strings.HasPrefix(resp.Header.Get("Content-Type"), tt.wantType) {
			t.Errorf("GET %s: %d %s", tt.path, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
	}
	if resp, _ := get(t, srv, "/_fakeidp/ui/", nil); resp.Request.URL.Path != "/_fakeidp/ui" {
		t.Errorf("/_fakeidp/ui/ ends at %s, want the page (relative URLs need its exact path)", resp.Request.URL.Path)
	}
}

// Under a control token the page asks for it, and the cookie it gets
// stands in for the Bearer header, with the CSRF header on state changes.
func TestDashboardSession(t *testing.T) {
	t.Parallel()
	const token = "s3cret-control"
	srv := fakeidp.StartTest(t, fakeidp.Options{ControlToken: token})
	resp, body := get(t, srv, "/_fakeidp/ui", nil)
	if resp.StatusCode != 200 || !strings.Contains(body, `id="signin"`) || strings.Contains(body, srv.SiteURL("kontur")) {
		t.Fatalf("page without credentials: %d, want the sign-in form and nothing of the server\n%.400s", resp.StatusCode, body)
	}
	if resp, _ := get(t, srv, "/_fakeidp/ui/assets/dashboard.js", nil); resp.StatusCode != 200 {
		t.Errorf("assets before sign-in: %d", resp.StatusCode)
	}
	json := map[string]string{"Content-Type": "application/json"}
	if code, _ := (guardCall{http.MethodPost, "/_fakeidp/ui/session", `{"token":"wrong"}`, "", json}).do(t, srv); code != http.StatusForbidden {
		t.Errorf("sign-in with a wrong token: %d, want 403", code)
	}
	cookie := signInCookie(t, srv, token)
	withCookie := func(extra map[string]string) map[string]string {
		h := map[string]string{"Cookie": cookie}
		for k, v := range extra {
			h[k] = v
		}
		return h
	}
	calls := []struct {
		call guardCall
		want int
	}{
		{guardCall{http.MethodGet, "/_fakeidp/faults", "", "", withCookie(nil)}, 200},
		{guardCall{http.MethodGet, "/_fakeidp/faults", "", "", map[string]string{"Cookie": "fakeidp_control=forged"}}, 401},
		{guardCall{http.MethodPost, "/_fakeidp/presets/kontur-invalid-client", "", "", withCookie(json)}, 403},
		{guardCall{http.MethodDelete, "/_fakeidp/faults", "", "", withCookie(nil)}, 403},
		{guardCall{http.MethodPost, "/_fakeidp/presets/kontur-invalid-client", "", "", withCookie(map[string]string{"Content-Type": "application/json", "X-Fakeidp-Csrf": "1"})}, 201},
		{guardCall{http.MethodDelete, "/_fakeidp/presets/kontur-invalid-client", "", "", withCookie(map[string]string{"X-Fakeidp-Csrf": "1"})}, 200},
		// The Bearer header works as before, without the CSRF header.
		{guardCall{http.MethodPost, "/_fakeidp/reset", "", "", map[string]string{"Content-Type": "application/json", "Authorization": "Bearer " + token}}, 200},
	}
	for _, c := range calls {
		if code, body := c.call.do(t, srv); code != c.want {
			t.Errorf("%s %s %v: %d %v, want %d", c.call.method, c.call.path, c.call.header, code, body, c.want)
		}
	}
	if code := streamStatus(t, srv, withCookie(nil)); code != http.StatusOK {
		t.Errorf("the journal's stream with the cookie: %d", code)
	}
	resp, body = get(t, srv, "/_fakeidp/ui", map[string]string{"Cookie": cookie})
	if !strings.Contains(body, `id="journal"`) {
		t.Errorf("page with the cookie: %d, want the dashboard", resp.StatusCode)
	}
}

// signInCookie signs in as the page does and returns the Cookie header
// value to send.
func signInCookie(t *testing.T, srv *fakeidp.Server, token string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/_fakeidp/ui/session", strings.NewReader(`{"token":"`+token+`"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	cookies := resp.Cookies()
	if resp.StatusCode != http.StatusNoContent || len(cookies) != 1 {
		t.Fatalf("sign-in: %d %v", resp.StatusCode, cookies)
	}
	c := cookies[0]
	if !c.HttpOnly || c.SameSite != http.SameSiteStrictMode || c.Path != "/" || strings.Contains(c.Value, token) {
		t.Errorf("cookie %+v: want HttpOnly, SameSite=Strict, Path=/, not the token", c)
	}
	return c.Name + "=" + c.Value
}

// streamStatus opens the journal's stream and returns its status without
// reading it (it never ends).
func streamStatus(t *testing.T, srv *fakeidp.Server, header map[string]string) int {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, srv.URL()+"/_fakeidp/journal/stream", nil)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func TestSignInWithoutControlToken(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	if code, _ := (guardCall{http.MethodPost, "/_fakeidp/ui/session", `{"token":"x"}`, "", map[string]string{"Content-Type": "application/json"}}).do(t, srv); code != http.StatusBadRequest {
		t.Errorf("sign-in with no control token set: %d, want 400", code)
	}
}

// With the HTTPS listener up, the Sites panel lists the https URLs too.
func TestDashboardSitesOverTLS(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTLS(t, fakeidp.Options{})
	_, body := get(t, srv, "/_fakeidp/ui", nil)
	port := strings.TrimPrefix(srv.TLSURL(), "https://127.0.0.1:")
	for _, want := range []string{srv.SiteURL("kontur"), srv.TLSSiteURL("kontur"), "https://identity.testkontur.ru:" + port} {
		if !strings.Contains(body, `data-site="kontur">`+want+`<`) {
			t.Errorf("the Sites panel lacks %s", want)
		}
	}
	// The certificate leaves the production names out, and so does the panel.
	if prod := "https://identity.kontur.ru:" + port; strings.Contains(body, prod) {
		t.Errorf("the Sites panel lists %s, which the certificate does not cover", prod)
	}
	if !strings.Contains(body, "http://identity.kontur.ru:") {
		t.Error("the Sites panel lacks identity.kontur.ru over http")
	}
}
