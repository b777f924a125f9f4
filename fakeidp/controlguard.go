package fakeidp

import (
	"context"
	"crypto/subtle"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"sync/atomic"

	"github.com/fakeidp/fakeidp/fakeidp/internal/hostport"
	"github.com/fakeidp/fakeidp/fakeidp/oauth"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// The control API's guard is the one place that decides whether a request
// may reach /_fakeidp/. The attacker it plans for is the developer's own
// browser: any page it opens may send "simple" cross-site requests (form
// posts, text/plain fetches) to 127.0.0.1, and a page on a name the
// attacker controls may rebind that name to 127.0.0.1 and then read what
// the fake answers. The checks are webpack-dev-server's since
// CVE-2018-14732, and run in this order:
//
//  1. Host: only names that cannot be rebound (403).
//  2. Origin: absent or the server's own (403).
//  3. Credentials: the control token, when one is set (401), as a Bearer
//     header or as the dashboard's session cookie; with the cookie, every
//     call but GET, HEAD and OPTIONS also needs the CSRF header (403). The
//     dashboard's page, assets and sign-in need none.
//  4. Content-Type: application/json on every call that changes state (415).

// cabinetPage is livedigital's cabinet page, the one control page besides
// the dashboard that a person opens in a browser.
const cabinetPage = "/_fakeidp/livedigital/"

// controlGuard wraps the whole control API, its 404s and 405s included.
func (s *host) controlGuard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		status, msg, sess := s.admitControl(r)
		if status != 0 {
			if status == http.StatusUnauthorized && r.Method == http.MethodGet && r.URL.Path == cabinetPage {
				// A person opening the cabinet without the cookie: the
				// sign-in page, which comes back here. Relative, so that
				// it stays in a sandbox's path.
				w.Header().Set("Location", "../ui?next=livedigital/")
				w.WriteHeader(http.StatusSeeOther)
				return
			}
			if status == http.StatusUnauthorized {
				w.Header().Set("WWW-Authenticate", `Bearer realm="fakeidp control API"`)
			}
			writeControlError(w, status, msg)
			return
		}
		if sess != nil {
			// Signing out ends what the session opened and is still
			// running, a journal stream above all.
			ctx, cancel := context.WithCancel(r.Context())
			defer cancel()
			stop := context.AfterFunc(sess.ctx, cancel)
			defer stop()
			r = r.WithContext(ctx)
		}
		next.ServeHTTP(w, r)
	})
}

// admitControl returns 0 for a request that may proceed, with the
// dashboard session that authorised it (nil for a token or no guard),
// else the status and message to refuse it with.
func (s *host) admitControl(r *http.Request) (int, string, *session) {
	// DNS rebinding: a page on attacker.example whose name now resolves
	// to 127.0.0.1 is same-origin with its own answers, so it could read
	// the cabinet's secrets and the journal. Its requests still carry
	// Host: attacker.example, a name this server was never told of.
	if !s.hosts.allowed(r.Host) {
		return http.StatusForbidden, "Host " + truncate(r.Host, 80) + " is not this fakeidp's: use localhost, a loopback IP or the listen address, or add the name to server.public_names (--public-name)", nil
	}
	// Another page's requests carry its Origin. Same-origin fetches carry
	// this server's own; curl and test code send none.
	if origins, ok := r.Header["Origin"]; ok && (len(origins) != 1 || !sameOrigin(origins[0], r)) {
		return http.StatusForbidden, "the control API refuses requests from other web pages (Origin " + truncate(strings.Join(origins, ", "), 80) + ")", nil
	}
	ok, byCookie, sess := s.controlCredentials(r)
	if !ok && !openControl(r) {
		return http.StatusUnauthorized, "the control API needs Authorization: Bearer <control token> (in a browser: sign in at /_fakeidp/ui)", nil
	}
	// SameSite=Strict keeps the cookie from other sites, but not from
	// another port of localhost, which is the same site: the header is
	// what such a page cannot send.
	if byCookie && !safeMethod(r) && r.Header.Get(csrfHeader) == "" {
		return http.StatusForbidden, "a call with the dashboard's cookie needs the " + csrfHeader + " header: other web pages cannot drive the control API", nil
	}
	// A cross-site page can send a form or text/plain body without asking
	// (a CORS "simple request"); application/json it can send only after
	// a preflight, which this server never grants.
	if changesState(r) && oauth.MediaType(r) != "application/json" {
		return http.StatusUnsupportedMediaType, "control calls that change state need Content-Type: application/json", nil
	}
	return 0, "", sess
}

// controlAuthorized checks the control token, when one is set. Compared in
// constant time: the token guards the whole fake.
func (s *host) controlAuthorized(r *http.Request) bool {
	if s.controlToken == "" {
		return true
	}
	tok, _ := oauth.BearerToken(r)
	return subtle.ConstantTimeCompare([]byte(tok), []byte(s.controlToken)) == 1
}

// changesState: POST, PUT and PATCH always; DELETE when it carries a body
// type other than JSON, as a DELETE with a body is meant for something.
// GET, HEAD and OPTIONS change nothing.
func changesState(r *http.Request) bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	case http.MethodDelete:
		return r.Header.Get("Content-Type") != ""
	}
	return true
}

// sameOrigin reports whether origin is the origin r was addressed to: its
// scheme and Host. "null" (sandboxed frames, file: pages, some redirects)
// is nobody's own origin.
func sameOrigin(origin string, r *http.Request) bool {
	o, err := url.Parse(origin)
	if err != nil || o.Host == "" || o.Path != "" || o.RawQuery != "" || o.User != nil {
		return false
	}
	own, err := url.Parse(site.HostBase(r))
	if err != nil {
		return false
	}
	return strings.EqualFold(o.Scheme, own.Scheme) &&
		strings.EqualFold(o.Hostname(), own.Hostname()) &&
		portOrDefault(o) == portOrDefault(own)
}

func portOrDefault(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if strings.EqualFold(u.Scheme, "https") {
		return "443"
	}
	return "80"
}

// controlHosts are the names the control API answers to.
type controlHosts struct {
	// names are configured public names and the hosts of the sites'
	// public URLs, in lower case.
	names map[string]bool
	// listen is the listeners' IPs (HTTP and HTTPS); any IP when one
	// listens on every interface, where each of the machine's addresses
	// is its address.
	listen atomic.Pointer[[]netip.Addr]
}

func newControlHosts(names []string, publicURLs []string) *controlHosts {
	h := &controlHosts{names: map[string]bool{}}
	for _, n := range names {
		h.names[strings.ToLower(n)] = true
	}
	for _, u := range publicURLs {
		if pu, err := url.Parse(u); err == nil && pu.Hostname() != "" {
			h.names[strings.ToLower(pu.Hostname())] = true
		}
	}
	return h
}

// setListener adds a listener's address. Listeners are few and added at
// start, so a copy per addition is cheap and keeps reads lock-free.
func (h *controlHosts) setListener(a net.Addr) {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return
	}
	ip, ok := netip.AddrFromSlice(tcp.IP)
	if !ok {
		return
	}
	for {
		old := h.listen.Load()
		var ips []netip.Addr
		if old != nil {
			ips = slices.Clone(*old)
		}
		ips = append(ips, ip.Unmap())
		if h.listen.CompareAndSwap(old, &ips) {
			return
		}
	}
}

// allowed: localhost, a loopback IP, the listen address or a configured
// name. The port is not checked: port mappings (docker's, a proxy's)
// change it, and a rebinding attack is in the name.
func (h *controlHosts) allowed(hostPort string) bool {
	if !hostport.Valid(hostPort) || hostPort == "" {
		return false
	}
	name := hostport.Name(hostPort)
	if name == "localhost" || h.names[name] {
		return true
	}
	ip, err := netip.ParseAddr(name)
	if err != nil {
		return false
	}
	ip = ip.Unmap()
	if ip.IsLoopback() {
		return true
	}
	// An IP literal cannot be rebound: only a name can.
	listen := h.listen.Load()
	return listen != nil && slices.ContainsFunc(*listen, func(l netip.Addr) bool { return l.IsUnspecified() || l == ip })
}
