package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
)

func health(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := runHealth(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestHealthCommand(t *testing.T) {
	t.Setenv("FAKEIDP_CONTROL_TOKEN", "")
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	if code, stdout, stderr := health("--url", srv.URL()); code != 0 || !strings.Contains(stdout, "healthy") {
		t.Errorf("a running fakeidp: exit %d, %q %q; want 0", code, stdout, stderr)
	}
	down := freeURL(t)
	start := time.Now()
	code, _, stderr := health("--url", down)
	if code != 1 || !strings.Contains(stderr, "cannot reach") || !strings.Contains(stderr, down) {
		t.Errorf("nothing listening: exit %d, %q; want 1 with the reason", code, stderr)
	}
	code, _, stderr = health("--url", down, "--wait", "400ms")
	if took := time.Since(start); code != 1 || !strings.Contains(stderr, "not healthy after 400ms") || took > 4*time.Second {
		t.Errorf("--wait 400ms, nothing listening: exit %d after %s, %q; want 1 soon after the wait", code, took, stderr)
	}
	notFake := httptest.NewServer(http.NotFoundHandler())
	defer notFake.Close()
	if code, _, stderr := health("--url", notFake.URL); code != 1 || !strings.Contains(stderr, "not a fakeidp") {
		t.Errorf("another server: exit %d, %q; want 1, not a fakeidp", code, stderr)
	}
	for _, args := range [][]string{{"--wait", "-1s"}, {"--url", "not a url"}, {"--url", srv.URL(), "extra"}, {"--ca", "/nonexistent/ca.pem"}} {
		if code, _, stderr := health(args...); code != 2 || stderr == "" {
			t.Errorf("%v: exit %d, %q; want a usage error (2)", args, code, stderr)
		}
	}
}

// With --wait, a fakeidp that is not ready yet is asked again until it
// answers.
func TestHealthWaits(t *testing.T) {
	t.Setenv("FAKEIDP_CONTROL_TOKEN", "")
	srv, err := fakeidp.New(fakeidp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	var tries atomic.Int32
	starting := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if tries.Add(1) <= 3 {
			http.Error(w, "starting", http.StatusServiceUnavailable)
			return
		}
		srv.Handler().ServeHTTP(w, r)
	}))
	defer starting.Close()
	if code, _, stderr := health("--url", starting.URL); code != 1 {
		t.Errorf("without --wait, a server that is starting: exit %d, %q; want 1 at once", code, stderr)
	}
	if code, _, stderr := health("--url", starting.URL, "--wait", "10s"); code != 0 || tries.Load() != 4 {
		t.Errorf("--wait 10s: exit %d after %d tries, %q; want 0 at the fourth", code, tries.Load(), stderr)
	}
}

// The control token comes from FAKEIDP_CONTROL_TOKEN, as compose's health
// check needs.
func TestHealthSendsTheControlToken(t *testing.T) {
	srv := fakeidp.StartTest(t, fakeidp.Options{ControlToken: "s3cret"})
	t.Setenv("FAKEIDP_CONTROL_TOKEN", "")
	if code, _, stderr := health("--url", srv.URL()); code != 1 || !strings.Contains(stderr, "FAKEIDP_CONTROL_TOKEN") {
		t.Errorf("without the token: exit %d, %q; want 1 naming FAKEIDP_CONTROL_TOKEN", code, stderr)
	}
	t.Setenv("FAKEIDP_CONTROL_TOKEN", "s3cret")
	if code, _, stderr := health("--url", srv.URL()); code != 0 {
		t.Errorf("with the token: exit %d, %q", code, stderr)
	}
}
