package fakeidp_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// What one sandbox issues is refused by every other and by the root:
// Kontur tokens through introspection and userinfo (JWT access tokens
// signed by the same fixture keys included), Kontur codes, and livedigital
// tokens through its API.
func TestSandboxTokensIsolated(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	a, b := newSandbox(t, srv, ""), newSandbox(t, srv, "")
	places := map[string]string{"A": a.Sites["kontur"], "B": b.Sites["kontur"], "root": srv.SiteURL("kontur")}
	tok := konturPassword(t, a.Sites["kontur"], "user@login.ru", "password")
	if tok == "" {
		t.Fatal("no token from A")
	}
	for name, base := range places {
		wantLive := name == "A"
		if got := introspectActive(t, base, tok); got != wantLive {
			t.Errorf("introspection in %s: active %v, want %v", name, got, wantLive)
		}
		if got, want := userinfoStatus(t, base, tok), map[bool]int{true: 200, false: 401}[wantLive]; got != want {
			t.Errorf("userinfo in %s: %d, want %d", name, got, want)
		}
	}

	code := authorizeCode(t, a.Sites["kontur"])
	f := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "client_id": {"yourClientId"},
		"client_secret": {"yourClientSecret"}, "redirect_uri": {"http://www.example.com/"}}
	if r := wire(t, http.MethodPost, b.Sites["kontur"]+"/connect/token", f.Encode(), "Content-Type", "application/x-www-form-urlencoded"); r.Status != 400 || r.JSON["error"] != "invalid_grant" {
		t.Errorf("A's code in B: %d %s", r.Status, r.Body)
	}
	if r := wire(t, http.MethodPost, a.Sites["kontur"]+"/connect/token", f.Encode(), "Content-Type", "application/x-www-form-urlencoded"); r.Status != 200 {
		t.Errorf("A's code in A: %d %s", r.Status, r.Body)
	}

	ld := livedigitalUserToken(t, a.Sites["livedigital"])
	for name, base := range map[string]string{"A": a.Sites["livedigital"], "B": b.Sites["livedigital"], "root": srv.SiteURL("livedigital")} {
		want := map[bool]int{true: 200, false: 401}[name == "A"]
		if r := wire(t, http.MethodGet, base+"/v1/spaces", "", "Authorization", "Bearer "+ld); r.Status != want {
			t.Errorf("livedigital token from A in %s: %d %s, want %d", name, r.Status, r.Body, want)
		}
	}
}

// authorizeCode logs the seed user in through Kontur's form and returns
// the code.
func authorizeCode(t *testing.T, base string) string {
	t.Helper()
	f := url.Values{"response_type": {"code"}, "client_id": {"yourClientId"}, "redirect_uri": {"http://www.example.com/"},
		"scope": {"openid"}, "username": {"user@login.ru"}, "password": {"password"}, "button": {"login"}}
	r := wire(t, http.MethodPost, base+"/connect/authorize", f.Encode(), "Content-Type", "application/x-www-form-urlencoded")
	loc, err := url.Parse(r.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("authorize: %d %q", r.Status, r.Header.Get("Location"))
	}
	return loc.Query().Get("code")
}

// Each sandbox has its own clock, fault rules, presets, journal, SMS
// outbox, livedigital cabinet and keys: a change in A leaves B as it was.
func TestSandboxStateIsolated(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	a, b := newSandbox(t, srv, ""), newSandbox(t, srv, "")
	ctl := func(ref sandboxRef, method, path, body string) wireReply {
		return wire(t, method, ref.Control+path, body, "Content-Type", jsonType)
	}
	tokA := konturPassword(t, a.Sites["kontur"], "user@login.ru", "password")
	tokB := konturPassword(t, b.Sites["kontur"], "user@login.ru", "password")

	t.Run("clock", func(t *testing.T) {
		if r := ctl(a, http.MethodPost, "/clock", `{"advance":"2h"}`); r.Status != 200 {
			t.Fatalf("advance A: %d %s", r.Status, r.Body)
		}
		if introspectActive(t, a.Sites["kontur"], tokA) || !introspectActive(t, b.Sites["kontur"], tokB) {
			t.Error("after A's clock moved 2h: want A's token dead and B's live")
		}
		if r := ctl(b, http.MethodGet, "/clock", ""); r.JSON["offset"] != "0s" {
			t.Errorf("B's clock: %s", r.Body)
		}
		if off := srv.Clock().Offset(); off != 0 {
			t.Errorf("root clock offset %v", off)
		}
	})
	t.Run("faults and presets", func(t *testing.T) {
		if r := ctl(a, http.MethodPost, "/presets/kontur-invalid-client", ""); r.Status != 201 {
			t.Fatalf("preset in A: %d %s", r.Status, r.Body)
		}
		rule := `{"match":{"site":"livedigital"},"effect":{"type":"error","error":"server_error","status":503}}`
		if r := ctl(a, http.MethodPost, "/faults", rule); r.Status != 201 {
			t.Fatalf("fault in A: %d %s", r.Status, r.Body)
		}
		if konturPassword(t, a.Sites["kontur"], "user@login.ru", "password") != "" {
			t.Error("A's preset did not apply in A")
		}
		if konturPassword(t, b.Sites["kontur"], "user@login.ru", "password") == "" || konturPassword(t, srv.SiteURL("kontur"), "user@login.ru", "password") == "" {
			t.Error("A's preset applied in B or the root")
		}
		if r := ctl(b, http.MethodGet, "/faults", ""); r.Body != "{\n  \"rules\": []\n}\n" {
			t.Errorf("B's rules: %s", r.Body)
		}
		livedigitalUserToken(t, b.Sites["livedigital"]) // fails the test if A's fault reached B
		if r := ctl(a, http.MethodDelete, "/faults", ""); r.Status != 204 {
			t.Errorf("clear A's rules: %d", r.Status)
		}
	})
	t.Run("journal", func(t *testing.T) {
		var ja, jb []map[string]any
		_ = json.Unmarshal([]byte(ctl(a, http.MethodGet, "/journal", "").Body), &ja)
		wire(t, http.MethodGet, a.Sites["kontur"]+"/only-in-a", "")
		r := ctl(b, http.MethodGet, "/journal", "")
		_ = json.Unmarshal([]byte(r.Body), &jb)
		for _, e := range jb {
			if e["path"] == "/only-in-a" {
				t.Errorf("A's request in B's journal: %s", r.Body)
			}
		}
		r = ctl(a, http.MethodGet, "/journal", "")
		if r.Status != 200 || !strings.Contains(r.Body, "/only-in-a") {
			t.Errorf("A's journal lacks its request: %s", r.Body)
		}
		if strings.Contains(wire(t, http.MethodGet, srv.URL()+"/_fakeidp/journal", "").Body, "/only-in-a") {
			t.Error("A's request in the root's journal")
		}
	})
	t.Run("sms", func(t *testing.T) {
		q := "/api/v1/access/validation-code?code=7&number=9001234567"
		if r := wire(t, http.MethodGet, a.Sites["doktornarabote-api"]+q, ""); r.Status != 200 {
			t.Fatalf("validation code in A: %d %s", r.Status, r.Body)
		}
		if r := ctl(a, http.MethodGet, "/sms?phone=79001234567", ""); !strings.Contains(r.Body, "79001234567") {
			t.Errorf("A's outbox: %s", r.Body)
		}
		if r := ctl(b, http.MethodGet, "/sms", ""); strings.Contains(r.Body, "9001234567") {
			t.Errorf("B's outbox holds A's SMS: %s", r.Body)
		}
	})
	t.Run("cabinet", func(t *testing.T) {
		r := ctl(a, http.MethodPost, "/livedigital/users/test_user@test.test/personal-tokens", `{}`)
		tok, _ := r.JSON["token"].(string)
		if r.Status != 201 || tok == "" {
			t.Fatalf("personal token in A: %d %s", r.Status, r.Body)
		}
		if s := wire(t, http.MethodGet, a.Sites["livedigital"]+"/v1/spaces", "", "Authorization", "Bearer "+tok).Status; s != 200 {
			t.Errorf("A's personal token in A: %d", s)
		}
		if s := wire(t, http.MethodGet, b.Sites["livedigital"]+"/v1/spaces", "", "Authorization", "Bearer "+tok).Status; s != 401 {
			t.Errorf("A's personal token in B: %d", s)
		}
		if r := ctl(b, http.MethodGet, "/livedigital/users/test_user@test.test/personal-tokens", ""); strings.Contains(r.Body, "id") {
			t.Errorf("B's cabinet lists A's token: %s", r.Body)
		}
	})
	t.Run("keys", func(t *testing.T) {
		before := ctl(b, http.MethodGet, "/keys", "").JSON["signing"]
		if r := ctl(a, http.MethodPost, "/keys/rotate", `{"keep_old":false}`); r.Status != 200 || r.JSON["signing"] == before {
			t.Fatalf("rotate A: %d %s", r.Status, r.Body)
		}
		if after := ctl(b, http.MethodGet, "/keys", "").JSON["signing"]; after != before {
			t.Errorf("B's signing key moved with A's rotation: %v -> %v", before, after)
		}
		if got := srv.Keys().KeyIDs()[0]; got != before {
			t.Errorf("root signing key %v, want %v", got, before)
		}
	})
	t.Run("stubs", func(t *testing.T) {
		if r := ctl(a, http.MethodPost, "/stubs", `{"site":"extern-api","path":"/only-a","response":{"status":200,"body":"{}"}}`); r.Status != 201 {
			t.Fatalf("stub in A: %d %s", r.Status, r.Body)
		}
		if r := ctl(b, http.MethodGet, "/stubs", ""); r.Status != 200 || len(r.JSON["stubs"].([]any)) != 0 {
			t.Errorf("B's stubs: %d %s", r.Status, r.Body)
		}
		ext := func(ref sandboxRef, tok string) int {
			return wire(t, http.MethodGet, ref.Sites["extern-api"]+"/only-a", "", "Authorization", "Bearer "+tok).Status
		}
		tokA := konturPassword(t, a.Sites["kontur"], "user@login.ru", "password")
		tokB := konturPassword(t, b.Sites["kontur"], "user@login.ru", "password")
		if s := ext(a, tokA); s != 200 {
			t.Errorf("A's stub with A's token: %d", s)
		}
		if s := ext(b, tokA); s != 401 {
			t.Errorf("A's token at B's API: %d, want 401", s)
		}
		if s := ext(b, tokB); s == 200 {
			t.Error("A's stub answered in B")
		}
	})
	t.Run("reset", func(t *testing.T) {
		if r := ctl(a, http.MethodPost, "/reset", ""); r.Status != 200 {
			t.Fatalf("reset A: %d", r.Status)
		}
		if !introspectActive(t, b.Sites["kontur"], tokB) {
			t.Error("A's reset killed B's token")
		}
	})
}
