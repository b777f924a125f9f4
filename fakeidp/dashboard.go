package fakeidp

import (
	"crypto/subtle"
	"net"
	"net/http"
	"net/url"
	"strings"

	"github.com/fakeidp/fakeidp/fakeidp/fault"
	"github.com/fakeidp/fakeidp/fakeidp/internal/route"
	"github.com/fakeidp/fakeidp/fakeidp/site"
	"github.com/fakeidp/fakeidp/fakeidp/ui"
)

// The dashboard (package ui) is mounted on the control API. Under a
// control token, a browser cannot send the Bearer header, so the page asks
// for the token once and the server sets a session cookie that the
// control guard accepts in its place.
const (
	// sessionCookie holds a random value per sign-in (dashboardSessions):
	// HttpOnly, so no script reads it; SameSite=Strict, so no other
	// site's page sends it. Sites never read it, and the journal redacts
	// it as any Cookie.
	sessionCookie = "fakeidp_control"
	// csrfHeader must accompany every state-changing call that a cookie
	// authorises. Only same-origin script can send a custom header here:
	// another origin would need a CORS preflight, never granted.
	csrfHeader = "X-Fakeidp-Csrf"
)

// mountDashboard adds the page, its assets and the session endpoints:
//
//	POST   /ui/session  {"token":"…"}: 204 and the session cookie; 403 for a wrong token
//	DELETE /ui/session  204, the cookie removed and its session ended for good
func (s *Instance) mountDashboard(r route.Router) {
	d := &ui.Dashboard{Page: s.dashboardPage, Log: s.env.Log}
	d.Mount(r)
	r.HandleFunc("/ui/session", s.host.signIn, http.MethodPost)
	r.HandleFunc("/ui/session", s.host.signOut, http.MethodDelete)
}

// controlCredentials reports whether r may use the control API, whether
// it came with a session cookie (live or not), and the live dashboard
// session that authorised it, if that is what did.
func (s *host) controlCredentials(r *http.Request) (ok, byCookie bool, sess *session) {
	if s.controlToken == "" {
		return true, false, nil
	}
	if _, has := r.Header["Authorization"]; has {
		return s.controlAuthorized(r), false, nil
	}
	c, err := r.Cookie(sessionCookie)
	if err != nil {
		return false, false, nil
	}
	sess = s.sessions.find(c.Value)
	return sess != nil, true, sess
}

// openControl: what a browser needs before it has the cookie, the page
// (which then asks for the token), its assets and the sign-in itself.
// They show nothing of the server's state.
func openControl(r *http.Request) bool {
	p := r.URL.Path
	switch r.Method {
	case http.MethodGet, http.MethodHead:
		return p == "/_fakeidp/ui" || strings.HasPrefix(p, "/_fakeidp/ui/assets/")
	case http.MethodPost:
		return p == "/_fakeidp/ui/session"
	}
	return false
}

// safeMethod: a call that changes nothing, which needs no CSRF defence.
func safeMethod(r *http.Request) bool {
	return r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions
}

func (s *host) signIn(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Token string `json:"token"`
	}
	if !decodeControl(w, r, &req) {
		return
	}
	if s.controlToken == "" {
		writeControlError(w, http.StatusBadRequest, "this fakeidp has no control token: the dashboard needs no sign-in")
		return
	}
	// 403, not 401: the page reloads on 401, and this answer is for the
	// sign-in form to show.
	if subtle.ConstantTimeCompare([]byte(req.Token), []byte(s.controlToken)) != 1 {
		writeControlError(w, http.StatusForbidden, "that is not this fakeidp's control token")
		return
	}
	value, err := s.sessions.open()
	if err != nil {
		s.log.Error("dashboard sign-in", "err", err)
		writeControlError(w, http.StatusInternalServerError, "no random source for a session")
		return
	}
	http.SetCookie(w, s.cookie(r, value, 0))
	w.WriteHeader(http.StatusNoContent)
}

// signOut ends the cookie's session on the server, not only in this
// browser: a copy of the cookie is worth nothing after.
func (s *host) signOut(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		s.sessions.end(c.Value)
	}
	http.SetCookie(w, s.cookie(r, "", -1))
	w.WriteHeader(http.StatusNoContent)
}

// cookie is the session cookie. Its path is "/", as sandboxes' control
// APIs (and their dashboards) live under /sandbox/{id}/_fakeidp. It lasts
// the browser session (maxAge 0) and is Secure when the page came by https.
func (s *host) cookie(r *http.Request, value string, maxAge int) *http.Cookie {
	return &http.Cookie{
		Name: sessionCookie, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, SameSite: http.SameSiteStrictMode,
		Secure: strings.HasPrefix(site.HostBase(r), "https:"),
	}
}

// dashboardPage gathers what the dashboard shows; only the sign-in form
// until the request is authorised.
func (s *Instance) dashboardPage(r *http.Request) ui.Page {
	if ok, _, _ := s.host.controlCredentials(r); !ok {
		return ui.Page{SignIn: true}
	}
	p := ui.Page{
		TokenSet:   s.host.controlToken != "",
		Sites:      s.dashboardSites(),
		FaultTypes: fault.EffectTypes(),
		Panels:     map[string]bool{"stubs": true, "sandboxes": s.id == ""},
		Sandbox:    s.id,
	}
	for _, info := range s.Presets() {
		p.Presets = append(p.Presets, ui.Preset{Name: info.Name, Description: info.Description, Toggle: info.Rules > 0})
	}
	return p
}

// dashboardSites lists each site's URLs: by prefix on the listener (or its
// configured public URL), and by each real host name on the listener's
// port, which reach it wherever the name resolves to this server; the
// same over https when the HTTPS listener is up.
func (s *Instance) dashboardSites() []ui.Site {
	var out []ui.Site
	for _, st := range site.All {
		base := s.SiteURL(st.Name)
		v := ui.Site{Name: st.Name, URLs: []ui.SiteURL{{How: "by prefix", URL: base}}}
		if s.env.Config.Sites[st.Name].PublicURL != "" {
			v.URLs[0].How = "public URL"
		}
		if st.Discovery {
			v.Issuer = base
		}
		note := s.hostNote()
		v.URLs = append(v.URLs, hostURLs(st, s.URL(), nil, note)...)
		if tls := s.TLSSiteURL(st.Name); tls != "" {
			v.URLs = append(v.URLs, ui.SiteURL{How: "https by prefix", URL: tls})
			v.URLs = append(v.URLs, hostURLs(st, s.TLSURL(), s.host.certCovers, note)...)
		}
		out = append(out, v)
	}
	return out
}

// hostNote says what a URL by host name needs: the name must lead here,
// and a sandbox is named by a header, as its path prefix is not there.
func (s *Instance) hostNote() string {
	note := "needs DNS (e.g. /etc/hosts) or a Host header naming it"
	if s.id != "" {
		note += ", and " + SandboxHeader + ": " + s.id
	}
	return note
}

// hostURLs are a site's real host names on the port (and scheme) of a
// listener's base URL, each with note; only those covered, when covered
// is given.
func hostURLs(st site.Site, listener string, covered func(host string) bool, note string) []ui.SiteURL {
	u, err := url.Parse(listener)
	if err != nil {
		return nil
	}
	how := "by host name"
	if u.Scheme == "https" {
		how = "https by host name"
	}
	var out []ui.SiteURL
	for _, h := range st.Hosts {
		if covered != nil && !covered(h) {
			continue
		}
		if p := u.Port(); p != "" && p != "80" && p != "443" {
			h = net.JoinHostPort(h, p)
		}
		out = append(out, ui.SiteURL{How: how, URL: u.Scheme + "://" + h, Note: note})
	}
	return out
}
