package fakeidp

import (
	"net/http"

	"github.com/fakeidp/fakeidp/fakeidp/site"
	"github.com/fakeidp/fakeidp/fakeidp/ui"
)

// docsURL is where the README and docs/ are read.
const docsURL = "https://github.com/fakeidp/fakeidp#readme"

// landing serves GET / on the listener's own address: a page for a
// browser that says what this is and where to go. It is not the control
// API and shows nothing the fixtures and the listener do not fix. It
// answers only to the names the control API answers to, so a page that
// rebinds its own name to this server gets the 404 it got before.
func (s *Instance) landing(w http.ResponseWriter, r *http.Request) {
	if !s.host.hosts.allowed(r.Host) {
		http.NotFound(w, r)
		return
	}
	l := ui.Landing{Sites: s.dashboardSites(), Docs: docsURL}
	l.Discovery = s.SiteURL(site.Kontur.Name) + "/.well-known/openid-configuration"
	ui.ServeLanding(w, r, l, s.env.Log)
}
