package fakeidp_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// A Host that is not host[:port] gets 400 before it reaches a site (and so
// the issuer), whether the site is picked by that Host or by the prefix.
func TestMalformedHostIsRefused(t *testing.T) {
	t.Parallel()
	srv, err := fakeidp.New(fakeidp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := srv.Handler()
	paths := []string{
		"/.well-known/openid-configuration",        // by host
		"/kontur/.well-known/openid-configuration", // by prefix
		"/_fakeidp/health",
	}
	for _, host := range []string{
		"identity.testkontur.ru:%2F%2Fevil", "identity.testkontur.ru:80@evil", "identity.testkontur.ru:99999",
		"evil.example%2F", "identity.testkontur.ru;evil", "[::1", "identity.testkontur.ru:8080:80",
	} {
		for _, path := range paths {
			req := httptest.NewRequest(http.MethodGet, path, nil)
			req.Host = host
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			if rec.Code != http.StatusBadRequest || strings.Contains(rec.Body.String(), "evil") {
				t.Errorf("Host %q %s: %d %.80q, want 400", host, path, rec.Code, rec.Body)
			}
		}
	}
	req := httptest.NewRequest(http.MethodGet, paths[0], nil)
	req.Host = "identity.testkontur.ru:8080"
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), `"issuer":"http://identity.testkontur.ru:8080"`) {
		t.Errorf("a well-formed Host: %d %.200s", rec.Code, rec.Body)
	}
}

// The same over the network, as the issue reproduced it: net/http's server
// lets the value through, the front door does not.
func TestMalformedHostOverHTTP(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	req, _ := http.NewRequest(http.MethodGet, srv.URL()+"/.well-known/openid-configuration", nil)
	req.Host = "identity.testkontur.ru:%2F%2Fevil"
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || strings.Contains(string(body), "evil") {
		t.Errorf("%d %.200s, want 400", resp.StatusCode, body)
	}
}
