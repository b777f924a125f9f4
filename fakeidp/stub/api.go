package stub

import (
	"net/http"

	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// API is one API site's pipeline, the same for every provider: the token
// is checked first, then the stubs are matched, and a request no stub
// answers gets the site's 404. What varies by provider (how the token is
// checked, how refusals look) comes in as functions from the provider's
// package.
type API struct {
	// Site is the site's name, as stubs name it.
	Site  string
	Stubs *Set
	// Authenticate checks the request's bearer token. When it refuses the
	// token it has written the answer and returns false.
	Authenticate func(w http.ResponseWriter, r *http.Request) (Token, bool)
	// Forbidden answers a valid token that no stub for the path accepts
	// (a client token where a user is required, a scope missing).
	Forbidden func(w http.ResponseWriter, r *http.Request, reason string)
	// NotFound answers a request no stub matches.
	NotFound http.HandlerFunc
	// MethodNotAllowed, when set, answers a request whose path stubs
	// match for other methods only; allow lists those methods for the
	// Allow header. Unset, such a request gets NotFound.
	MethodNotAllowed func(w http.ResponseWriter, r *http.Request, allow string)
}

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	tok, ok := a.Authenticate(w, r)
	if !ok {
		return
	}
	site.SetCaller(r, tok.Subject, tok.ClientID)
	m := a.Stubs.match(a.Site, r.Method, r.URL.Path, &tok)
	switch {
	case m.stub != nil:
		m.stub.write(w, &values{token: &tok, params: m.params, rawQuery: r.URL.RawQuery})
	case m.code != "":
		site.Refuse(r, m.code, m.reason+" (stub "+m.refusedBy+" answers "+r.Method+" "+r.URL.Path+")")
		a.Forbidden(w, r, m.reason)
	default:
		site.RefuseNoStub(r, "no stub of "+a.Site+" answers "+r.Method+" "+r.URL.Path,
			a.Stubs.nearMisses(a.Site, r.Method, r.URL.Path, &tok))
		if a.MethodNotAllowed != nil {
			if allow := a.Stubs.allowed(a.Site, r.URL.Path); allow != "" {
				a.MethodNotAllowed(w, r, allow)
				return
			}
		}
		a.NotFound(w, r)
	}
}
