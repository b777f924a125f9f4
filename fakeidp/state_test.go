package fakeidp_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2"

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

// Presets enabled at start are part of the state a reset returns to, by
// the control API and by Server.Reset alike; rules and presets added
// later are not.
func TestStartupPresetsSurviveReset(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{Presets: []string{"kontur-invalid-client", "kontur-keys-rotated"}})
	cfg := mediConfig(srv)
	startKeys := srv.Keys().KeyIDs()
	startRules := len(srv.Faults().List())
	resets := map[string]func(){
		"POST /_fakeidp/reset": func() {
			if code, body := control(t, srv, http.MethodPost, "/reset", "{}"); code != http.StatusOK {
				t.Fatalf("reset: %d %v", code, body)
			}
		},
		"Server.Reset": srv.Reset,
	}
	for _, name := range []string{"POST /_fakeidp/reset", "Server.Reset"} {
		if _, err := srv.Faults().Add(fault.Rule{Effect: fault.Effect{Type: fault.TypeHang}}); err != nil {
			t.Fatal(err)
		}
		if _, err := srv.EnablePreset("kontur-token-unavailable"); err != nil {
			t.Fatal(err)
		}
		resets[name]()
		_, err := cfg.Token(context.Background())
		var re *oauth2.RetrieveError
		if !errors.As(err, &re) || re.ErrorCode != "invalid_client" {
			t.Errorf("after %s: want the startup preset's invalid_client, got %v", name, err)
		}
		if n := len(srv.Faults().List()); n != startRules {
			t.Errorf("after %s: %d rules, want the %d of the startup presets", name, n, startRules)
		}
		if got := srv.Keys().KeyIDs(); !slices.Equal(got, startKeys) {
			t.Errorf("after %s: keys %v, want %v as at start (rotated once)", name, got, startKeys)
		}
	}
	if len(startKeys) != 2 {
		t.Errorf("kontur-keys-rotated at start: keys %v, want two", startKeys)
	}
}
