package fakeidp_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// By prefix, the issuer and every site URL follow the Host the client
// used, as IdentityServer derives them: a client configured with
// localhost and one configured with 127.0.0.1 both get an issuer they
// accept from one server, and tokens that verify. SiteURL keeps the
// listen address, having no request (issue 19, item 17).
func TestIssuerFollowsTheHost(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	port := strings.TrimPrefix(srv.URL(), "http://127.0.0.1:")
	if got := srv.SiteURL("kontur"); got != "http://127.0.0.1:"+port+"/kontur" {
		t.Fatalf("SiteURL = %s", got)
	}
	for _, base := range []string{"http://localhost:" + port + "/kontur", "http://127.0.0.1:" + port + "/kontur"} {
		ctx := context.Background()
		provider, err := oidc.NewProvider(ctx, base)
		if err != nil {
			t.Errorf("%s: %v", base, err)
			continue
		}
		if _, err := provider.Verifier(&oidc.Config{ClientID: "yourClientId"}).Verify(ctx, idTokenAt(t, srv.Client(), base)); err != nil {
			t.Errorf("%s: the id_token does not verify: %v", base, err)
		}
		var health struct{ Sites map[string]string }
		r := wire(t, http.MethodGet, strings.Replace(base, "/kontur", "/_fakeidp/health", 1), "")
		if err := json.Unmarshal([]byte(r.Body), &health); err != nil || health.Sites["kontur"] != srv.SiteURL("kontur") {
			t.Errorf("health over %s lists %v, want the listen address", base, health.Sites)
		}
	}
}

func idTokenAt(t *testing.T, client *http.Client, base string) string {
	t.Helper()
	f := url.Values{"response_type": {"code"}, "client_id": {"yourClientId"}, "redirect_uri": {"http://www.example.com/"},
		"scope": {"openid"}, "username": {"user@login.ru"}, "password": {"password"}, "button": {"login"}}
	resp, err := client.PostForm(base+"/connect/authorize", f)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	loc, _ := url.Parse(resp.Header.Get("Location"))
	resp, err = client.PostForm(base+"/connect/token", url.Values{"grant_type": {"authorization_code"},
		"code": {loc.Query().Get("code")}, "client_id": {"yourClientId"}, "client_secret": {"yourClientSecret"}, "redirect_uri": {"http://www.example.com/"}})
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		IDToken string `json:"id_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.IDToken == "" {
		t.Fatalf("no id_token (%d): %v", resp.StatusCode, err)
	}
	return tok.IDToken
}

// Every redirect fakeidp makes inside a sandbox stays in the sandbox: the
// cabinet's and the dashboard's, and the 301 to a clean path (issue 19,
// item 2).
func TestRedirectsStayInTheSandbox(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	sb := newSandbox(t, srv, "")
	mount := "/sandbox/" + sb.ID
	for _, c := range []struct{ path, want string }{
		{"/_fakeidp/livedigital", "/_fakeidp/livedigital/"},
		{"/_fakeidp/ui/", "/_fakeidp/ui"},
		{"/_fakeidp//journal", "/_fakeidp/journal"},
		{"/_fakeidp/./faults?x=1", "/_fakeidp/faults?x=1"},
	} {
		for _, prefix := range []string{"", mount} {
			target, _ := url.Parse(srv.URL() + prefix + c.path)
			r := wire(t, http.MethodGet, target.String(), "")
			loc, err := url.Parse(r.Header.Get("Location"))
			if r.Status/100 != 3 || err != nil {
				t.Errorf("GET %s: %d, Location %q", target, r.Status, r.Header.Get("Location"))
				continue
			}
			if got := target.ResolveReference(loc).RequestURI(); got != prefix+c.want {
				t.Errorf("GET %s redirects to %s, want %s", target, got, prefix+c.want)
			}
		}
	}
}

// The dashboard learns from the server that its page is a sandbox's: the
// scope line names it and the sandboxes panel is left out; the server's
// own page has the panel and no scope line.
func TestDashboardKnowsItsSandbox(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	sb := newSandbox(t, srv, "")
	root := wire(t, http.MethodGet, srv.URL()+"/_fakeidp/ui", "")
	page := wire(t, http.MethodGet, sb.Control+"/ui", "")
	if !strings.Contains(root.Body, `id="sandboxes"`) || strings.Contains(root.Body, `data-testid="sandbox-scope"`) {
		t.Errorf("the server's page: sandboxes panel or scope line wrong")
	}
	if strings.Contains(page.Body, `id="sandboxes"`) || !strings.Contains(page.Body, `data-testid="sandbox-scope"`) || !strings.Contains(page.Body, sb.ID) {
		t.Errorf("the sandbox's page: sandboxes panel or scope line wrong")
	}
}

// Expired sandboxes are swept in the background: within a second of
// their ttl their URLs answer 404 and their journal streams end, with no
// request to the registry (issue 19, item 5).
func TestExpiredSandboxesAreSwept(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	sb := newSandbox(t, srv, `{"ttl":"300ms"}`)
	resp, err := http.Get(sb.Control + "/journal/stream")
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("stream: %v %v", resp, err)
	}
	defer resp.Body.Close()
	ended := make(chan time.Time, 1)
	go func() {
		buf := make([]byte, 512)
		for {
			if _, err := resp.Body.Read(buf); err != nil {
				ended <- time.Now()
				return
			}
		}
	}()
	expiry, _ := time.Parse(time.RFC3339Nano, sb.ExpiresAt)
	select {
	case at := <-ended:
		if late := at.Sub(expiry); late > time.Second || late < 0 {
			t.Errorf("the stream ended %v after the ttl", late)
		}
	case <-time.After(3 * time.Second):
		t.Fatal("the stream of an expired sandbox is still open")
	}
	if r := wire(t, http.MethodGet, sb.Sites["kontur"]+"/.well-known/openid-configuration", ""); r.Status != http.StatusNotFound {
		t.Errorf("expired sandbox answers %d", r.Status)
	}
}
