// Package route is how the providers and the control API's packages
// declare their paths, so that a host compiles them once and each
// instance (the root, every sandbox) keeps only its handlers.
//
// A package mounts its routes on a Router. The host mounts the root
// instance's routes once on a Compiler, a gorilla/mux router whose every
// route stands for its position (Index); each instance mounts its own on
// a Table, which only lists the handlers. Dispatch matches a request with
// the host's router and calls the instance's handler at that position:
// the regexps of a site's routes exist once per host, however many
// sandboxes it holds. Mount functions must therefore register the same
// routes in the same order every time (no map iteration).
//
// It imports no other fakeidp package.
package route

import (
	"net/http"

	"github.com/gorilla/mux"
)

// Router is what routes are mounted on. methods restrict a route to
// those methods; none means any.
type Router interface {
	HandleFunc(path string, f func(http.ResponseWriter, *http.Request), methods ...string)
	Handle(path string, h http.Handler, methods ...string)
	// Prefix serves every path below prefix (prefix itself included).
	Prefix(prefix string, h http.Handler, methods ...string)
}

// Mux mounts routes on a gorilla/mux router as they are, for a package's
// own tests and for a router used by one instance alone.
type Mux struct{ R *mux.Router }

func (m Mux) HandleFunc(path string, f func(http.ResponseWriter, *http.Request), methods ...string) {
	m.Handle(path, http.HandlerFunc(f), methods...)
}

func (m Mux) Handle(path string, h http.Handler, methods ...string) {
	restrict(m.R.Handle(path, h), methods)
}

func (m Mux) Prefix(prefix string, h http.Handler, methods ...string) {
	restrict(m.R.PathPrefix(prefix).Handler(h), methods)
}

func restrict(r *mux.Route, methods []string) {
	if len(methods) > 0 {
		r.Methods(methods...)
	}
}

// Index is the handler a Compiler gives its n-th route: it stands for the
// handler at that position in each instance's Table.
type Index int

// ServeHTTP is never called: Dispatch looks the Index up instead.
func (Index) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	w.WriteHeader(http.StatusInternalServerError)
}

// Compiler mounts routes on a gorilla/mux router, each standing for its
// position.
type Compiler struct {
	R *mux.Router
	n int
}

func (c *Compiler) HandleFunc(path string, _ func(http.ResponseWriter, *http.Request), methods ...string) {
	c.Handle(path, nil, methods...)
}

func (c *Compiler) Handle(path string, _ http.Handler, methods ...string) {
	Mux{c.R}.Handle(path, c.next(), methods...)
}

func (c *Compiler) Prefix(prefix string, _ http.Handler, methods ...string) {
	Mux{c.R}.Prefix(prefix, c.next(), methods...)
}

func (c *Compiler) next() Index {
	c.n++
	return Index(c.n - 1)
}

// Table lists an instance's handlers in the order they were mounted.
type Table []http.Handler

func (t *Table) HandleFunc(_ string, f func(http.ResponseWriter, *http.Request), _ ...string) {
	*t = append(*t, http.HandlerFunc(f))
}

func (t *Table) Handle(_ string, h http.Handler, _ ...string) { *t = append(*t, h) }

func (t *Table) Prefix(_ string, h http.Handler, _ ...string) { *t = append(*t, h) }

// Dispatch serves a request through a host's compiled router and an
// instance's table, as mux.Router.ServeHTTP would (same matching, 405 and
// 404, and the router's NotFoundHandler when it has one), but without
// its two copies of the request on every call, one for the route
// variables and one for the matched route: here the request is copied
// only when the route has variables, and the route is not recorded, as
// no handler asks for it (mux.CurrentRoute). Nor does it clean the path:
// whoever strips a prefix from the path knows where a redirect must go.
type Dispatch struct {
	Router  func() *mux.Router
	Handler Table
	// Refuse, when set, records why a request matched no route (a
	// method the path does not take, a path the site has not), at the
	// place that refuses it.
	Refuse func(r *http.Request, code, message string)
}

func (d Dispatch) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var m mux.RouteMatch
	if d.Router().Match(r, &m) && m.Handler != nil {
		if len(m.Vars) > 0 {
			r = mux.SetURLVars(r, m.Vars)
		}
		if i, ok := m.Handler.(Index); ok {
			d.Handler[i].ServeHTTP(w, r)
			return
		}
		m.Handler.ServeHTTP(w, r)
		return
	}
	if m.MatchErr == mux.ErrMethodMismatch {
		d.refuse(r, "method_not_allowed", r.Method+" is not allowed on "+r.URL.Path)
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	d.refuse(r, "not_found", "the site has no path "+r.URL.Path)
	http.NotFound(w, r)
}

func (d Dispatch) refuse(r *http.Request, code, message string) {
	if d.Refuse != nil {
		d.Refuse(r, code, message)
	}
}

// RelativeRedirect answers status with a Location relative to the path
// the client asked for. Handlers see the path below an instance's mount
// (a sandbox's /sandbox/{id}), so http.Redirect, which resolves against
// that path, would send a sandbox's client to the root's page.
func RelativeRedirect(w http.ResponseWriter, location string, status int) {
	w.Header().Set("Location", location)
	w.WriteHeader(status)
}
