package fakeidp_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/fault"
	"github.com/fakeidp/fakeidp/fakeidp/journal"
)

// The site prefix is stripped once: /kontur/kontur/connect/token is not
// Kontur's token endpoint, so the journal records the path the site saw
// and a rule for /connect/token leaves it alone.
func TestPrefixStrippedOnce(t *testing.T) {
	t.Parallel()
	srv, err := fakeidp.New(fakeidp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Faults().Add(fault.Rule{
		Match:  fault.Match{Site: "kontur", Path: "/connect/token"},
		Effect: fault.Effect{Type: fault.TypeResponse, Status: 418, Body: "teapot"},
	}); err != nil {
		t.Fatal(err)
	}
	send := func(path string) int {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader("grant_type=client_credentials"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := httptest.NewRecorder()
		srv.Handler().ServeHTTP(rec, req)
		return rec.Code
	}
	if code := send("/kontur/kontur/connect/token"); code != http.StatusNotFound {
		t.Errorf("POST /kontur/kontur/connect/token: %d, want 404 (the rule for /connect/token must not fire)", code)
	}
	if code := send("/kontur/connect/token"); code != 418 {
		t.Errorf("POST /kontur/connect/token: %d, want the rule's 418", code)
	}
	entries := srv.Journal().List(journal.Filter{})
	var paths []string
	for _, e := range entries {
		paths = append(paths, e.Path)
	}
	// Newest first.
	if len(paths) != 2 || paths[0] != "/connect/token" || paths[1] != "/kontur/connect/token" {
		t.Errorf("journal paths %q, want [/connect/token /kontur/connect/token]", paths)
	}
}
