package fakeidp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"golang.org/x/oauth2"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/config"
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

// controlCall sends one control request as test code does and returns the
// answer with its body read.
func controlCall(t *testing.T, srv *fakeidp.Server, method, path, body string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, srv.URL()+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return resp, raw
}

// Every control answer, from every package that mounts control routes,
// is written one way: never cached, JSON bodies as application/json
// indented alike and ending in a newline, empty answers as a bare 204.
func TestControlAnswersAreAlike(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	// One SMS in the outbox, so that its list has an element to indent.
	if resp, err := http.Get(srv.URL() + "/doktornarabote-api/api/v1/access/validation-code?code=1&number=1111111111"); err != nil || resp.StatusCode != 200 {
		t.Fatalf("validation code: %v %v", resp, err)
	}
	const user = "/_fakeidp/livedigital/users/test_user@test.test"
	calls := []struct{ method, path, body string }{
		{"GET", "/_fakeidp/", ""}, {"GET", "/_fakeidp/health", ""}, {"POST", "/_fakeidp/reset", "{}"},
		{"GET", "/_fakeidp/clock", ""}, {"POST", "/_fakeidp/clock", `{"advance":"1h"}`},
		{"POST", "/_fakeidp/clock", `{"advance":"soon"}`}, {"GET", "/_fakeidp/keys", ""},
		{"POST", "/_fakeidp/keys/rotate", "{}"}, {"GET", "/_fakeidp/presets", ""},
		{"POST", "/_fakeidp/presets/kontur-invalid-client", ""}, {"POST", "/_fakeidp/presets/nope", ""},
		{"POST", "/_fakeidp/faults", `{"effect":{"type":"hang"},"match":{"path":"/x"}}`},
		{"POST", "/_fakeidp/faults", `{"effect":{}}`}, {"GET", "/_fakeidp/faults", ""},
		{"GET", "/_fakeidp/faults/f1", ""}, {"GET", "/_fakeidp/faults/nope", ""},
		{"DELETE", "/_fakeidp/faults/f1", ""}, {"DELETE", "/_fakeidp/faults", ""},
		{"GET", "/_fakeidp/journal", ""}, {"GET", "/_fakeidp/journal?limit=x", ""}, {"DELETE", "/_fakeidp/journal", ""},
		{"GET", "/_fakeidp/sms", ""}, {"DELETE", "/_fakeidp/sms", ""}, {"GET", "/_fakeidp/sms", ""},
		{"GET", "/_fakeidp/livedigital/users", ""}, {"GET", user, ""}, {"GET", "/_fakeidp/livedigital/users/nobody", ""},
		{"POST", user + "/personal-tokens", ""}, {"GET", user + "/personal-tokens", ""},
		{"PATCH", user + "/personal-tokens", ""}, {"DELETE", user + "/personal-tokens/nope", ""},
		{"PUT", user + "/password", `{"password":"Secret1!"}`}, {"POST", "/_fakeidp/livedigital/", ""},
		{"GET", "/_fakeidp/nothing", ""}, {"PUT", "/_fakeidp/faults", ""},
		{"POST", "/_fakeidp/stubs", policyStub}, {"POST", "/_fakeidp/stubs", `{"site":"nowhere"}`},
		{"GET", "/_fakeidp/stubs", ""}, {"GET", "/_fakeidp/stubs/nope", ""},
		{"DELETE", "/_fakeidp/stubs/nope", ""}, {"DELETE", "/_fakeidp/stubs", ""},
	}
	for _, c := range calls {
		resp, body := controlCall(t, srv, c.method, c.path, c.body)
		what := c.method + " " + c.path
		if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
			t.Errorf("%s: %d Cache-Control %q, want no-store", what, resp.StatusCode, cc)
		}
		if resp.StatusCode == http.StatusNoContent {
			if len(body) != 0 || resp.Header.Get("Content-Type") != "" {
				t.Errorf("%s: 204 with Content-Type %q and body %q", what, resp.Header.Get("Content-Type"), body)
			}
			continue
		}
		if ct := resp.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("%s: %d Content-Type %q, want application/json", what, resp.StatusCode, ct)
		}
		var compact, indented bytes.Buffer
		if err := json.Compact(&compact, body); err != nil {
			t.Errorf("%s: %d body is not JSON: %q", what, resp.StatusCode, body)
			continue
		}
		_ = json.Indent(&indented, compact.Bytes(), "", "  ")
		if indented.WriteByte('\n'); indented.String() != string(body) {
			t.Errorf("%s: %d body not indented as the control API's:\n%s", what, resp.StatusCode, body)
		}
	}
}

// The control API has one body cap, 1 MiB, and its 413 says so: 700
// rules (about 69 KB) are taken in one request, a body over 1 MiB is
// refused by every endpoint alike.
func TestControlBodyCap(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	var rules []string
	for i := range 700 {
		rules = append(rules, fmt.Sprintf(`{"match":{"site":"kontur","client_id":"client-%04d"},"effect":{"type":"error","error":"invalid_client"}}`, i))
	}
	list := `{"rules":[` + strings.Join(rules, ",") + `]}`
	if resp, body := controlCall(t, srv, "POST", "/_fakeidp/faults", list); resp.StatusCode != http.StatusCreated {
		t.Errorf("POST /faults with 700 rules (%d bytes): %d %.200s", len(list), resp.StatusCode, body)
	}
	huge := `{"password":"` + strings.Repeat("x", 1<<20) + `"}`
	for _, path := range []string{"/_fakeidp/faults", "/_fakeidp/stubs", "/_fakeidp/clock", "/_fakeidp/keys/rotate",
		"/_fakeidp/livedigital/users/test_user@test.test/clients"} {
		resp, body := controlCall(t, srv, "POST", path, huge)
		if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "larger than 1 MiB") {
			t.Errorf("POST %s with %d bytes: %d %.200s, want 413 naming 1 MiB", path, len(huge), resp.StatusCode, body)
		}
	}
	resp, body := controlCall(t, srv, "PUT", "/_fakeidp/livedigital/users/test_user@test.test/password", huge)
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "larger than 1 MiB") {
		t.Errorf("PUT password with %d bytes: %d %.200s, want 413 naming 1 MiB", len(huge), resp.StatusCode, body)
	}
}

// A server holds at most server.max_fault_rules rules: beyond, the control
// API, presets and startup presets get a clear refusal and the rules stay
// as they were.
func TestFaultRuleCap(t *testing.T) {
	t.Parallel()
	def, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	if def.Server.MaxFaultRules != 10_000 {
		t.Errorf("default server.max_fault_rules = %d, want 10000", def.Server.MaxFaultRules)
	}
	cfg := *def
	cfg.Server.MaxFaultRules = 3
	srv := fakeidp.StartTest(t, fakeidp.Options{Config: &cfg})
	rule := `{"match":{"client_id":"c%d"},"effect":{"type":"hang"}}`
	list := `{"rules":[` + fmt.Sprintf(rule, 1) + "," + fmt.Sprintf(rule, 2) + `]}`
	for _, body := range []string{list, fmt.Sprintf(rule, 3)} {
		if resp, answer := controlCall(t, srv, "POST", "/_fakeidp/faults", body); resp.StatusCode != http.StatusCreated {
			t.Fatalf("rules up to the cap: %d %s", resp.StatusCode, answer)
		}
	}
	refusals := map[string]func() (int, string){
		"two more rules": func() (int, string) {
			resp, body := controlCall(t, srv, "POST", "/_fakeidp/faults", list)
			return resp.StatusCode, string(body)
		},
		"a preset": func() (int, string) {
			resp, body := controlCall(t, srv, "POST", "/_fakeidp/presets/kontur-invalid-client", "")
			return resp.StatusCode, string(body)
		},
	}
	for name, call := range refusals {
		if code, body := call(); code != http.StatusBadRequest || !strings.Contains(body, "server.max_fault_rules") || !strings.Contains(body, "limit of 3") {
			t.Errorf("%s beyond the cap: %d %s, want 400 naming server.max_fault_rules and 3", name, code, body)
		}
	}
	if n := len(srv.Faults().List()); n != 3 {
		t.Errorf("refused additions changed the rules: %d stored", n)
	}
	cfg.Server.MaxFaultRules = 1
	if _, err := fakeidp.New(fakeidp.Options{Config: &cfg, Presets: []string{"kontur-invalid-client", "kontur-token-unavailable"}}); err == nil || !strings.Contains(err.Error(), "server.max_fault_rules") {
		t.Errorf("startup presets beyond the cap: %v", err)
	}
	cfg.Server.MaxFaultRules = -1
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "server.max_fault_rules") {
		t.Errorf("max_fault_rules -1: %v", err)
	}
}
