package fakeidp

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/mux"

	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/internal/budget"
	"github.com/fakeidp/fakeidp/fakeidp/internal/route"
	"github.com/fakeidp/fakeidp/fakeidp/journal"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// host is what listens: the listeners (HTTP and HTTPS) and the CA, the
// control API's guard and the dashboard's session, the registry of
// sandboxes, and the route tables, compiled once for every instance it
// serves. Its front door finds the instance of each request, once, before
// anything else runs; below it no handler knows sandboxes exist.
type host struct {
	opts Options
	// cfg is the root instance's fixtures: the listeners, TLS and the
	// sites' host names are the host's, whichever instance serves.
	cfg  *config.Config
	log  *slog.Logger
	root *Instance

	controlToken string
	// sessions are the dashboard's signed-in browsers, for the root and
	// every sandbox.
	sessions *dashboardSessions
	// streams bound the journal streams of every instance together
	// (server.max_streams).
	streams *journal.StreamSlots
	// budget bounds the bytes of run-time stubs and sandbox overlays of
	// every instance together (server.max_state_bytes).
	budget *budget.Budget
	// hosts are the Host names the control API answers to.
	hosts     *controlHosts
	sandboxes *sandboxes

	// byHost finds a site by its real host name (lower case, no port);
	// sites, control and registry are the compiled routers, built on
	// their first request.
	byHost   map[string]int
	sites    []lazyRouter
	control  lazyRouter
	registry lazyRouter

	// http and https are the HTTP and the HTTPS listener's bases,
	// "http://host:port".
	http, https atomic.Pointer[string]

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

// lazyRouter compiles a router on first use. Compiling gorilla/mux's
// route regexps is most of what building a server costs, and a test that
// never calls a site (or the control API) need not pay for it.
type lazyRouter struct {
	once    sync.Once
	compile func() *mux.Router
	router  *mux.Router
}

func (l *lazyRouter) get() *mux.Router {
	l.once.Do(func() { l.router = l.compile() })
	return l.router
}

func newHost(opts Options, cfg *config.Config) (*host, error) {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	h := &host{
		opts: opts, cfg: cfg, log: log, controlToken: opts.ControlToken,
		sessions: newDashboardSessions(entropy(opts)), streams: journal.NewStreamSlots(cfg.Server.MaxStreams),
		budget: budget.New(cfg.Server.MaxStateBytes),
		// The --tls-host names are the server's public names too.
		hosts:  newControlHosts(slices.Concat(cfg.Server.PublicNames, opts.PublicNames, opts.TLSHosts), publicURLs(cfg)),
		byHost: map[string]int{},
		sites:  make([]lazyRouter, len(site.All)),
	}
	base := "http://127.0.0.1:8080"
	h.http.Store(&base)
	for i, st := range site.All {
		for _, name := range append(st.Hosts, cfg.Sites[st.Name].Hosts...) {
			h.byHost[strings.ToLower(name)] = i
		}
		h.sites[i].compile = func() *mux.Router { return h.compileSite(i) }
	}
	h.control.compile = h.compileControl
	h.registry.compile = h.compileRegistry
	h.sandboxes = newSandboxes(h, opts.WallClock)
	h.tlsDir, h.tlsHosts = opts.TLSDir, opts.TLSHosts
	if opts.TLSDir != "" || len(opts.TLSHosts) > 0 || cfg.TLS.CertFile != "" {
		// Errors in these show at start, not at the first ListenTLS.
		if _, err := h.tlsState(); err != nil {
			return nil, err
		}
	}
	return h, nil
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

// compileSite compiles site i's routes, as the root instance mounts
// them; every instance mounts the same routes in the same order.
func (h *host) compileSite(i int) *mux.Router {
	r := mux.NewRouter()
	r.SkipClean(true)
	h.root.sites[i].Mount(&route.Compiler{R: r})
	return r
}

// compileControl compiles the instances' control API.
func (h *host) compileControl() *mux.Router {
	r, control := controlRouter()
	h.root.mountControl(&route.Compiler{R: control})
	return r
}

// compileRegistry compiles the sandbox registry's endpoints, which are
// the host's own.
func (h *host) compileRegistry() *mux.Router {
	r, control := controlRouter()
	h.sandboxes.mountControl(route.Mux{R: control})
	return r
}

// controlRouter is a router for /_fakeidp and its subrouter, which
// answers unknown paths and methods in the control API's JSON.
func controlRouter() (root, control *mux.Router) {
	root = mux.NewRouter()
	root.SkipClean(true) // the front door cleans paths, knowing the mount
	control = root.PathPrefix("/_fakeidp").Subrouter()
	control.NotFoundHandler = http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		// gorilla/mux reports a method mismatch on a subrouter as not
		// found, so ask the router which methods the path does take.
		if allowed := allowedMethods(control, req); len(allowed) > 0 {
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			writeControlError(w, http.StatusMethodNotAllowed, "method "+req.Method+" is not allowed on "+truncate(req.URL.Path, 80))
			return
		}
		writeControlError(w, http.StatusNotFound, "no control endpoint "+req.Method+" "+truncate(req.URL.Path, 80))
	})
	return root, control
}

// listenerBase is the HTTP or the HTTPS listener's base; "" for HTTPS
// until ListenTLS.
func (h *host) listenerBase(overTLS bool) string {
	p := &h.http
	if overTLS {
		p = &h.https
	}
	if b := p.Load(); b != nil {
		return *b
	}
	return ""
}

func (h *host) listen(addr string, useTLS bool) error {
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	srv, err := h.attach(l, useTLS)
	if err != nil {
		l.Close()
		return err
	}
	go func() { _ = h.serve(srv, l, useTLS) }()
	return nil
}

func (h *host) serveOn(l net.Listener, useTLS bool) error {
	srv, err := h.attach(l, useTLS)
	if err != nil {
		return err
	}
	return h.serve(srv, l, useTLS)
}

// attach makes the http.Server of a new listener and records its URL.
// Every listener serves the same handler: the scheme a request came in by
// travels with it (r.TLS), and siteBase turns it into URLs.
func (h *host) attach(l net.Listener, useTLS bool) (*http.Server, error) {
	if h.controlToken == "" && !isLoopback(l.Addr()) {
		return nil, ErrControlTokenRequired
	}
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(h.log.Handler(), slog.LevelDebug),
	}
	h.hosts.setListener(l.Addr())
	hostPort := publicHostPort(l.Addr())
	scheme, base := "http://", &h.http
	if useTLS {
		st, err := h.tlsState()
		if err != nil {
			return nil, err
		}
		srv.TLSConfig = st.serverConfig()
		scheme, base = "https://", &h.https
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	// The first listener of each scheme names the server (URL, TLSURL);
	// later ones (docker-compose's port 80 beside 8080) serve the same.
	if h.listenAt[boolIndex(useTLS)] == "" {
		h.listenAt[boolIndex(useTLS)] = hostPort
		b := scheme + hostPort
		base.Store(&b)
	}
	h.servers = append(h.servers, srv)
	h.serving.Add(1)
	h.client = nil // the next Client dials the new listener too
	return srv, nil
}

func isLoopback(a net.Addr) bool {
	tcp, ok := a.(*net.TCPAddr)
	return ok && tcp.IP.IsLoopback()
}

func (h *host) serve(srv *http.Server, l net.Listener, useTLS bool) error {
	defer h.serving.Done()
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

// stopAll ends the hanging faults and streams of every instance and stops
// the sandbox sweeper, so shutdown never waits on them.
func (h *host) stopAll() {
	h.root.stopFaults()
	h.sandboxes.stopAll()
}

func (h *host) shutdown(ctx context.Context) error {
	h.mu.Lock()
	servers := slices.Clone(h.servers)
	h.mu.Unlock()
	if len(servers) == 0 {
		return nil
	}
	h.stopAll()
	var errs []error
	for _, srv := range servers {
		errs = append(errs, srv.Shutdown(ctx))
	}
	done := make(chan struct{})
	go func() { h.serving.Wait(); close(done) }()
	select {
	case <-done:
	case <-ctx.Done():
	}
	return errors.Join(errs...)
}

func (h *host) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := h.shutdown(ctx)
	h.mu.Lock()
	defer h.mu.Unlock()
	if err != nil {
		for _, srv := range h.servers {
			_ = srv.Close()
		}
	}
	if h.client != nil {
		h.client.CloseIdleConnections()
	}
}
