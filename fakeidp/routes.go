package fakeidp

import (
	"net"
	"net/http"
	"path"
	"strings"

	"github.com/fakeidp/fakeidp/fakeidp/internal/hostport"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// ServeHTTP is the host's front door. It checks the Host header, then
// finds the request's instance, once: a sandbox named by the path
// (/sandbox/{id}/…) or by the Fakeidp-Sandbox header, else the root. The
// registry's own endpoints, /_fakeidp/sandboxes…, are the host's: they
// name their sandbox in the path.
func (h *host) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	// net/http lets through Host values such as
	// "identity.testkontur.ru:%2F%2Fevil". A site builds its issuer and
	// every URL from the Host, so refuse what is not host[:port] before
	// any site, or the control API, sees it.
	if !hostport.Valid(r.Host) {
		w.Header().Set("Connection", "close")
		http.Error(w, "400 Bad Request: malformed Host header", http.StatusBadRequest)
		return
	}
	p := r.URL.Path
	switch {
	case below(p, strings.TrimSuffix(SandboxPrefix, "/")):
		h.sandboxes.servePath(w, r)
	case below(p, "/_fakeidp/sandboxes"):
		h.serveControl(w, r, "", h.sandboxes.control)
	default:
		if ids, ok := r.Header[SandboxHeader]; ok {
			h.sandboxes.serveHeader(w, r, ids)
			return
		}
		h.root.serve(w, r)
	}
}

// serve serves a request whose path is below the instance's mount: a
// site by Host header (a real host name) or by path prefix, with map
// and prefix look-ups, so that no request pays for a chain of host
// matchers; else the control API.
func (in *Instance) serve(w http.ResponseWriter, r *http.Request) {
	h := in.host
	if i, ok := h.byHost[hostName(r.Host)]; ok {
		// The site's own prefix is accepted under its host name too.
		prefix := ""
		if below(r.URL.Path, site.All[i].Prefix) {
			prefix = site.All[i].Prefix
		}
		in.serveSite(i, w, r, prefix, true)
		return
	}
	for i, st := range site.All {
		if below(r.URL.Path, st.Prefix) {
			in.serveSite(i, w, r, st.Prefix, false)
			return
		}
	}
	if below(r.URL.Path, "/_fakeidp") {
		h.serveControl(w, r, in.mount, in.control)
		return
	}
	if r.URL.Path == "/" {
		in.landing(w, r)
		return
	}
	http.NotFound(w, r)
}

// serveControl serves the control API of an instance, or the registry.
// The CA certificate is public, outside the guard: clients fetch it
// before they can trust anything, containers by a service name the guard
// does not know, and it tells nothing a page could misuse; nor does
// /_fakeidp, which redirects to the index. A path that is
// not clean ("//", "/./") is redirected to its clean form under the
// instance's own mount, as gorilla/mux would redirect it to the root's.
func (h *host) serveControl(w http.ResponseWriter, r *http.Request, mount string, control http.Handler) {
	p := r.URL.Path
	if clean := cleanPath(p); clean != p {
		u := *r.URL
		u.Path, u.RawPath = mount+clean, ""
		w.Header().Set("Location", u.RequestURI())
		w.WriteHeader(http.StatusMovedPermanently)
		return
	}
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		switch p {
		case "/_fakeidp/ca.pem":
			h.caPEM(w, r)
			return
		case "/_fakeidp":
			// The index is at /_fakeidp/; a redirect tells nothing either.
			toIndex(w, r)
			return
		}
	}
	control.ServeHTTP(w, r)
}

// toIndex sends /_fakeidp to /_fakeidp/ by a relative Location, which
// stays right in a sandbox (/sandbox/{id}/_fakeidp), whose path the
// handler does not see.
func toIndex(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Location", "_fakeidp/")
	w.WriteHeader(http.StatusMovedPermanently)
}

// cleanPath is path.Clean keeping a trailing slash, as gorilla/mux
// cleans.
func cleanPath(p string) string {
	if p == "" {
		return "/"
	}
	if p[0] != '/' {
		p = "/" + p
	}
	np := path.Clean(p)
	if p[len(p)-1] == '/' && np != "/" {
		np += "/"
	}
	return np
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
// the Date header follow the instance's clock, caps the body size,
// records the site and the base URL the request reached, and hands the
// site the path below its prefix.
func (in *Instance) serveSite(i int, w http.ResponseWriter, r *http.Request, prefix string, byHost bool) {
	st := site.All[i]
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			in.env.Log.Error("panic in handler", "site", st.Name, "path", r.URL.Path, "panic", v)
			http.Error(w, `{"error":"server_error"}`, http.StatusInternalServerError)
		}
	}()
	// The slice is shared: net/http only reads header values, and a
	// handler that sets Date replaces the slice rather than writing to it.
	w.Header()["Date"] = in.date().header[:1:1]
	r.Body = http.MaxBytesReader(w, r.Body, in.env.Config.Server.MaxBodyBytes)
	r = site.WithBase(r, st.Name, in.siteBase(i, r, byHost))
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
	in.siteHandlers[i].ServeHTTP(w, r)
}
