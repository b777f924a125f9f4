package fakeidp

import (
	"net"
	"net/http"
	"strings"
	"sync"

	"github.com/gorilla/mux"

	"github.com/fakeidp/fakeidp/fakeidp/fault"
	"github.com/fakeidp/fakeidp/fakeidp/internal/hostport"
	"github.com/fakeidp/fakeidp/fakeidp/reqinfo"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// siteRoute is one site: its own gorilla/mux router, on which the provider
// mounts its paths once, wrapped in the journal and the fault rules.
type siteRoute struct {
	site site.Site
	lazyHandler
}

// lazyHandler builds its handler on first use. Compiling gorilla/mux's
// route regexps is most of what building a server costs, and a test that
// never calls a site (or the control API) need not pay for it.
type lazyHandler struct {
	once    sync.Once
	build   func() http.Handler
	handler http.Handler
}

func (l *lazyHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	l.once.Do(func() { l.handler = l.build() })
	l.handler.ServeHTTP(w, r)
}

// front is the server's front door. It picks the site by Host header (a
// real host name) or by path prefix with two map and prefix look-ups, so
// that each site's routes are registered once rather than once per host
// name, and no request pays for a chain of host matchers.
type front struct {
	s        *Server
	hosts    map[string]*siteRoute // lower-case host name, no port
	prefixed []*siteRoute
	control  *lazyHandler
}

// routes builds the front door; each site's router and the control API are
// built on their first request.
func (s *Server) routes() http.Handler {
	f := &front{s: s, hosts: map[string]*siteRoute{}}
	for _, st := range site.All {
		p, ok := s.sites[st.Name]
		if !ok {
			continue
		}
		sr := &siteRoute{site: st}
		sr.build = func() http.Handler { return s.siteHandler(p) }
		for _, host := range append(st.Hosts, s.env.Config.Sites[st.Name].Hosts...) {
			f.hosts[strings.ToLower(host)] = sr
		}
		f.prefixed = append(f.prefixed, sr)
	}
	f.control = &lazyHandler{build: s.controlHandler}
	return f
}

// siteHandler is one site's router. reqinfo reads the request's fields once
// for the journal and the fault rules, which run in that order so that
// injected faults are journalled too.
func (s *Server) siteHandler(p provider) http.Handler {
	r := mux.NewRouter()
	r.SkipClean(true)
	p.Mount(r)
	render, _ := p.(fault.ErrorRenderer)
	h := s.faults.Middleware(render, s.stop)(dispatch{r})
	h = explain(s.env.Log, s.env.Config.Server.ExplainHeader)(h)
	h = s.journal.Middleware()(h)
	h = reqinfo.Middleware(s.env.Config.Server.MaxBodyBytes)(h)
	if c, ok := p.(compressor); ok {
		h = c.Compress(h)
	}
	return h
}

// compressor is a provider whose real host compresses its answers when the
// client accepts it (Kontur's identity server, seed 002). It wraps the
// site's whole handler.
type compressor interface {
	Compress(http.Handler) http.Handler
}

// dispatch serves a request through a gorilla/mux router as
// Router.ServeHTTP does (same matching, 405 and 404), but without its two
// copies of the request on every call, one for the route variables and
// one for the matched route: here the request is copied only when the
// route has variables, and the route is not recorded, as no handler asks
// for it (mux.CurrentRoute). Site routers SkipClean, so mux's
// path-cleaning redirect has no part here either.
type dispatch struct{ router *mux.Router }

func (d dispatch) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var m mux.RouteMatch
	if d.router.Match(r, &m) && m.Handler != nil {
		if len(m.Vars) > 0 {
			r = mux.SetURLVars(r, m.Vars)
		}
		m.Handler.ServeHTTP(w, r)
		return
	}
	if m.MatchErr == mux.ErrMethodMismatch {
		site.Refuse(r, "method_not_allowed", r.Method+" is not allowed on "+r.URL.Path)
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	site.Refuse(r, "not_found", "the site has no path "+r.URL.Path)
	http.NotFound(w, r)
}

// controlHandler is the control API's router, behind its guard.
func (s *Server) controlHandler() http.Handler {
	root := mux.NewRouter()
	control := root.PathPrefix("/_fakeidp").Subrouter()
	s.mountControl(control)
	s.faults.MountControl(control)
	s.journal.MountControl(control)
	s.stubs.MountControl(control)
	s.mountDashboard(control)
	for _, st := range site.All {
		if cm, ok := s.sites[st.Name].(controlMounter); ok {
			cm.MountControl(control)
		}
	}
	// The CA certificate is public, outside the guard: clients fetch it
	// before they can trust anything, containers by a service name the
	// guard does not know, and it tells nothing a page could misuse.
	public := mux.NewRouter()
	public.HandleFunc("/_fakeidp/ca.pem", s.caPEM).Methods(http.MethodGet, http.MethodHead)
	// The index is at /_fakeidp/; a redirect tells nothing either.
	public.HandleFunc("/_fakeidp", toIndex).Methods(http.MethodGet, http.MethodHead)
	public.NotFoundHandler = s.controlGuard(root)
	return public
}

// toIndex sends /_fakeidp to /_fakeidp/ by a relative Location, which
// stays right in a sandbox (/sandbox/{id}/_fakeidp), whose path the
// handler does not see.
func toIndex(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Location", "_fakeidp/")
	w.WriteHeader(http.StatusMovedPermanently)
}

func (f *front) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// net/http lets through Host values such as
	// "identity.testkontur.ru:%2F%2Fevil". A site reached by host name
	// builds its issuer and every URL from the Host, so refuse what is
	// not host[:port] before any site, or the control API, sees it.
	if !hostport.Valid(r.Host) {
		w.Header().Set("Connection", "close")
		http.Error(w, "400 Bad Request: malformed Host header", http.StatusBadRequest)
		return
	}
	if sr := f.hosts[hostName(r.Host)]; sr != nil {
		// The site's own prefix is accepted under its host name too.
		prefix := ""
		if below(r.URL.Path, sr.site.Prefix) {
			prefix = sr.site.Prefix
		}
		f.s.serveSite(sr, w, r, prefix, true)
		return
	}
	for _, sr := range f.prefixed {
		if below(r.URL.Path, sr.site.Prefix) {
			f.s.serveSite(sr, w, r, sr.site.Prefix, false)
			return
		}
	}
	if below(r.URL.Path, "/_fakeidp") {
		f.control.ServeHTTP(w, r)
		return
	}
	if r.URL.Path == "/" {
		f.s.landing(w, r)
		return
	}
	http.NotFound(w, r)
}

// below reports whether path is prefix itself or lies under it.
func below(path, prefix string) bool {
	return strings.HasPrefix(path, prefix) && (len(path) == len(prefix) || path[len(prefix)] == '/')
}

// hostName is the Host header without its port, in lower case.
func hostName(hostport string) string {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	return strings.ToLower(host) // no copy when it is lower case already
}

// serveSite wraps every request to a site: it recovers from panics, makes
// the Date header follow the server's clock, caps the body size, records
// the site and the base URL the request reached, and hands the site the
// path below its prefix.
func (s *Server) serveSite(sr *siteRoute, w http.ResponseWriter, r *http.Request, prefix string, byHost bool) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.env.Log.Error("panic in handler", "site", sr.site.Name, "path", r.URL.Path, "panic", v)
			http.Error(w, `{"error":"server_error"}`, http.StatusInternalServerError)
		}
	}()
	// The slice is shared: net/http only reads header values, and a
	// handler that sets Date replaces the slice rather than writing to it.
	w.Header()["Date"] = s.date().header[:1:1]
	r.Body = http.MaxBytesReader(w, r.Body, s.env.Config.Server.MaxBodyBytes)
	r = site.WithBase(r, sr.site.Name, s.siteBase(sr.site, r, byHost))
	if prefix != "" {
		// WithBase made r a copy; give it its own URL below the prefix.
		u := *r.URL
		u.Path = u.Path[len(prefix):]
		if u.Path == "" {
			u.Path = "/"
		}
		if strings.HasPrefix(u.RawPath, prefix) {
			u.RawPath = u.RawPath[len(prefix):]
		} else {
			u.RawPath = ""
		}
		r.URL = &u
	}
	sr.ServeHTTP(w, r)
}
