package fakeidp

import (
	"net/http"
	"slices"
	"strings"

	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// konturIssuer reports whether iss is the issuer this server's Kontur
// identity site gives a client that reaches it the way r reached a Kontur
// API site: the Authority a real API is configured with, whose issuer
// ASP.NET's JwtBearer compares ordinally. By prefix that is the identity
// site's base for r (a sandbox's own /sandbox/{id}/kontur, never the
// root's); by host name, one of the identity site's host names with r's
// scheme and port; a configured public URL first in both. A token issued
// by prefix and used by host name (or the other way round) names another
// issuer and is refused, as the real API would refuse it.
func (s *Instance) konturIssuer(r *http.Request, iss string) bool {
	api, _ := site.ByName(site.Name(r))
	if !s.anyHost(api, func(h string) bool { return strings.EqualFold(h, hostName(r.Host)) }) {
		return iss == s.siteBase(konturSite, r, false)
	}
	if pub := s.publicURL(konturSite, r.TLS != nil); pub != "" {
		return iss == pub
	}
	// HostBase is scheme://host[:port], the default port left out.
	scheme, hostport, _ := strings.Cut(site.HostBase(r), "://")
	port := ""
	if i := strings.LastIndexByte(hostport, ':'); i >= 0 {
		port = hostport[i:]
	}
	return s.anyHost(site.Kontur, func(h string) bool { return strings.EqualFold(iss, scheme+"://"+h+port) })
}

// anyHost reports whether f holds for one of the host names st answers
// to: its own or the fixtures' sites.<name>.hosts.
func (s *Instance) anyHost(st site.Site, f func(host string) bool) bool {
	return slices.ContainsFunc(st.Hosts, f) || slices.ContainsFunc(s.env.Config.Sites[st.Name].Hosts, f)
}
