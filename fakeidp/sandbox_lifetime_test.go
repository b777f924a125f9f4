package fakeidp_test

import (
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/fault"
)

// wallClock is a wall clock a test moves by hand.
type wallClock struct{ ns atomic.Int64 }

func (c *wallClock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *wallClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// A sandbox lives for its ttl after its last use, by the wall clock, not
// by its own virtual clock (which the test moves a year on).
func TestSandboxTTL(t *testing.T) {
	t.Parallel()
	wall := &wallClock{}
	wall.ns.Store(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	srv := fakeidp.StartTest(t, fakeidp.Options{WallClock: wall.now})
	short := newSandbox(t, srv, `{"ttl":"30m"}`)
	long := newSandbox(t, srv, "")
	if short.ExpiresAt != "2030-01-01T00:30:00Z" || long.ExpiresAt != "2030-01-01T01:00:00Z" {
		t.Fatalf("expires_at %s and %s", short.ExpiresAt, long.ExpiresAt)
	}
	health := func(ref sandboxRef) int { return wire(t, http.MethodGet, ref.Control+"/health", "").Status }
	if r := wire(t, http.MethodPost, short.Control+"/clock", `{"advance":"8760h"}`, "Content-Type", jsonType); r.Status != 200 {
		t.Fatalf("clock: %d", r.Status)
	}
	wall.advance(29 * time.Minute)
	if health(short) != 200 { // a use: the ttl starts again
		t.Fatal("the short sandbox expired early")
	}
	wall.advance(29 * time.Minute)
	if health(short) != 200 {
		t.Fatal("use did not extend the short sandbox's life")
	}
	wall.advance(31 * time.Minute)
	if s := health(short); s != 404 {
		t.Errorf("short sandbox 31 minutes after its last use: %d, want 404", s)
	}
	list := wire(t, http.MethodGet, srv.URL()+"/_fakeidp/sandboxes", "")
	if strings.Contains(list.Body, short.ID) || strings.Contains(list.Body, long.ID) {
		t.Errorf("expired sandboxes still listed: %s", list.Body)
	}
	if s := health(long); s != 404 {
		t.Errorf("default-ttl sandbox 89 minutes after creation: %d, want 404", s)
	}
}

// server.max_sandboxes caps how many exist at once: one more gets 429 with
// a message that says what to do, and deleting one makes room.
func TestSandboxCap(t *testing.T) {
	t.Parallel()
	def, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	cfg := *def
	cfg.Server.MaxSandboxes = 2
	srv := fakeidp.StartTest(t, fakeidp.Options{Config: &cfg})
	first := newSandbox(t, srv, "")
	newSandbox(t, srv, "")
	r := wire(t, http.MethodPost, srv.URL()+"/_fakeidp/sandboxes", "", "Content-Type", jsonType)
	msg, _ := r.JSON["error"].(string)
	if r.Status != http.StatusTooManyRequests || !strings.Contains(msg, "server.max_sandboxes") || !strings.Contains(msg, "2") {
		t.Fatalf("third sandbox: %d %s", r.Status, r.Body)
	}
	if _, err := srv.NewSandbox(t.Context(), nil); err != fakeidp.ErrTooManySandboxes {
		t.Errorf("Go API beyond the cap: %v", err)
	}
	wire(t, http.MethodDelete, srv.URL()+"/_fakeidp/sandboxes/"+first.ID, "")
	newSandbox(t, srv, "")
}

// Deleting a sandbox lets the requests inside it finish (a delayed one is
// served at once) while later ones get 404.
func TestSandboxDeleteInFlight(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	sb, err := srv.NewSandbox(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	rule, err := sb.AddFault(fault.Rule{Match: fault.Match{Site: "kontur", Path: "/connect/token"},
		Effect: fault.Effect{Type: fault.TypeLatency, Delay: "1m"}})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan string)
	go func() { done <- konturPassword(t, sb.SiteURL("kontur"), "user@login.ru", "password") }()
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		if got, _ := sb.Faults().Get(rule.ID); got.Seen > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the request never reached the sandbox")
		}
	}
	if r := wire(t, http.MethodDelete, srv.URL()+"/_fakeidp/sandboxes/"+sb.ID(), ""); r.Status != 204 {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	select {
	case tok := <-done:
		if tok == "" {
			t.Error("the in-flight request did not get its token")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the in-flight request did not finish after the delete")
	}
	if r := wire(t, http.MethodGet, sb.SiteURL("kontur")+"/.well-known/openid-configuration", ""); r.Status != 404 {
		t.Errorf("after delete: %d", r.Status)
	}
}

// A sandbox's control API has the root's guard: the same Host, Origin and
// Content-Type checks and the same control token. Its sites stay open.
func TestSandboxControlGuard(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{ControlToken: "s3cret"})
	auth := []string{"Authorization", "Bearer s3cret", "Content-Type", jsonType}
	r := wire(t, http.MethodPost, srv.URL()+"/_fakeidp/sandboxes", "", "Content-Type", jsonType)
	if r.Status != 401 {
		t.Fatalf("create without the control token: %d", r.Status)
	}
	r = wire(t, http.MethodPost, srv.URL()+"/_fakeidp/sandboxes", "", auth...)
	if r.Status != 201 {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	control := r.JSON["control"].(string)
	kontur := r.JSON["sites"].(map[string]any)["kontur"].(string)
	for _, c := range []struct {
		name string
		hdr  []string
		want int
	}{
		{"no token", []string{"Content-Type", jsonType}, 401},
		{"foreign Origin", append([]string{"Origin", "http://evil.example"}, auth...), 403},
		{"rebound Host", append([]string{"Host", "evil.example"}, auth...), 403},
		{"text/plain", []string{"Authorization", "Bearer s3cret", "Content-Type", "text/plain"}, 415},
		{"allowed", auth, 200},
	} {
		if got := wire(t, http.MethodPost, control+"/reset", "", c.hdr...); got.Status != c.want {
			t.Errorf("%s: %d %s, want %d", c.name, got.Status, got.Body, c.want)
		}
	}
	if got := wire(t, http.MethodGet, kontur+"/.well-known/openid-configuration", ""); got.Status != 200 {
		t.Errorf("sandbox site without the control token: %d", got.Status)
	}
}

// 32 sandboxes created, used and deleted at once while tokens flow in the
// root, under -race: each sees only its own tokens.
func TestSandboxConcurrent(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	stop := make(chan struct{})
	var rootWG sync.WaitGroup
	rootWG.Add(1)
	go func() {
		defer rootWG.Done()
		for {
			select {
			case <-stop:
				return
			default:
			}
			if konturPassword(t, srv.SiteURL("kontur"), "user@login.ru", "password") == "" {
				t.Error("root token refused while sandboxes churn")
				return
			}
		}
	}()
	var wg sync.WaitGroup
	toks := make([]string, 32)
	refs := make([]sandboxRef, 32)
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			refs[i] = newSandbox(t, srv, "")
			toks[i] = konturPassword(t, refs[i].Sites["kontur"], "user@login.ru", "password")
			if !introspectActive(t, refs[i].Sites["kontur"], toks[i]) {
				t.Errorf("sandbox %d: own token inactive", i)
			}
		}()
	}
	wg.Wait()
	for i := range 32 {
		if introspectActive(t, refs[(i+1)%32].Sites["kontur"], toks[i]) || introspectActive(t, srv.SiteURL("kontur"), toks[i]) {
			t.Errorf("sandbox %d's token live in its neighbour or the root", i)
		}
	}
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if !introspectActive(t, refs[i].Sites["kontur"], toks[i]) {
				t.Errorf("sandbox %d: own token inactive before its delete", i)
			}
			if r := wire(t, http.MethodDelete, srv.URL()+"/_fakeidp/sandboxes/"+refs[i].ID, ""); r.Status != 204 {
				t.Errorf("delete %d: %d", i, r.Status)
			}
		}()
	}
	wg.Wait()
	close(stop)
	rootWG.Wait()
	if r := wire(t, http.MethodGet, srv.URL()+"/_fakeidp/sandboxes", ""); r.Body != "{\n  \"sandboxes\": []\n}\n" {
		t.Errorf("left over: %s", r.Body)
	}
}
