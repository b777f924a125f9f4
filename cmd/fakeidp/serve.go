package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// serveFlags are the options of fakeidp itself (serving).
type serveFlags struct {
	cfgPath, level, token string
	addrs                 presetList
	presets, publicNames  presetList
	tls                   tlsFlags
	shutdownTimeout       time.Duration
	version, noDefaults   bool
	explainHeader         bool
}

func parseServe(args []string, stdout, stderr io.Writer) (*serveFlags, int, bool) {
	f := &serveFlags{}
	fs := newFlagSet("fakeidp", stderr)
	fs.Var(&f.addrs, "addr", "listen address host:port (port 0 picks a free port); repeat it to serve HTTP on more ports, e.g. 80 and 8080 (default 127.0.0.1:8080)")
	fs.StringVar(&f.cfgPath, "config", "", "fixtures overlay: merged onto the embedded defaults (fixtures/fakeidp.yaml), so it names only what it adds or changes")
	fs.BoolVar(&f.noDefaults, "no-defaults", false, "with --config: the file is the whole fixtures, replacing the defaults")
	fs.StringVar(&f.level, "log-level", "info", "log level: "+logLevelNames)
	fs.StringVar(&f.token, "control-token", os.Getenv("FAKEIDP_CONTROL_TOKEN"), "bearer token guarding /_fakeidp/ (required off loopback; default $FAKEIDP_CONTROL_TOKEN)")
	fs.Var(&f.presets, "preset", "enable an error-case preset at start (repeatable)")
	fs.Var(&f.publicNames, "public-name", "a host name /_fakeidp/ answers to besides localhost, loopback IPs and the listen address, e.g. a compose service name (repeatable; also server.public_names)")
	fs.DurationVar(&f.shutdownTimeout, "shutdown-timeout", 5*time.Second, "on SIGINT/SIGTERM, how long in-flight requests may take before their connections are closed (a second signal exits at once)")
	fs.BoolVar(&f.version, "version", false, "print the version and exit")
	fs.BoolVar(&f.explainHeader, "explain-header", false, "add 'Fakeidp-Reason: CODE: message' to every refused answer, so the application's own HTTP logs say why (also server.explain_header; docs/explain.md)")
	f.tls.register(fs, true)
	if code, exit := parseFlags(fs, args, mainUsage(), stdout, stderr); exit {
		return nil, code, false
	}
	if f.shutdownTimeout < 0 {
		fmt.Fprintln(stderr, "fakeidp: --shutdown-timeout must not be negative")
		return nil, 2, false
	}
	if f.noDefaults && f.cfgPath == "" {
		fmt.Fprintln(stderr, "fakeidp: --no-defaults needs --config FILE, the whole fixtures to serve")
		return nil, 2, false
	}
	return f, 0, true
}

const logLevelNames = "debug, info, warn or error"

func parseLevel(s string) (slog.Level, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(s)); err != nil {
		return 0, fmt.Errorf("--log-level %q: want %s", s, logLevelNames)
	}
	return lvl, nil
}

// runServe is fakeidp without a command: serve until a signal.
func runServe(args []string, stdout, stderr io.Writer) int {
	f, code, ok := parseServe(args, stdout, stderr)
	if !ok {
		return code
	}
	if f.version {
		fmt.Fprintln(stdout, version())
		return 0
	}
	lvl, err := parseLevel(f.level)
	if err != nil {
		fail(stderr, "fakeidp", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}))
	srv, err := start(f, log)
	if err != nil {
		fail(stderr, "fakeidp", err)
		return 1
	}
	fmt.Fprintf(stdout, "fakeidp listening on %s\n", srv.URL())
	for _, st := range site.All {
		fmt.Fprintf(stdout, "  %-20s %s\n", st.Name, srv.SiteURL(st.Name))
	}
	if srv.TLSURL() != "" {
		fmt.Fprintf(stdout, "fakeidp listening on %s (trust %s/_fakeidp/ca.pem)\n", srv.TLSURL(), srv.URL())
		for _, st := range site.All {
			fmt.Fprintf(stdout, "  %-20s %s\n", st.Name, srv.TLSSiteURL(st.Name))
		}
	}
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	defer signal.Stop(sigs)
	return awaitShutdown(srv, sigs, f.shutdownTimeout, log)
}

func start(f *serveFlags, log *slog.Logger) (*fakeidp.Server, error) {
	cfg, err := loadConfig(f.cfgPath, f.noDefaults)
	if err != nil {
		return nil, err
	}
	if f.explainHeader {
		cfg = cfg.Clone() // the embedded defaults are shared
		cfg.Server.ExplainHeader = true
	}
	srv, err := fakeidp.New(fakeidp.Options{
		Config: cfg, Logger: log, ControlToken: f.token, Presets: f.presets, PublicNames: f.publicNames,
		TLSDir: f.tls.dir, TLSHosts: f.tls.hosts,
	})
	if err != nil {
		return nil, err
	}
	addrs := f.addrs
	if len(addrs) == 0 {
		addrs = presetList{"127.0.0.1:8080"}
	}
	for _, addr := range addrs {
		if err := listen(srv.Listen, addr, "--addr"); err != nil {
			srv.Close()
			return nil, err
		}
	}
	if f.tls.addr != "" {
		if err := listen(srv.ListenTLS, f.tls.addr, "--tls-addr"); err != nil {
			srv.Close()
			return nil, err
		}
	}
	return srv, nil
}

// listen binds one listener, explaining the common failures.
func listen(bind func(string) error, addr, flagName string) error {
	return explainBind(bind(addr), addr, flagName, runtime.GOOS)
}

// explainBind turns a bind error into one that says what to do: another
// process holds the port, or (on Linux) a port below 1024 needs a
// privilege the process lacks.
func explainBind(err error, addr, flagName, goos string) error {
	switch {
	case errors.Is(err, syscall.EADDRINUSE):
		return fmt.Errorf("%w: another process listens on %s; stop it, or choose another address with %s (port 0 picks a free one)", err, addr, flagName)
	case errors.Is(err, syscall.EACCES) && goos == "linux":
		port := privilegedPort(addr)
		if port == 0 {
			return err
		}
		return fmt.Errorf("%w: on Linux, ports below 1024 need a privilege; without root, either "+
			"let unprivileged processes bind from %d up (sudo sysctl net.ipv4.ip_unprivileged_port_start=%d), "+
			"or give a built binary the capability (go build -o fakeidp ./cmd/fakeidp && sudo setcap cap_net_bind_service=+ep ./fakeidp; go run's binary is rebuilt each time), "+
			"or run it with docker-compose.yml, which sets that sysctl in its container; "+
			"or choose a port from 1024 up with %s", err, port, port, flagName)
	}
	return err
}

// privilegedPort is addr's port when it is below 1024, else 0.
func privilegedPort(addr string) int {
	_, p, err := net.SplitHostPort(addr)
	if err != nil {
		return 0
	}
	port, err := strconv.Atoi(p)
	if err != nil || port < 1 || port >= 1024 {
		return 0
	}
	return port
}

// awaitShutdown waits for the first signal, then lets in-flight requests
// finish for up to timeout. Past it, the remaining connections are closed
// (the process exits) and the exit status is still 0: the server stopped
// as asked. A second signal exits at once, with 128 + its number as a
// shell reports a process a signal ended.
func awaitShutdown(srv *fakeidp.Server, sigs <-chan os.Signal, timeout time.Duration, log *slog.Logger) int {
	sig := <-sigs
	log.Info("shutting down: waiting for in-flight requests", "signal", sig.String(), "timeout", timeout)
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- srv.Shutdown(ctx) }()
	select {
	case err := <-done:
		if err != nil {
			log.Warn("shutdown timeout passed: closing the remaining connections", "timeout", timeout, "err", err)
		}
		return 0
	case sig := <-sigs:
		log.Warn("second signal: exiting at once", "signal", sig.String())
		if s, ok := sig.(syscall.Signal); ok {
			return 128 + int(s)
		}
		return 1
	}
}

// presetList collects a repeated flag: --preset, --public-name, --addr,
// --tls-host.
type presetList []string

func (p *presetList) String() string { return strings.Join(*p, ",") }

func (p *presetList) Set(v string) error {
	*p = append(*p, v)
	return nil
}

// loadConfig is the embedded defaults, the file at path merged onto them,
// or with noDefaults the file alone.
func loadConfig(path string, noDefaults bool) (*config.Config, error) {
	if noDefaults {
		return config.Load(path)
	}
	base, err := config.Default()
	if err != nil || path == "" {
		return base, err
	}
	return config.LoadOverlay(path, base)
}
