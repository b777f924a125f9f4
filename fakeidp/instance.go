package fakeidp

import (
	"crypto/rand"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/fakeidp/fakeidp/fakeidp/clock"
	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/doktornarabote"
	"github.com/fakeidp/fakeidp/fakeidp/fault"
	"github.com/fakeidp/fakeidp/fakeidp/internal/route"
	"github.com/fakeidp/fakeidp/fakeidp/journal"
	"github.com/fakeidp/fakeidp/fakeidp/keys"
	"github.com/fakeidp/fakeidp/fakeidp/kontur"
	"github.com/fakeidp/fakeidp/fakeidp/livedigital"
	"github.com/fakeidp/fakeidp/fakeidp/oauth"
	"github.com/fakeidp/fakeidp/fakeidp/reqinfo"
	"github.com/fakeidp/fakeidp/fakeidp/site"
	"github.com/fakeidp/fakeidp/fakeidp/stub"
)

// provider is one provider's part of one site.
type provider interface {
	Mount(r route.Router)
	Reset()
}

// controlMounter is a provider that adds fake-only operations (an SMS
// outbox, a cabinet) to the control API under /_fakeidp/.
type controlMounter interface {
	MountControl(r route.Router)
}

// Instance is one emulated world: its fixtures, clock, keys and random
// source, the providers' state, fault rules, presets, journal and stubs.
// A Server's root instance is one, and so is each of its sandboxes. An
// instance does not listen: its host's listeners serve it, under its
// mount path, and the host's compiled routes find its handlers.
type Instance struct {
	host *host
	// id is a sandbox's id, "" for the root; mount is the path the
	// instance is served under: "" for the root, /sandbox/{id} for a
	// sandbox.
	id, mount string
	env       *site.Env

	sites       []provider // in the order of site.All
	dnr         *doktornarabote.Service
	livedigital *livedigital.Site

	faults       *fault.Engine
	journal      *journal.Journal
	stubs        *stub.Set
	presets      map[string]*preset
	startPresets []string // Options.Presets, restored by Reset
	// presetMu guards presetRules: the ids of the rules each preset
	// added, so that a preset can be told enabled and disabled again.
	presetMu    sync.Mutex
	presetRules map[string][]string
	// endpoints is what GET /_fakeidp/ lists.
	endpoints []string
	// stop is closed when the instance ends (shutdown, or a sandbox's
	// deletion), ending hang and latency faults.
	stop      chan struct{}
	stopOnce  sync.Once
	dateCache atomic.Pointer[dateStamp]

	// siteHandlers are each site's handler chain (reqinfo, journal,
	// faults) around the host's compiled router and this instance's
	// handlers; control is the control API's, behind the host's guard.
	siteHandlers []http.Handler
	control      http.Handler
	// public are the sites' configured public URLs ("" for none), over
	// HTTP and over HTTPS; a sandbox has none.
	public [2][]string
}

// build is the one constructor of an instance, the root's and every
// sandbox's: presets are cfg's, parsed; id is "" for the root.
func (h *host) build(opts Options, cfg *config.Config, presets map[string]*preset, id string) (*Instance, error) {
	log := opts.Logger
	if log == nil {
		log = h.log
	}
	keySet, err := loadKeys(cfg)
	if err != nil {
		return nil, err
	}
	env := &site.Env{
		Config: cfg,
		Clock:  clock.New(opts.Now),
		Random: oauth.Random{R: entropy(opts)},
		Keys:   keySet,
		Log:    log,
	}
	stubs, err := loadStubs(cfg, h.budget)
	if err != nil {
		return nil, err
	}
	in := &Instance{
		host: h, env: env, faults: fault.NewEngineMax(cfg.Server.MaxFaultRules), presets: presets, stubs: stubs,
		journal: journal.New(cfg.Server.JournalSize, env.Clock.Now), stop: make(chan struct{}),
		endpoints: controlEndpoints,
	}
	if id != "" {
		in.id, in.mount = id, SandboxPrefix+id
	}
	in.journal.ShareStreams(h.streams)
	in.livedigital = livedigital.New(env, stubs)
	in.dnr = doktornarabote.New(env, stubs)
	k := kontur.New(env)
	providers := map[string]provider{
		site.Kontur.Name:             k,
		site.Livedigital.Name:        in.livedigital,
		site.DoktornaraboteAPI.Name:  in.dnr.API(),
		site.DoktornaraboteAuth.Name: in.dnr.Auth(),
		site.MediAPI.Name:            k.API(site.MediAPI.Name, "medi_api", stubs, in.konturIssuer),
		site.ExternAPI.Name:          k.API(site.ExternAPI.Name, "extern.api", stubs, in.konturIssuer),
	}
	in.sites = make([]provider, len(site.All))
	in.siteHandlers = make([]http.Handler, len(site.All))
	for i, st := range site.All {
		in.sites[i] = providers[st.Name]
		in.siteHandlers[i] = in.siteHandler(i)
		if pub := cfg.Sites[st.Name].PublicURL; pub != "" {
			if in.public[0] == nil {
				in.public = [2][]string{make([]string, len(site.All)), make([]string, len(site.All))}
			}
			// Over TLS only an https public URL applies: an http one
			// describes the HTTP listener (docker-compose's
			// http://identity.testkontur.ru:8080).
			in.public[0][i] = pub
			if strings.HasPrefix(pub, "https://") {
				in.public[1][i] = pub
			}
		}
	}
	var control route.Table
	in.mountControl(&control)
	in.control = h.controlGuard(controlMiddleware(log, route.Dispatch{Router: h.control.get, Handler: control}))
	for _, name := range opts.Presets {
		if _, err := in.EnablePreset(name); err != nil {
			return nil, err
		}
	}
	in.startPresets = slices.Clone(opts.Presets)
	return in, nil
}

// siteHandler is one site's handler chain. reqinfo reads the request's
// fields once for the journal and the fault rules, which run in that
// order so that injected faults are journalled too.
func (in *Instance) siteHandler(i int) http.Handler {
	p := in.sites[i]
	var routes route.Table
	p.Mount(&routes)
	render, _ := p.(fault.ErrorRenderer)
	h := in.faults.Middleware(render, in.stop)(route.Dispatch{Router: in.host.sites[i].get, Handler: routes, Refuse: site.Refuse})
	h = explain(in.env.Log, in.env.Config.Server.ExplainHeader)(h)
	h = in.journal.Middleware()(h)
	h = reqinfo.Middleware(in.env.Config.Server.MaxBodyBytes)(h)
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

// mountControl mounts the instance's control API: the root's and every
// sandbox's are the same routes.
func (in *Instance) mountControl(r route.Router) {
	in.mountEndpoints(r)
	in.faults.MountControl(r)
	in.journal.MountControl(r)
	in.stubs.MountControl(r)
	in.mountDashboard(r)
	for _, p := range in.sites {
		if cm, ok := p.(controlMounter); ok {
			cm.MountControl(r)
		}
	}
}

// dateStamp caches the Date header for one second of the instance's clock.
type dateStamp struct {
	unix int64
	// header is the value, shared read-only by every response of that
	// second.
	header []string
}

// date is the Date header value by the instance's clock, which the
// control API may have moved.
func (in *Instance) date() *dateStamp {
	now := in.env.Clock.Now()
	if d := in.dateCache.Load(); d != nil && d.unix == now.Unix() {
		return d
	}
	d := &dateStamp{unix: now.Unix(), header: []string{now.UTC().Format(http.TimeFormat)}}
	in.dateCache.Store(d)
	return d
}

// konturSite is the Kontur identity site's position in site.All.
var konturSite, _ = siteIndex(site.Kontur.Name)

// siteIndex is the position of the named site in site.All.
func siteIndex(name string) (int, bool) {
	for i, st := range site.All {
		if st.Name == name {
			return i, true
		}
	}
	return 0, false
}

// siteBase is site i's base URL for r: its configured public URL, else
// the Host header for requests routed by host name, else the scheme and
// Host the request came by, then the instance's mount and the site's
// prefix. The Host is what the client used, so the issuer is one the
// client accepts (localhost:8080, a compose service name, a docker port
// mapping), as IdentityServer derives it; the front door has checked
// that it is host[:port].
func (in *Instance) siteBase(i int, r *http.Request, byHost bool) string {
	if pub := in.publicURL(i, r.TLS != nil); pub != "" {
		return pub
	}
	if byHost {
		return site.HostBase(r)
	}
	return in.requestBase(r) + site.All[i].Prefix
}

// requestBase is the instance's base URL for r: its scheme and Host, or
// the listener's address for a request without a Host (HTTP/1.0), then
// the mount.
func (in *Instance) requestBase(r *http.Request) string {
	if r.Host == "" {
		return in.host.listenerBase(r.TLS != nil) + in.mount
	}
	return site.HostBase(r) + in.mount
}

// siteURLsFor maps every site to its base URL as r reached the instance.
func (in *Instance) siteURLsFor(r *http.Request) map[string]string {
	out := make(map[string]string, len(site.All))
	for i, st := range site.All {
		out[st.Name] = in.siteBase(i, r, false)
	}
	return out
}

// publicURL is site i's configured public URL for a request over TLS or
// not, "" when it has none.
func (in *Instance) publicURL(i int, overTLS bool) string {
	if in.public[0] == nil {
		return ""
	}
	return in.public[boolIndex(overTLS)][i]
}

// listenerSiteURLs maps every site to its URL through the HTTP or the
// HTTPS listener.
func (in *Instance) listenerSiteURLs(overTLS bool) map[string]string {
	out := make(map[string]string, len(site.All))
	for i, st := range site.All {
		out[st.Name] = in.listenerSiteURL(i, overTLS)
	}
	return out
}

// listenerSiteURL is site i's URL through the HTTP or the HTTPS listener.
func (in *Instance) listenerSiteURL(i int, overTLS bool) string {
	if pub := in.publicURL(i, overTLS); pub != "" {
		return pub
	}
	base := in.host.listenerBase(overTLS)
	if base == "" {
		return ""
	}
	return base + in.mount + site.All[i].Prefix
}

// Clock is the instance's clock; tests may advance or set it.
func (in *Instance) Clock() *clock.Clock { return in.env.Clock }

// Keys is the instance's signing key set.
func (in *Instance) Keys() *keys.Set { return in.env.Keys }

// Config is the fixtures the instance was built from. Do not modify it.
func (in *Instance) Config() *config.Config { return in.env.Config }

// URL is the instance's base through the HTTP listener, e.g.
// "http://127.0.0.1:41234" for a Server, with /sandbox/{id} after it for a
// sandbox. Before the server listens it names 127.0.0.1:8080.
func (in *Instance) URL() string { return in.host.listenerBase(false) + in.mount }

// SiteURL is the base URL of a site through the HTTP listener, e.g.
// SiteURL("kontur") is the issuer; "" for a name that is no site.
func (in *Instance) SiteURL(name string) string {
	if i, ok := siteIndex(name); ok {
		return in.listenerSiteURL(i, false)
	}
	return ""
}

// SiteURLs maps every site to its base URL through the HTTP listener.
func (in *Instance) SiteURLs() map[string]string { return in.listenerSiteURLs(false) }

// TLSURL is the instance's base through the HTTPS listener, e.g.
// "https://127.0.0.1:41235"; "" until ListenTLS.
func (in *Instance) TLSURL() string {
	if base := in.host.listenerBase(true); base != "" {
		return base + in.mount
	}
	return ""
}

// TLSSiteURL is the base URL of a site through the HTTPS listener, e.g.
// "https://127.0.0.1:41235/kontur"; "" until ListenTLS. Clients of
// Client() may use the production URL instead: https://identity.testkontur.ru.
func (in *Instance) TLSSiteURL(name string) string {
	if i, ok := siteIndex(name); ok {
		return in.listenerSiteURL(i, true)
	}
	return ""
}

// Reset returns the instance to its state at start: tokens, codes, the SMS
// outbox, cabinets, stubs, the journal, keys and the clock as in the
// fixtures, and the fault rules and key rotations of the presets enabled
// at start (Options.Presets) and of no other.
func (in *Instance) Reset() {
	_ = in.stubs.Reset() // the fixtures' stubs were valid when the instance was built
	in.journal.Clear()
	for _, p := range in.sites {
		p.Reset()
	}
	in.env.Keys.Reset()
	in.env.Clock.Reset()
	if err := in.restoreStartPresets(); err != nil {
		// They were enabled once at start, so this is not expected.
		in.env.Log.Error("reset: restoring the startup presets failed", "presets", in.startPresets, "err", err)
	}
}

// stopFaults ends hanging and delayed requests and the journal's live
// streams, so shutdown or a sandbox's deletion never waits on them.
func (in *Instance) stopFaults() {
	in.stopOnce.Do(func() { close(in.stop) })
	in.journal.EndStreams()
}

// entropy is the random source the options choose.
func entropy(opts Options) io.Reader {
	if opts.Random == nil {
		return rand.Reader
	}
	return opts.Random
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}
