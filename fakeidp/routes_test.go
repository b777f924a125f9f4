package fakeidp

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"github.com/fakeidp/fakeidp/fakeidp/internal/route"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// route.Dispatch must answer exactly as the router's own ServeHTTP would: the
// same handler, status and body for matches, wrong methods and unknown
// paths, and the same route variables.
func TestDispatchMatchesMux(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	requests := []struct{ method, path string }{
		{"POST", "/connect/token"}, {"GET", "/connect/token"}, {"PUT", "/connect/token"},
		{"GET", "/.well-known/openid-configuration"}, {"DELETE", "/.well-known/openid-configuration"},
		{"GET", "/connect/authorize"}, {"GET", "/nowhere"}, {"GET", "/"},
		{"GET", "/api/v1/access/validation-code"}, {"POST", "/api/v1/access/validation-code"},
		{"POST", "/token"}, {"POST", "/v1/auth/token"}, {"GET", "/v1/spaces/"},
	}
	// A route with a variable, to see that mux.Vars still works.
	withVars := func(r route.Router) {
		r.HandleFunc("/_probe/{name}", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte("vars=" + mux.Vars(r)["name"]))
		}, "GET")
	}
	for i, st := range site.All {
		p := s.sites[i]
		router := mux.NewRouter()
		router.SkipClean(true)
		p.Mount(route.Mux{R: router})
		withVars(route.Mux{R: router})
		// As a host compiles it once, and as a sandbox lists its handlers.
		compiled := mux.NewRouter()
		compiled.SkipClean(true)
		compiler := &route.Compiler{R: compiled}
		p.Mount(compiler)
		withVars(compiler)
		var table route.Table
		p.Mount(&table)
		withVars(&table)
		dispatch := route.Dispatch{Router: func() *mux.Router { return compiled }, Handler: table}
		for _, rq := range append(requests, struct{ method, path string }{"GET", "/_probe/x1"}, struct{ method, path string }{"POST", "/_probe/x1"}) {
			serve := func(h http.Handler) *httptest.ResponseRecorder {
				req := httptest.NewRequest(rq.method, rq.path, strings.NewReader("grant_type=client_credentials"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req = site.WithBase(req, st.Name, "http://127.0.0.1/"+st.Name)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec
			}
			want, got := serve(router), serve(dispatch)
			if want.Code != got.Code || !sameBody(want.Body.String(), got.Body.String()) {
				t.Errorf("%s %s %s: dispatch %d %q, mux %d %q", st.Name, rq.method, rq.path,
					got.Code, got.Body.String(), want.Code, want.Body.String())
			}
		}
	}
}

// sameBody compares two responses, ignoring the random values (tokens,
// codes) that differ between any two calls.
func sameBody(a, b string) bool {
	if a == b {
		return true
	}
	return len(a) == len(b) && strings.Count(a, `"`) == strings.Count(b, `"`)
}

// describe records the routes mounted on it, as "METHODS path".
type describe []string

func (d *describe) HandleFunc(path string, _ func(http.ResponseWriter, *http.Request), methods ...string) {
	*d = append(*d, strings.Join(methods, ",")+" "+path)
}
func (d *describe) Handle(path string, _ http.Handler, methods ...string) {
	d.HandleFunc(path, nil, methods...)
}
func (d *describe) Prefix(path string, _ http.Handler, methods ...string) {
	d.HandleFunc(path+"*", nil, methods...)
}

// The host compiles the root instance's routes once and finds every
// instance's handler by position: so a sandbox, even one with an
// overlay, must mount the same routes in the same order as the root.
func TestInstancesMountTheHostsRoutes(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	sb, err := s.NewSandbox(t.Context(), []byte("kontur:\n  users:\n    - {username: a@b.ru, password: pw, subject: s}\n"))
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	for run := range 3 { // map iteration would differ from one run to the next
		for i, st := range site.All {
			var root, other describe
			s.sites[i].Mount(&root)
			sb.sites[i].Mount(&other)
			if !slices.Equal(root, other) || len(root) == 0 {
				t.Fatalf("run %d, %s: root mounts %v, the sandbox %v", run, st.Name, root, other)
			}
		}
		var root, other describe
		s.mountControl(&root)
		sb.mountControl(&other)
		if !slices.Equal(root, other) || len(root) < 30 {
			t.Fatalf("run %d, control: root mounts %v, the sandbox %v", run, root, other)
		}
	}
}
