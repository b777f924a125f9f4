// Command fakeidp serves the fake identity providers.
//
//	fakeidp [--addr 127.0.0.1:8080] [--config fixtures.yaml] [--log-level info]
//	        [--preset NAME]... [--control-token TOKEN]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	if len(args) > 0 && args[0] == "verify" {
		return runVerify(args[1:], stdout, stderr)
	}
	fs := flag.NewFlagSet("fakeidp", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "listen address host:port (port 0 picks a free port)")
	cfgPath := fs.String("config", "", "fixtures file (default: the embedded fixtures/fakeidp.yaml)")
	level := fs.String("log-level", "info", "log level: debug, info, warn or error")
	token := fs.String("control-token", os.Getenv("FAKEIDP_CONTROL_TOKEN"), "bearer token guarding /_fakeidp/ (required off loopback; default $FAKEIDP_CONTROL_TOKEN)")
	var presets presetList
	fs.Var(&presets, "preset", "enable an error-case preset at start (repeatable)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "fakeidp: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(*level)); err != nil {
		fmt.Fprintf(stderr, "fakeidp: --log-level: %v\n", err)
		return 2
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl}))

	cfg, err := loadConfig(*cfgPath)
	if err != nil {
		fmt.Fprintf(stderr, "fakeidp: %v\n", err)
		return 1
	}
	srv, err := fakeidp.New(fakeidp.Options{Config: cfg, Logger: log, ControlToken: *token, Presets: presets})
	if err != nil {
		fmt.Fprintf(stderr, "fakeidp: %v\n", err)
		return 1
	}
	if err := srv.Listen(*addr); err != nil {
		fmt.Fprintf(stderr, "fakeidp: %v\n", err)
		return 1
	}
	fmt.Fprintf(stdout, "fakeidp listening on %s\n", srv.URL())
	for _, st := range site.All {
		fmt.Fprintf(stdout, "  %-20s %s\n", st.Name, srv.SiteURL(st.Name))
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	<-ctx.Done()
	log.Info("shutting down: waiting for in-flight requests")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Error("shutdown", "err", err)
		return 1
	}
	return 0
}

// presetList collects repeated --preset flags.
type presetList []string

func (p *presetList) String() string { return strings.Join(*p, ",") }

func (p *presetList) Set(v string) error {
	*p = append(*p, v)
	return nil
}

func loadConfig(path string) (*config.Config, error) {
	if path == "" {
		return config.Default()
	}
	return config.Load(path)
}
