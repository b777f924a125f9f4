package fakeidp_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// GET / on the listener's address is a page for a browser: what this is,
// the sites' URLs and Kontur's discovery, and where to go next. A name
// the control API does not answer to gets the 404 it got before, and a
// site's host name still reaches the site.
func TestLandingPage(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	r := wire(t, http.MethodGet, srv.URL()+"/", "")
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("GET /: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	checkPageHeaders(t, "landing", r.Header)
	for _, want := range []string{
		srv.SiteURL("kontur") + "/.well-known/openid-configuration",
		srv.SiteURL("doktornarabote-api"), srv.SiteURL("livedigital"),
		`href="_fakeidp/ui"`, `href="_fakeidp/livedigital/"`, `href="_fakeidp/"`, `name="viewport"`,
		"needs DNS (e.g. /etc/hosts) or a Host header",
	} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("the landing page lacks %s", want)
		}
	}
	if r := wire(t, http.MethodGet, srv.URL()+"/", "", "Host", "rebound.example"); r.Status != http.StatusNotFound {
		t.Errorf("GET / by a foreign name: %d, want 404", r.Status)
	}
	if r := wire(t, http.MethodGet, srv.URL()+"/", "", "Host", "identity.testkontur.ru"); r.Status != http.StatusNotFound || strings.Contains(r.Body, "fakeidp") {
		t.Errorf("GET / on Kontur's host name: %d %s, want the site's 404", r.Status, r.Body)
	}
	if r := wire(t, http.MethodPost, srv.URL()+"/", ""); r.Status != http.StatusMethodNotAllowed {
		t.Errorf("POST /: %d", r.Status)
	}
}

// /_fakeidp redirects to the index, in a sandbox too, and the index,
// JSON as before, lists the dashboard.
func TestControlIndexRedirect(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	if r := wire(t, http.MethodGet, srv.URL()+"/_fakeidp", ""); r.Status != http.StatusMovedPermanently || r.Header.Get("Location") != "_fakeidp/" {
		t.Errorf("GET /_fakeidp: %d Location %q", r.Status, r.Header.Get("Location"))
	}
	sb := newSandbox(t, srv, "{}")
	if r := wire(t, http.MethodGet, sb.Control, ""); r.Status != http.StatusMovedPermanently || r.Header.Get("Location") != "_fakeidp/" {
		t.Errorf("GET %s: %d Location %q", sb.Control, r.Status, r.Header.Get("Location"))
	}
	r := wire(t, http.MethodGet, srv.URL()+"/_fakeidp/", "", "Accept", "application/json")
	endpoints, _ := r.JSON["endpoints"].([]any)
	found := false
	for _, e := range endpoints {
		found = found || e == "GET /_fakeidp/ui"
	}
	if r.Status != 200 || !found {
		t.Errorf("GET /_fakeidp/: %d, endpoints %v, want GET /_fakeidp/ui among them", r.Status, endpoints)
	}
}

// The dashboard says what a URL by host name needs; in a sandbox, the
// header that names the sandbox too.
func TestHostNameURLNotes(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	sb := newSandbox(t, srv, "{}")
	root := wire(t, http.MethodGet, srv.URL()+"/_fakeidp/ui", "")
	inSandbox := wire(t, http.MethodGet, sb.Control+"/ui", "")
	const dns = "needs DNS (e.g. /etc/hosts) or a Host header naming it"
	if !strings.Contains(root.Body, dns+"</small>") {
		t.Errorf("the dashboard's host-name URLs lack the note %q", dns)
	}
	if want := dns + ", and Fakeidp-Sandbox: " + sb.ID; !strings.Contains(inSandbox.Body, want) {
		t.Errorf("the sandbox's dashboard lacks %q", want)
	}
}
