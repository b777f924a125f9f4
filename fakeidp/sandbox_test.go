package fakeidp_test

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// POST /_fakeidp/sandboxes answers exactly id, sites (every site), control
// and expires_at; each URL lives under /sandbox/{id}/ and the Kontur
// issuer is the sandbox's own site URL. GET lists it; DELETE removes it,
// and its URLs then answer 404.
func TestSandboxLifecycle(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	r := wire(t, http.MethodPost, srv.URL()+"/_fakeidp/sandboxes", "", "Content-Type", jsonType)
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	keys := make([]string, 0, len(r.JSON))
	for k := range r.JSON {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	if want := []string{"control", "expires_at", "id", "sites"}; !slices.Equal(keys, want) {
		t.Fatalf("keys %v, want %v", keys, want)
	}
	id := r.JSON["id"].(string)
	root := srv.URL() + "/sandbox/" + id
	sites := r.JSON["sites"].(map[string]any)
	for _, st := range site.All {
		if sites[st.Name] != root+st.Prefix {
			t.Errorf("sites[%s] = %v, want %s", st.Name, sites[st.Name], root+st.Prefix)
		}
	}
	if len(sites) != len(site.All) || r.JSON["control"] != root+"/_fakeidp" {
		t.Errorf("sites %v control %v", sites, r.JSON["control"])
	}
	if exp, err := time.Parse(time.RFC3339Nano, r.JSON["expires_at"].(string)); err != nil || time.Until(exp) < 59*time.Minute {
		t.Errorf("expires_at %v (%v), want an hour from now", r.JSON["expires_at"], err)
	}
	disc := wire(t, http.MethodGet, root+"/kontur/.well-known/openid-configuration", "")
	if disc.Status != 200 || disc.JSON["issuer"] != root+"/kontur" || disc.JSON["token_endpoint"] != root+"/kontur/connect/token" {
		t.Errorf("discovery: %d issuer %v token %v", disc.Status, disc.JSON["issuer"], disc.JSON["token_endpoint"])
	}
	if h := wire(t, http.MethodGet, root+"/_fakeidp/health", ""); h.Status != 200 || h.JSON["sites"].(map[string]any)["kontur"] != root+"/kontur" {
		t.Errorf("sandbox health: %d %s", h.Status, h.Body)
	}

	list := wire(t, http.MethodGet, srv.URL()+"/_fakeidp/sandboxes", "")
	items, _ := list.JSON["sandboxes"].([]any)
	if list.Status != 200 || len(items) != 1 {
		t.Fatalf("list: %d %s", list.Status, list.Body)
	}
	item := items[0].(map[string]any)
	for _, k := range []string{"created", "last_used", "expires_at"} {
		if _, err := time.Parse(time.RFC3339Nano, item[k].(string)); err != nil || item["id"] != id {
			t.Errorf("list item %s: %v (%v)", k, item, err)
		}
	}

	if d := wire(t, http.MethodDelete, srv.URL()+"/_fakeidp/sandboxes/"+id, ""); d.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", d.Status, d.Body)
	}
	for _, u := range []string{root + "/kontur/.well-known/openid-configuration", root + "/_fakeidp/health", srv.URL() + "/_fakeidp/sandboxes/" + id} {
		if g := wire(t, http.MethodGet, u, ""); g.Status != 404 || !strings.Contains(g.JSON["error"].(string), id) {
			t.Errorf("GET %s after delete: %d %s", u, g.Status, g.Body)
		}
	}
	if d := wire(t, http.MethodDelete, srv.URL()+"/_fakeidp/sandboxes/"+id, ""); d.Status != 404 || d.JSON["error"] == nil {
		t.Errorf("second delete: %d %s", d.Status, d.Body)
	}
	if list = wire(t, http.MethodGet, srv.URL()+"/_fakeidp/sandboxes", ""); list.Body != "{\n  \"sandboxes\": []\n}\n" {
		t.Errorf("list after delete: %s", list.Body)
	}
}

// An id that names no sandbox gets a 404 JSON, by path, by header and on
// the registry's own endpoints.
func TestSandboxUnknownID(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	for _, c := range []struct {
		method, path string
		hdr          []string
	}{
		{http.MethodGet, "/sandbox/nope/kontur/.well-known/openid-configuration", nil},
		{http.MethodGet, "/sandbox/nope", nil},
		{http.MethodGet, "/sandbox/", nil},
		{http.MethodGet, "/connect/userinfo", []string{"Host", "identity.testkontur.ru", fakeidp.SandboxHeader, "nope"}},
		{http.MethodGet, "/_fakeidp/health", []string{fakeidp.SandboxHeader, "nope"}},
		{http.MethodGet, "/_fakeidp/sandboxes/nope", nil},
		{http.MethodDelete, "/_fakeidp/sandboxes/nope", nil},
	} {
		r := wire(t, c.method, srv.URL()+c.path, "", c.hdr...)
		if r.Status != 404 || r.Header.Get("Content-Type") != jsonType || r.JSON["error"] == nil {
			t.Errorf("%s %s %v: %d %q %s", c.method, c.path, c.hdr, r.Status, r.Header.Get("Content-Type"), r.Body)
		}
	}
}

// Fakeidp-Sandbox selects a sandbox for requests by real host name; a path
// and a header naming different sandboxes is refused.
func TestSandboxHeader(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	a, b := newSandbox(t, srv, ""), newSandbox(t, srv, "")
	host := []string{"Host", "identity.testkontur.ru"}
	tok := konturPassword(t, srv.URL(), "user@login.ru", "password", append(host, fakeidp.SandboxHeader, a.ID)...)
	if tok == "" {
		t.Fatal("no token from sandbox A by host name")
	}
	if s := userinfoStatus(t, srv.URL(), tok, append(host, fakeidp.SandboxHeader, a.ID)...); s != 200 {
		t.Errorf("userinfo in A by host: %d", s)
	}
	if s := userinfoStatus(t, srv.URL(), tok, append(host, fakeidp.SandboxHeader, b.ID)...); s != 401 {
		t.Errorf("userinfo in B by host: %d, want 401", s)
	}
	if s := userinfoStatus(t, srv.URL(), tok, host...); s != 401 {
		t.Errorf("userinfo in the root by host: %d, want 401", s)
	}
	// By path A's issuer is http://127.0.0.1:PORT/sandbox/{id}/kontur, not
	// the token's http://identity.testkontur.ru: IdentityServer4 refuses
	// a JWT of another issuer at userinfo.
	if s := userinfoStatus(t, a.Sites["kontur"], tok); s != 401 {
		t.Errorf("userinfo in A by path, token issued by host: %d, want 401", s)
	}
	if s := userinfoStatus(t, a.Sites["kontur"], konturPassword(t, a.Sites["kontur"], "user@login.ru", "password")); s != 200 {
		t.Errorf("userinfo in A by path: %d", s)
	}
	if r := wire(t, http.MethodGet, a.Sites["kontur"]+"/connect/userinfo", "", fakeidp.SandboxHeader, b.ID); r.Status != 400 {
		t.Errorf("path A, header B: %d %s", r.Status, r.Body)
	}
	// The registry's endpoints stay the root's under the header, so a
	// header-adding transport can still delete its sandbox.
	if r := wire(t, http.MethodDelete, srv.URL()+"/_fakeidp/sandboxes/"+a.ID, "", fakeidp.SandboxHeader, a.ID); r.Status != 204 {
		t.Errorf("delete with the header: %d %s", r.Status, r.Body)
	}
}

// Sandbox URLs follow the scheme and host a request came by: created over
// the HTTPS listener, a sandbox's sites and issuer are https; over HTTP,
// http; by a host name the client uses (a compose service), that name.
func TestSandboxURLsFollowTheRequest(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTLS(t, fakeidp.Options{})
	client := srv.Client()
	req, _ := http.NewRequest(http.MethodPost, srv.TLSURL()+"/_fakeidp/sandboxes", nil)
	req.Header.Set("Content-Type", jsonType)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var ref sandboxRef
	if err := json.NewDecoder(resp.Body).Decode(&ref); err != nil || resp.StatusCode != 201 {
		t.Fatalf("create over TLS: %d %v", resp.StatusCode, err)
	}
	resp.Body.Close()
	want := srv.TLSURL() + "/sandbox/" + ref.ID + "/kontur"
	if ref.Sites["kontur"] != want || ref.Control != srv.TLSURL()+"/sandbox/"+ref.ID+"/_fakeidp" {
		t.Errorf("over TLS: sites.kontur %s control %s, want %s", ref.Sites["kontur"], ref.Control, want)
	}
	if got := issuerVia(t, client, srv.TLSURL()+"/sandbox/"+ref.ID+"/kontur", ""); got != want {
		t.Errorf("issuer over TLS %s, want %s", got, want)
	}
	if got := issuerVia(t, client, srv.URL()+"/sandbox/"+ref.ID+"/kontur", ""); got != srv.URL()+"/sandbox/"+ref.ID+"/kontur" {
		t.Errorf("issuer over HTTP %s", got)
	}
	r := wire(t, http.MethodPost, srv.URL()+"/_fakeidp/sandboxes", "", "Content-Type", jsonType, "Host", "localhost:9999")
	if s, _ := r.JSON["sites"].(map[string]any); r.Status != 201 || !strings.HasPrefix(s["kontur"].(string), "http://localhost:9999/sandbox/") {
		t.Errorf("create by Host localhost:9999: %d %s", r.Status, r.Body)
	}
}
