package fakeidp

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// dispatch must answer exactly as the router's own ServeHTTP would: the
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
	withVars := func(r *mux.Router) {
		r.HandleFunc("/_probe/{name}", func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write([]byte("vars=" + mux.Vars(r)["name"]))
		}).Methods("GET")
	}
	for _, st := range site.All {
		p := s.sites[st.Name]
		router := mux.NewRouter()
		router.SkipClean(true)
		p.Mount(router)
		withVars(router)
		for _, rq := range append(requests, struct{ method, path string }{"GET", "/_probe/x1"}, struct{ method, path string }{"POST", "/_probe/x1"}) {
			serve := func(h http.Handler) *httptest.ResponseRecorder {
				req := httptest.NewRequest(rq.method, rq.path, strings.NewReader("grant_type=client_credentials"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req = site.WithBase(req, st.Name, "http://127.0.0.1/"+st.Name)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				return rec
			}
			want, got := serve(router), serve(dispatch{router})
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
