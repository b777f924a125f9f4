// Package site names the emulated hosts and carries what every provider
// package needs from the composition root: the clock, the random source,
// the keys, the limits and the logger (Env), and the base URL a request
// reached its site by.
//
// Provider packages depend on site; site depends on no provider.
package site

import (
	"context"
	"log/slog"
	"net/http"
	"slices"
	"strings"

	"github.com/fakeidp/fakeidp/fakeidp/clock"
	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/keys"
	"github.com/fakeidp/fakeidp/fakeidp/oauth"
)

// Site is one emulated host: served under Prefix, and under each of Hosts
// through the Host header. This table is the one list of sites: the
// router, the stub sites, the TLS names, the dashboard, the fault rules'
// and the scenarios' site names all read it (config, which this package
// imports, keeps a copy of the names that a test holds to it).
type Site struct {
	Name   string
	Prefix string
	Hosts  []string
	// Production are the names among Hosts that only the provider's
	// production service has (its test stand has another). They route
	// like the others, but the HTTPS certificate and its CA leave them
	// out unless --tls-host names one: a machine that trusts a leaked
	// test CA must not be shown a fake production Kontur.
	Production []string
	// Provider is the provider package that serves the site.
	Provider string
	// API: an API site behind the provider's tokens, whose answers are
	// stubs; Scoped: its tokens carry scopes that a stub may require.
	API, Scoped bool
	// Discovery: the site publishes OpenID discovery, whose issuer
	// clients check.
	Discovery bool
}

// The sites, as fixed by the project's interface.
var (
	Kontur = Site{Name: "kontur", Prefix: "/kontur", Provider: "kontur", Discovery: true,
		Hosts: []string{"identity.testkontur.ru", "identity.kontur.ru"}, Production: []string{"identity.kontur.ru"}}
	DoktornaraboteAPI = Site{Name: "doktornarabote-api", Prefix: "/doktornarabote-api", Provider: "doktornarabote", API: true,
		Hosts: []string{"testapipartner.doktornarabote.ru"}}
	DoktornaraboteAuth = Site{Name: "doktornarabote-auth", Prefix: "/doktornarabote-auth", Provider: "doktornarabote",
		Hosts: []string{"testauthpartner.doktornarabote.ru"}}
	// Livedigital's API has one host name, for tests and production alike.
	Livedigital = Site{Name: "livedigital", Prefix: "/livedigital", Provider: "livedigital", API: true,
		Hosts: []string{"moodhood-api.livedigital.space"}}
	// MediAPI is Kontur.Strakhovanie's API (seed 000), behind Kontur tokens.
	MediAPI = Site{Name: "medi-api", Prefix: "/medi-api", Provider: "kontur", API: true, Scoped: true,
		Hosts: []string{"medi-api.testkontur.ru", "medi-api.kontur.ru"}, Production: []string{"medi-api.kontur.ru"}}
	// ExternAPI is the Kontur.Extern API (seeds 001, 002); its host name is
	// INFER, and fixtures may add others (sites.extern-api.hosts).
	ExternAPI = Site{Name: "extern-api", Prefix: "/extern-api", Provider: "kontur", API: true, Scoped: true,
		Hosts: []string{"extern-api.testkontur.ru"}}
)

// All lists every site.
var All = []Site{Kontur, DoktornaraboteAPI, DoktornaraboteAuth, Livedigital, MediAPI, ExternAPI}

// HostNames is every site's host names, in the order of All.
func HostNames() []string {
	var hosts []string
	for _, s := range All {
		hosts = append(hosts, s.Hosts...)
	}
	return hosts
}

// CertHosts is every site's host names but the production ones: what the
// HTTPS certificate covers by default.
func CertHosts() []string {
	var hosts []string
	for _, s := range All {
		for _, h := range s.Hosts {
			if !slices.Contains(s.Production, h) {
				hosts = append(hosts, h)
			}
		}
	}
	return hosts
}

// ByName finds a site.
func ByName(name string) (Site, bool) {
	for _, s := range All {
		if s.Name == name {
			return s, true
		}
	}
	return Site{}, false
}

// Env is what the composition root hands each provider: one per server.
type Env struct {
	Config *config.Config
	Clock  *clock.Clock
	Random oauth.Random
	Keys   *keys.Set
	Log    *slog.Logger
}

type ctxKey struct{}

// Request is what the server knows about a site request beyond net/http's
// view. One value per request, stored once in its context: each further
// context value would copy the whole *http.Request again.
type Request struct {
	// Name is the site's name.
	Name string
	// Base is the site's base URL as this request reached it.
	Base string
	// Info is the request's parsed fields, set by the reqinfo middleware
	// (an any, so that site does not depend on reqinfo).
	Info any
	// Subject and ClientID are whom an API call's token was issued to,
	// set once an API site accepts the token, for the journal.
	Subject, ClientID string
	// Refusal is why the site refused the request, recorded where it
	// decided (Refuse), for the journal, the log and the explain header.
	Refusal Refusal
}

// SetCaller records whom the request's accepted token belongs to.
func SetCaller(r *http.Request, subject, clientID string) {
	if sr := Of(r); sr != nil {
		sr.Subject, sr.ClientID = subject, clientID
	}
}

// WithBase records the site name and the base URL the request reached.
func WithBase(r *http.Request, name, base string) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), ctxKey{}, &Request{Name: name, Base: base}))
}

// Of returns the request's site record, or nil outside a site.
func Of(r *http.Request) *Request {
	sr, _ := r.Context().Value(ctxKey{}).(*Request)
	return sr
}

// BaseURL is the site's base URL for this request, without a trailing slash:
// the issuer on Kontur.
func BaseURL(r *http.Request) string {
	if sr := Of(r); sr != nil {
		return sr.Base
	}
	return ""
}

// Name is the name of the site the request reached.
func Name(r *http.Request) string {
	if sr := Of(r); sr != nil {
		return sr.Name
	}
	return ""
}

// HostBase derives a base URL from a request's Host header, for sites
// reached by real host name without a configured public URL. The scheme is
// https when the request came in over TLS (or a proxy says so with
// X-Forwarded-Proto), and the scheme's default port is left out, so that
// the issuer of https://identity.testkontur.ru is exactly that, whether or
// not the client wrote ":443" into the Host header.
func HostBase(r *http.Request) string {
	scheme, defaultPort := "http", ":80"
	if r.TLS != nil || strings.EqualFold(r.Header.Get("X-Forwarded-Proto"), "https") {
		scheme, defaultPort = "https", ":443"
	}
	return scheme + "://" + strings.TrimSuffix(r.Host, defaultPort)
}
