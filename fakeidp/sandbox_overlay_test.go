package fakeidp_test

import (
	"context"
	"fmt"
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/journal"
)

// A bad create request gets a 400 naming each problem, all at once, and
// no sandbox.
func TestSandboxBadRequests(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	tests := []struct {
		name, body string
		want       []string
	}{
		{"unknown field", `{"fixturez":{}}`, []string{"fixturez: unknown field"}},
		{"wrong types", `{"presets":"kontur-invalid-client","ttl":30,"fixtures":7}`,
			[]string{"fixtures: want a fixtures overlay", "presets: want a list", "ttl: want a duration"}},
		{"bad ttl", `{"ttl":"soon"}`, []string{`ttl: "soon" is not a positive duration`}},
		{"negative ttl", `{"ttl":"-5m"}`, []string{`ttl: "-5m"`}},
		{"unknown preset", `{"presets":["kontur-invalid-client","no-such"]}`, []string{`presets[1]: unknown preset "no-such"`}},
		{"keys", `{"fixtures":{"keys":[{"pem":"x"}],"server":{"max_tokens":5}}}`, []string{"fixtures.keys", "fixtures.server"}},
		{"secret", `{"fixtures":{"livedigital":{"hs256_secret":"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"}}}`, []string{"fixtures.livedigital.hs256_secret"}},
		{"unknown fixtures field", `{"fixtures":{"kontur":{"clientz":[]}}}`, []string{"fixtures.kontur.clientz"}},
		{"duplicate ids", `{"fixtures":{"kontur":{"clients":[{"id":"dup","secret":"s","grant_types":["client_credentials"],"scopes":["medi_api"]},{"id":"dup","secret":"t"}]}}}`,
			[]string{"fixtures.kontur.clients[1]"}},
		{"bad duration", `{"fixtures":{"kontur":{"clients":[{"id":"medi_test_client","access_token_lifetime":"forever"}]}}}`,
			[]string{"fixtures.kontur.clients[0].access_token_lifetime"}},
		{"all at once", `{"ttl":"soon","presets":["nope"],"extra":1}`, []string{"ttl:", "presets[0]", "extra: unknown field"}},
		{"not an object", `[1]`, []string{"(body)"}},
		{"10 MB", `{"fixtures":"` + strings.Repeat("a", 10<<20) + `"}`, []string{"(body): larger than"}},
	}
	for _, tt := range tests {
		r := wire(t, http.MethodPost, srv.URL()+"/_fakeidp/sandboxes", tt.body, "Content-Type", jsonType)
		problems, _ := r.JSON["problems"].([]any)
		all := fmt.Sprint(problems)
		if r.Status != http.StatusBadRequest || len(problems) < len(tt.want) {
			t.Errorf("%s: %d %.300s, want 400 with %d problems", tt.name, r.Status, r.Body, len(tt.want))
			continue
		}
		for _, w := range tt.want {
			if !strings.Contains(all, w) {
				t.Errorf("%s: %.300s lacks %q", tt.name, r.Body, w)
			}
		}
	}
	if r := wire(t, http.MethodGet, srv.URL()+"/_fakeidp/sandboxes", ""); r.Body != "{\n  \"sandboxes\": []\n}\n" {
		t.Errorf("bad requests left sandboxes: %s", r.Body)
	}
}

// A fixtures overlay is the sandbox's alone: a user it adds logs in there
// and nowhere else, and presets named at creation are on from the start
// and survive the sandbox's reset.
func TestSandboxOverlay(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	a := newSandbox(t, srv, `{"fixtures":{"kontur":{"users":[{"username":"only-a@login.ru","password":"pw-a","subject":"sub-a"}]}},"presets":["livedigital-invalid-credentials"]}`)
	b := newSandbox(t, srv, "")
	if konturPassword(t, a.Sites["kontur"], "only-a@login.ru", "pw-a") == "" {
		t.Error("the overlay user cannot log in in its sandbox")
	}
	for name, base := range map[string]string{"B": b.Sites["kontur"], "root": srv.SiteURL("kontur")} {
		if konturPassword(t, base, "only-a@login.ru", "pw-a") != "" {
			t.Errorf("the overlay user logs in in %s", name)
		}
	}
	if konturPassword(t, a.Sites["kontur"], "user@login.ru", "password") == "" {
		t.Error("the base user is gone from the overlaid sandbox")
	}
	passwordGrant := func(ref sandboxRef) any {
		return wire(t, http.MethodPost, ref.Sites["livedigital"]+"/v1/auth/token",
			`{"grant_type":"password","client_id":"x","client_secret":"y","username":"u","password":"p"}`, "Content-Type", jsonType).JSON["error"]
	}
	wire(t, http.MethodPost, a.Control+"/reset", "", "Content-Type", jsonType)
	if got := passwordGrant(a); got != "invalid_grant" {
		t.Errorf("A's startup preset after reset: %v, want invalid_grant", got)
	}
	if got := passwordGrant(b); got == "invalid_grant" {
		t.Error("A's preset reached B")
	}
}

// The Go API: NewSandbox with an overlay, scoped helpers, and deletion when
// the context ends.
func TestNewSandboxGoAPI(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	ctx, cancel := context.WithCancel(t.Context())
	sb, err := srv.NewSandbox(ctx, []byte("kontur:\n  users:\n    - {username: go@login.ru, password: pw, subject: go-sub}\n"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(sb.SiteURL("kontur"), srv.URL()+"/sandbox/"+sb.ID()+"/") || sb.ControlURL() != srv.URL()+"/sandbox/"+sb.ID()+"/_fakeidp" {
		t.Fatalf("SiteURL %s ControlURL %s", sb.SiteURL("kontur"), sb.ControlURL())
	}
	tok := konturPassword(t, sb.SiteURL("kontur"), "go@login.ru", "pw")
	if tok == "" || konturPassword(t, srv.SiteURL("kontur"), "go@login.ru", "pw") != "" {
		t.Fatal("the overlay user is not the sandbox's alone")
	}
	sb.Clock().Advance(2 * time.Hour)
	if introspectActive(t, sb.SiteURL("kontur"), tok) {
		t.Error("the sandbox's clock did not move its tokens")
	}
	if srv.Clock().Offset() != 0 || sb.Journal().Size() == 0 || len(sb.Journal().List(journal.Filter{})) == 0 {
		t.Error("root clock moved, or the sandbox journal is empty")
	}
	// A sandbox is an instance, not a host: it neither listens nor
	// holds sandboxes (it once embedded *Server and offered all of them).
	for _, name := range []string{"Listen", "ListenTLS", "Serve", "ServeTLS", "Shutdown", "Handler", "Client", "NewSandbox"} {
		if _, ok := reflect.TypeFor[*fakeidp.Sandbox]().MethodByName(name); ok {
			t.Errorf("a Sandbox offers %s", name)
		}
	}
	if _, err := srv.NewSandbox(ctx, []byte("keys: []\n")); err == nil || !strings.Contains(err.Error(), "fixtures.keys") {
		t.Errorf("overlay changing keys: %v", err)
	}
	cancel()
	waitGone(t, sb.SiteURL("kontur")+"/.well-known/openid-configuration")
	sb.Close() // a second close is harmless
}

// waitGone waits until url answers 404: a context's end closes a sandbox
// in its own goroutine.
func waitGone(t *testing.T, url string) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if wire(t, http.MethodGet, url, "").Status == http.StatusNotFound {
			return
		}
	}
	t.Errorf("%s still served", url)
}
