package main

import (
	"bufio"
	"bytes"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestMain lets the tests run this binary's main as a child process.
func TestMain(m *testing.M) {
	if os.Getenv("FAKEIDP_TEST_MAIN") == "1" {
		main()
		return
	}
	code := m.Run()
	removeBinary()
	os.Exit(code)
}

// child starts the CLI with args and returns it with the base URL it
// printed.
func child(t *testing.T, args ...string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], args...)
	cmd.Env = append(os.Environ(), "FAKEIDP_TEST_MAIN=1", "FAKEIDP_CONTROL_TOKEN=")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		t.Fatalf("no start line: %v", err)
	}
	m := regexp.MustCompile(`listening on (http://127\.0\.0\.1:(\d+))`).FindStringSubmatch(line)
	if m == nil || m[2] == "0" {
		t.Fatalf("start line %q does not name the chosen port", line)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	return cmd, m[1]
}

// Port 0 picks a free port and prints it; SIGTERM lets an in-flight
// request finish and exits 0.
func TestServeAndGracefulShutdown(t *testing.T) {
	cmd, base := child(t, "--addr", "127.0.0.1:0")
	resp, err := http.Post(base+"/_fakeidp/faults", "application/json",
		strings.NewReader(`{"match":{"site":"kontur","path":"/.well-known/openid-configuration"},"effect":{"type":"latency","delay":"700ms"}}`))
	if err != nil || resp.StatusCode != http.StatusCreated {
		t.Fatalf("add latency rule: %v %v", err, resp)
	}
	resp.Body.Close()
	done := make(chan int, 1)
	go func() {
		resp, err := http.Get(base + "/kontur/.well-known/openid-configuration")
		if err != nil {
			done <- 0
			return
		}
		resp.Body.Close()
		done <- resp.StatusCode
	}()
	time.Sleep(200 * time.Millisecond)
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if status := <-done; status != http.StatusOK {
		t.Errorf("in-flight request during shutdown: status %d, want 200", status)
	}
	if err := cmd.Wait(); err != nil {
		t.Errorf("exit: %v", err)
	}
}

func TestRefusals(t *testing.T) {
	t.Setenv("FAKEIDP_CONTROL_TOKEN", "")
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("kontur:\n  clients:\n    - {id: x, secret: \"\", grant_types: [magic]}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		args     []string
		code     int
		inStderr string
	}{
		{"non-loopback without a control token", []string{"--addr", "0.0.0.0:0"}, 1, "control token"},
		{"invalid fixtures", []string{"--addr", "127.0.0.1:0", "--config", bad}, 1, "kontur.clients[0].grant_types[0]"},
		{"missing fixtures", []string{"--config", filepath.Join(t.TempDir(), "none.yaml")}, 1, "none.yaml"},
		{"unknown preset", []string{"--addr", "127.0.0.1:0", "--preset", "no-such"}, 1, "unknown preset"},
		{"unknown flag", []string{"--frobnicate"}, 2, "frobnicate"},
		{"bad log level", []string{"--log-level", "loud"}, 2, "log-level"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(tt.args, &stdout, &stderr); code != tt.code || !strings.Contains(stderr.String(), tt.inStderr) {
				t.Errorf("exit %d, stderr %q; want %d mentioning %q", code, stderr.String(), tt.code, tt.inStderr)
			}
		})
	}
}
