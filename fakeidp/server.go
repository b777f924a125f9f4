package fakeidp

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"

	"github.com/fakeidp/fakeidp/fakeidp/clock"
	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/doktornarabote"
	"github.com/fakeidp/fakeidp/fakeidp/fault"
	"github.com/fakeidp/fakeidp/fakeidp/journal"
	"github.com/fakeidp/fakeidp/fakeidp/keys"
	"github.com/fakeidp/fakeidp/fakeidp/kontur"
	"github.com/fakeidp/fakeidp/fakeidp/livedigital"
	"github.com/fakeidp/fakeidp/fakeidp/oauth"
	"github.com/fakeidp/fakeidp/fakeidp/site"
	"github.com/fakeidp/fakeidp/fakeidp/stub"
)

// Options choose what a Server is built from. The zero value is the
// embedded default fixtures, the wall clock and crypto/rand.
type Options struct {
	// Config is the fixtures; nil means the embedded default.
	Config *config.Config
	// Now is the clock's base; nil means time.Now. The control API and
	// Clock() can still move the clock from there.
	Now func() time.Time
	// Random is the source of every token, code and key id; nil means
	// crypto/rand.
	Random io.Reader
	// Logger receives the server's logs; nil discards them.
	Logger *slog.Logger
	// ControlToken, when set, guards the control API: every /_fakeidp/
	// call needs "Authorization: Bearer <ControlToken>". Listening on an
	// address other than loopback requires one.
	ControlToken string
	// Presets are enabled at start, by name (see fixtures "presets"). They
	// are part of the state Reset returns to: a reset enables them again.
	Presets []string
	// PublicNames are host names the control API answers to, added to
	// the fixtures' server.public_names. Besides them it answers only to
	// localhost, loopback IPs, the listen addresses, the TLS hosts and the
	// hosts of the sites' public URLs.
	PublicNames []string
	// TLSDir keeps the CA of the HTTPS listener (see ListenTLS): made there
	// on the first start, reused on later ones so that trust installed once
	// keeps working. Empty means a fresh CA in memory for each server. The
	// fixtures' tls.cert_file replaces the CA altogether.
	TLSDir string
	// TLSHosts are names, beside the sites' host names, localhost,
	// 127.0.0.0/8 and ::1, that the CA may vouch for and the HTTPS
	// listener's certificate covers: DNS names or IP addresses.
	TLSHosts []string
	// WallClock is the real time that sandbox lifetimes (their ttl of no
	// use) follow; nil means time.Now. It is not the virtual clock that
	// tokens expire by: each sandbox has its own.
	WallClock func() time.Time
}

// provider is one provider's part of one site.
type provider interface {
	Mount(r *mux.Router)
	Reset()
}

// controlMounter is a provider that adds fake-only operations (an SMS
// outbox, a cabinet) to the control API under /_fakeidp/.
type controlMounter interface {
	MountControl(r *mux.Router)
}

// Server is one fake identity provider. Servers share no state.
type Server struct {
	env     *site.Env
	opts    Options
	handler http.Handler
	// sandboxes are the Servers this one holds; nil in a sandbox, which
	// holds none.
	sandboxes *sandboxes
	// mount is the path a sandbox is served under, /sandbox/{id}; "" for a
	// Server served at the root of its listeners.
	mount string
	// mounted caches the URLs of the host last seen, for a mounted Server.
	mounted atomic.Pointer[listenerURLs]

	sites       map[string]provider
	dnr         *doktornarabote.Service
	livedigital *livedigital.Site

	faults       *fault.Engine
	journal      *journal.Journal
	stubs        *stub.Set
	presets      map[string]*preset
	startPresets []string // Options.Presets, restored by Reset
	// presetMu guards presetRules: the ids of the rules each preset
	// added, so that a preset can be told enabled and disabled again.
	presetMu     sync.Mutex
	presetRules  map[string][]string
	controlToken string
	// sessions are the dashboard's signed-in browsers, shared by a root
	// and its sandboxes.
	sessions *dashboardSessions
	// streams bound the journal streams of a root and its sandboxes
	// together (server.max_streams).
	streams *journal.StreamSlots
	// hosts are the Host names the control API answers to.
	hosts *controlHosts
	// stop is closed when shutdown begins, ending hang and latency faults.
	stop     chan struct{}
	stopOnce sync.Once

	// http and https are the HTTP and the HTTPS listener's URLs.
	http, https atomic.Pointer[listenerURLs]
	dateCache   atomic.Pointer[dateStamp]

	// tls is made at New when the options ask for TLS, else on first use.
	tlsDir   string
	tlsHosts []string
	tlsOnce  sync.Once
	tls      atomic.Pointer[tlsState]
	tlsErr   error
	mu       sync.Mutex
	servers  []*http.Server
	serving  sync.WaitGroup
	client   *http.Transport // built by Client, dropped when a listener is added
	listenAt [2]string       // dialable host:port of the HTTP and the HTTPS listener
}

// listenerURLs are one listener's base, "http://host:port", and each site's
// base URL as reached through it: its configured public URL, else base
// plus prefix.
type listenerURLs struct {
	base  string
	sites map[string]string
	// public tells the sites whose URL is their configured public URL.
	public map[string]bool
}

// New builds a Server without listening. Use Handler to serve it yourself,
// or Listen / Serve. It can hold sandboxes: Servers of their own, built by
// the same constructor, reached under /sandbox/{id}/ (see NewSandbox).
func New(opts Options) (*Server, error) {
	cfg := opts.Config
	if cfg == nil {
		c, err := config.Default()
		if err != nil {
			return nil, err
		}
		cfg = c
	}
	presets, err := loadPresets(cfg)
	if err != nil {
		return nil, err
	}
	// The --tls-host names are the server's public names too.
	hosts := newControlHosts(slices.Concat(cfg.Server.PublicNames, opts.PublicNames, opts.TLSHosts), publicURLs(cfg))
	s, err := build(opts, cfg, presets, hosts)
	if err != nil {
		return nil, err
	}
	s.sandboxes = newSandboxes(s, opts.WallClock)
	// The sandbox router runs before anything else, so that no handler
	// below it knows sandboxes exist.
	s.handler = s.sandboxes.router(s.handler)
	return s, nil
}

// build is the one constructor of a Server, the root's and every
// sandbox's: presets are cfg's, parsed; hosts are the names the control
// API answers to, which a sandbox shares with its root (the root knows
// its listeners).
func build(opts Options, cfg *config.Config, presets map[string]*preset, hosts *controlHosts) (*Server, error) {
	entropy := opts.Random
	if entropy == nil {
		entropy = rand.Reader
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	keySet, err := loadKeys(cfg)
	if err != nil {
		return nil, err
	}
	env := &site.Env{
		Config: cfg,
		Clock:  clock.New(opts.Now),
		Random: oauth.Random{R: entropy},
		Keys:   keySet,
		Log:    log,
	}
	stubs, err := loadStubs(cfg)
	if err != nil {
		return nil, err
	}
	s := &Server{
		env: env, opts: opts, faults: fault.NewEngineMax(cfg.Server.MaxFaultRules), presets: presets, stubs: stubs,
		journal:      journal.New(cfg.Server.JournalSize, env.Clock.Now),
		controlToken: opts.ControlToken, sessions: newDashboardSessions(entropy),
		streams: journal.NewStreamSlots(cfg.Server.MaxStreams),
		stop:    make(chan struct{}), hosts: hosts,
	}
	s.journal.ShareStreams(s.streams)
	s.livedigital = livedigital.New(env, stubs)
	s.dnr = doktornarabote.New(env, stubs)
	k := kontur.New(env)
	s.sites = map[string]provider{
		site.Kontur.Name:             k,
		site.Livedigital.Name:        s.livedigital,
		site.DoktornaraboteAPI.Name:  s.dnr.API(),
		site.DoktornaraboteAuth.Name: s.dnr.Auth(),
		site.MediAPI.Name:            k.API(site.MediAPI.Name, "medi_api", stubs, s.konturIssuer),
		site.ExternAPI.Name:          k.API(site.ExternAPI.Name, "extern.api", stubs, s.konturIssuer),
	}
	s.http.Store(s.listenerURLs("http://127.0.0.1:8080"))
	s.tlsDir, s.tlsHosts = opts.TLSDir, opts.TLSHosts
	if opts.TLSDir != "" || len(opts.TLSHosts) > 0 || cfg.TLS.CertFile != "" {
		// Errors in these show at start, not at the first ListenTLS.
		if _, err := s.tlsState(); err != nil {
			return nil, err
		}
	}
	s.handler = s.routes()
	for _, name := range opts.Presets {
		if _, err := s.EnablePreset(name); err != nil {
			return nil, err
		}
	}
	s.startPresets = slices.Clone(opts.Presets)
	return s, nil
}

func loadKeys(cfg *config.Config) (*keys.Set, error) {
	parse := func(field string, list []config.Key) ([]*keys.Key, error) {
		var out []*keys.Key
		var errs []error
		for i, k := range list {
			key, err := keys.Parse(k.PEM)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s[%d].pem: %w", field, i, err))
				continue
			}
			out = append(out, key)
		}
		return out, errors.Join(errs...)
	}
	published, err1 := parse("keys", cfg.Keys)
	spares, err2 := parse("spare_keys", cfg.SpareKeys)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("invalid fixtures: %w", err)
	}
	if len(published) == 0 {
		// Only when no key is configured: generating one is slow and its
		// tokens will not verify after a restart.
		k, err := keys.Generate()
		if err != nil {
			return nil, err
		}
		published = []*keys.Key{k}
	}
	return keys.NewSet(published, spares)
}

// dateStamp caches the Date header for one second of the server's clock.
type dateStamp struct {
	unix int64
	// header is the value, shared read-only by every response of that
	// second.
	header []string
}

// date is the Date header value by the server's clock, which the control
// API may have moved.
func (s *Server) date() *dateStamp {
	now := s.env.Clock.Now()
	if d := s.dateCache.Load(); d != nil && d.unix == now.Unix() {
		return d
	}
	d := &dateStamp{unix: now.Unix(), header: []string{now.UTC().Format(http.TimeFormat)}}
	s.dateCache.Store(d)
	return d
}

// siteBase is the site's base URL: the configured public URL, else the
// Host header for requests routed by host name, else the base of the
// listener the request came in by plus the prefix. Over TLS the prefix
// form takes the Host too: the client checked the certificate for that
// name, so it is the name the client uses (a compose service name, say),
// where the listener's own address (0.0.0.0 → 127.0.0.1) may not be.
func (s *Server) siteBase(st site.Site, r *http.Request, byHost bool) string {
	urls := s.urlsOf(r)
	switch {
	case urls.public[st.Name]:
		return urls.sites[st.Name]
	case byHost:
		return site.HostBase(r)
	case r.TLS != nil && r.Host != "" && s.mount == "":
		// (A mounted Server's urls come from the Host already.)
		return site.HostBase(r) + st.Prefix
	}
	return urls.sites[st.Name]
}

// siteURLsFor maps every site to its base URL as r reached the server.
func (s *Server) siteURLsFor(r *http.Request) map[string]string {
	if r.TLS == nil {
		return s.urlsOf(r).sites
	}
	out := make(map[string]string, len(site.All))
	for _, st := range site.All {
		out[st.Name] = s.siteBase(st, r, false)
	}
	return out
}

// publicURLs lists the sites' configured public URLs.
func publicURLs(cfg *config.Config) []string {
	var urls []string
	for _, st := range cfg.Sites {
		if st.PublicURL != "" {
			urls = append(urls, st.PublicURL)
		}
	}
	return urls
}

// urlsOf is the URLs of the listener r came in by. A mounted Server (a
// sandbox) lives under its mount path on whatever host and scheme the
// request named, so that clients in other containers, which reach the
// root by a name of their own, get URLs they can use.
func (s *Server) urlsOf(r *http.Request) *listenerURLs {
	if s.mount != "" {
		return s.mountedURLs(site.HostBase(r))
	}
	if r.TLS != nil {
		if u := s.https.Load(); u != nil {
			return u
		}
	}
	return s.http.Load()
}

// mountedURLs is listenerURLs(host+mount), kept from one request to the
// next: a suite reaches its sandbox by one host.
func (s *Server) mountedURLs(host string) *listenerURLs {
	base := host + s.mount
	if u := s.mounted.Load(); u != nil && u.base == base {
		return u
	}
	u := s.listenerURLs(base)
	s.mounted.Store(u)
	return u
}

// listenerURLs resolves every site's URL from a listener's base. On an
// https listener only an https public URL applies: an http one describes
// the HTTP listener (docker-compose's http://identity.testkontur.ru:8080),
// and a request that came in over TLS gets https URLs.
func (s *Server) listenerURLs(base string) *listenerURLs {
	u := &listenerURLs{base: base, sites: make(map[string]string, len(site.All)), public: map[string]bool{}}
	overTLS := strings.HasPrefix(base, "https://")
	for _, st := range site.All {
		u.sites[st.Name] = base + st.Prefix
		pub := s.env.Config.Sites[st.Name].PublicURL
		if pub != "" && (!overTLS || strings.HasPrefix(pub, "https://")) {
			u.sites[st.Name] = pub
			u.public[st.Name] = true
		}
	}
	return u
}

// Handler serves every site and the control API.
func (s *Server) Handler() http.Handler { return s.handler }

// Clock is the server's clock; tests may advance or set it.
func (s *Server) Clock() *clock.Clock { return s.env.Clock }

// Keys is the server's signing key set.
func (s *Server) Keys() *keys.Set { return s.env.Keys }

// Config is the fixtures the server was built from. Do not modify it.
func (s *Server) Config() *config.Config { return s.env.Config }

// URL is the HTTP listener's base, e.g. "http://127.0.0.1:41234". Before
// the server listens it is "http://127.0.0.1:8080".
func (s *Server) URL() string { return s.http.Load().base }

// SiteURL is the base URL of a site through the HTTP listener, e.g.
// SiteURL("kontur") is the issuer; "" for a name that is no site.
func (s *Server) SiteURL(name string) string { return s.http.Load().sites[name] }

// SiteURLs maps every site to its base URL through the HTTP listener.
func (s *Server) SiteURLs() map[string]string { return maps.Clone(s.http.Load().sites) }

// TLSURL is the HTTPS listener's base, e.g. "https://127.0.0.1:41235"; ""
// until ListenTLS.
func (s *Server) TLSURL() string {
	if u := s.https.Load(); u != nil {
		return u.base
	}
	return ""
}

// TLSSiteURL is the base URL of a site through the HTTPS listener, e.g.
// "https://127.0.0.1:41235/kontur"; "" until ListenTLS. Clients of
// Client() may use the production URL instead: https://identity.testkontur.ru.
func (s *Server) TLSSiteURL(name string) string {
	if u := s.https.Load(); u != nil {
		return u.sites[name]
	}
	return ""
}

// Reset returns the server to its state at start: tokens, codes, the SMS
// outbox, cabinets, stubs, the journal, keys and the clock as in the
// fixtures, and the fault rules and key rotations of the presets enabled
// at start (Options.Presets) and of no other.
func (s *Server) Reset() {
	_ = s.stubs.Reset() // the fixtures' stubs were valid when the server was built
	s.journal.Clear()
	for _, p := range s.sites {
		p.Reset()
	}
	s.env.Keys.Reset()
	s.env.Clock.Reset()
	if err := s.restoreStartPresets(); err != nil {
		// They were enabled once at start, so this is not expected.
		s.env.Log.Error("reset: restoring the startup presets failed", "presets", s.startPresets, "err", err)
	}
}

// Listen binds addr and serves HTTP in the background. Port 0 picks a
// free port; URL then tells which.
func (s *Server) Listen(addr string) error { return s.listen(addr, false) }

// ListenTLS binds addr and serves HTTPS in the background, with HTTP/2
// offered by ALPN: the same sites, control API and state as Listen. Port 0
// picks a free port; TLSURL then tells which.
func (s *Server) ListenTLS(addr string) error { return s.listen(addr, true) }

func (s *Server) listen(addr string, useTLS bool) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv, err := s.attach(l, useTLS)
	if err != nil {
		l.Close()
		return err
	}
	go func() { _ = s.serve(srv, l, useTLS) }()
	return nil
}

// Serve serves HTTP on l until Shutdown or Close; it returns
// http.ErrServerClosed then.
func (s *Server) Serve(l net.Listener) error {
	srv, err := s.attach(l, false)
	if err != nil {
		return err
	}
	return s.serve(srv, l, false)
}

// ServeTLS serves HTTPS on l, as ListenTLS does, until Shutdown or Close.
func (s *Server) ServeTLS(l net.Listener) error {
	srv, err := s.attach(l, true)
	if err != nil {
		return err
	}
	return s.serve(srv, l, true)
}

// ErrControlTokenRequired: the server would expose its control API beyond
// this machine without a control token.
var ErrControlTokenRequired = errors.New("fakeidp: listening beyond loopback needs a control token (--control-token or FAKEIDP_CONTROL_TOKEN): anyone who reaches the control API can reset the server, inject faults and read the journal")

// attach makes the http.Server of a new listener and records its URLs.
// Every listener serves the same handler: the scheme a request came in by
// travels with it (r.TLS), and siteBase turns it into URLs.
func (s *Server) attach(l net.Listener, useTLS bool) (*http.Server, error) {
	if s.controlToken == "" && !isLoopback(l.Addr()) {
		return nil, ErrControlTokenRequired
	}
	srv := &http.Server{
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.env.Log.Handler(), slog.LevelDebug),
	}
	s.hosts.setListener(l.Addr())
	hostPort := publicHostPort(l.Addr())
	scheme, urls := "http://", &s.http
	if useTLS {
		st, err := s.tlsState()
		if err != nil {
			return nil, err
		}
		srv.TLSConfig = st.serverConfig()
		scheme, urls = "https://", &s.https
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// The first listener of each scheme names the server (URL, TLSURL);
	// later ones (docker-compose's port 80 beside 8080) serve the same.
	if s.listenAt[boolIndex(useTLS)] == "" {
		s.listenAt[boolIndex(useTLS)] = hostPort
		urls.Store(s.listenerURLs(scheme + hostPort))
	}
	s.servers = append(s.servers, srv)
	s.serving.Add(1)
	s.client = nil // the next Client dials the new listener too
	return srv, nil
}

func boolIndex(b bool) int {
	if b {
		return 1
	}
	return 0
}

// stopFaults ends hanging and delayed requests and the journal's live
// streams, so shutdown never waits on them.
func (s *Server) stopFaults() {
	s.stopOnce.Do(func() { close(s.stop) })
	s.journal.EndStreams()
	s.sandboxes.stopAll()
}

func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

func (s *Server) serve(srv *http.Server, l net.Listener, useTLS bool) error {
	defer s.serving.Done()
	if useTLS {
		return srv.ServeTLS(l, "", "")
	}
	return srv.Serve(l)
}

// publicHostPort turns a listen address into one clients can dial: an
// unspecified IP (0.0.0.0, ::) becomes 127.0.0.1.
func publicHostPort(a net.Addr) string {
	tcp, ok := a.(*net.TCPAddr)
	if !ok {
		return a.String()
	}
	ip := tcp.IP
	if ip == nil || ip.IsUnspecified() {
		ip = net.IPv4(127, 0, 0, 1)
	}
	return net.JoinHostPort(ip.String(), fmt.Sprint(tcp.Port))
}

// Shutdown stops accepting connections on every listener and waits for
// in-flight requests to finish, or for ctx to end.
func (s *Server) Shutdown(ctx context.Context) error {
	s.mu.Lock()
	servers := slices.Clone(s.servers)
	s.mu.Unlock()
	if len(servers) == 0 {
		return nil
	}
	s.stopFaults()
	var errs []error
	for _, srv := range servers {
		errs = append(errs, srv.Shutdown(ctx))
	}
	done := make(chan struct{})
	go func() { s.serving.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
	return errors.Join(errs...)
}

// Close shuts the server down, waiting up to five seconds for in-flight
// requests, then closing whatever is left.
func (s *Server) Close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := s.Shutdown(ctx)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil {
		for _, srv := range s.servers {
			_ = srv.Close()
		}
	}
	if s.client != nil {
		s.client.CloseIdleConnections()
	}
}
