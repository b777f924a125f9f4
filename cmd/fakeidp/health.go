package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/fakeidp/fakeidp/scenarios"
)

const healthUsage = `usage: fakeidp health [--url http://127.0.0.1:8080] [--wait 10s] [--ca FILE]

Checks that the fakeidp at --url answers GET /_fakeidp/health with 200.
With --wait, it tries again until it does or the wait is over, so a
script that starts fakeidp in the background can wait for it:

  fakeidp --addr 127.0.0.1:8080 &
  fakeidp health --wait 10s

It is also the container's health check (the image has no curl). It
sends FAKEIDP_CONTROL_TOKEN when set; --ca FILE trusts the CA
certificates in FILE for an https URL, beside the system roots.

Exit status: 0 healthy, 1 not (the reason on stderr), 2 usage error.
`

// healthRetry is how long "fakeidp health --wait" waits between tries.
const healthRetry = 100 * time.Millisecond

// runHealth is "fakeidp health".
func runHealth(args []string, stdout, stderr io.Writer) int {
	var (
		url, ca string
		wait    time.Duration
	)
	fs := newFlagSet("fakeidp health", stderr)
	fs.StringVar(&url, "url", "http://127.0.0.1:8080", "base URL of the fakeidp")
	fs.DurationVar(&wait, "wait", 0, "keep trying for this long (default: one try)")
	fs.StringVar(&ca, "ca", "", "PEM file of CA certificates to trust for https, beside the system roots")
	if code, exit := parseFlags(fs, args, healthUsage, stdout, stderr); exit {
		return code
	}
	if wait < 0 {
		fmt.Fprintln(stderr, "fakeidp health: --wait must not be negative")
		return 2
	}
	cfg := scenarios.Config{URL: url, ControlToken: os.Getenv("FAKEIDP_CONTROL_TOKEN")}
	if ca != "" {
		roots, err := loadRoots(ca)
		if err != nil {
			fail(stderr, "fakeidp health", err)
			return 2
		}
		cfg.RootCAs = roots
	}
	if err := cfg.Validate(); err != nil {
		fail(stderr, "fakeidp health", err)
		return 2
	}
	if err := awaitHealthy(context.Background(), cfg, wait); err != nil {
		fail(stderr, "fakeidp health", err)
		return 1
	}
	fmt.Fprintf(stdout, "fakeidp health: %s is healthy\n", url)
	return 0
}

// awaitHealthy checks cfg.URL's health until it answers or wait has
// passed; the error is the last try's.
func awaitHealthy(ctx context.Context, cfg scenarios.Config, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	if wait > 0 {
		// The last try ends with the wait, not 5 s after it.
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(healthRetry))
		defer cancel()
	}
	for {
		_, err := scenarios.Health(ctx, cfg)
		if err == nil {
			return nil
		}
		if !time.Now().Add(healthRetry).Before(deadline) {
			if wait > 0 {
				return fmt.Errorf("not healthy after %s: %w", wait, err)
			}
			return err
		}
		select {
		case <-ctx.Done():
			return err
		case <-time.After(healthRetry):
		}
	}
}
