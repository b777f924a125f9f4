package main

import (
	"fmt"
	"io"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"
)

// slowUpload opens a request whose body never finishes arriving, as a
// slow client's upload, and returns its connection.
func slowUpload(t *testing.T, base string) net.Conn {
	t.Helper()
	conn, err := net.Dial("tcp", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	_, err = fmt.Fprintf(conn, "POST /kontur/connect/token HTTP/1.1\r\nHost: %s\r\n"+
		"Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 100000\r\n\r\ngrant_type=", strings.TrimPrefix(base, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

func (p *proc) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := p.cmd.Process.Signal(sig); err != nil {
		t.Fatal(err)
	}
}

func (p *proc) exit(t *testing.T, limit time.Duration) (int, time.Duration) {
	t.Helper()
	start := time.Now()
	select {
	case code := <-p.exitCode:
		return code, time.Since(start)
	case <-time.After(limit):
		t.Fatalf("still running %s after the signal; stderr:\n%s", limit, p.stderr.text())
		return 0, 0
	}
}

// Past --shutdown-timeout, a slow upload's connection is closed and the
// exit status is 0.
func TestShutdownTimeoutClosesSlowUploads(t *testing.T) {
	p := startBinary(t, "--addr", "127.0.0.1:0", "--shutdown-timeout", "1s")
	conn := slowUpload(t, p.base)
	time.Sleep(100 * time.Millisecond) // let the server start reading the body
	sent := time.Now()
	p.signal(t, syscall.SIGTERM)
	code, _ := p.exit(t, 8*time.Second)
	took := time.Since(sent)
	if code != 0 {
		t.Errorf("exit %d, want 0; stderr:\n%s", code, p.stderr.text())
	}
	if took < time.Second {
		t.Errorf("exited after %s, before the 1s shutdown timeout", took)
	}
	if !strings.Contains(p.stderr.text(), "closing the remaining connections") {
		t.Errorf("the log does not say connections were closed:\n%s", p.stderr.text())
	}
	_ = conn.SetReadDeadline(time.Now().Add(2 * time.Second))
	if _, err := conn.Read(make([]byte, 1)); err == nil || isTimeout(err) {
		t.Errorf("the slow upload's connection is still open: %v", err)
	}
}

// A second signal during shutdown exits at once.
func TestSecondSignalExitsAtOnce(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGINT, syscall.SIGTERM} {
		p := startBinary(t, "--addr", "127.0.0.1:0", "--shutdown-timeout", "30s")
		slowUpload(t, p.base)
		time.Sleep(100 * time.Millisecond)
		p.signal(t, sig)
		if !p.stderr.waitFor("shutting down", 5*time.Second) {
			t.Fatalf("no shutdown log after the first %s:\n%s", sig, p.stderr.text())
		}
		p.signal(t, sig)
		code, _ := p.exit(t, 5*time.Second)
		if code != 128+int(sig) {
			t.Errorf("second %s: exit %d, want %d", sig, code, 128+int(sig))
		}
	}
}

func isTimeout(err error) bool {
	ne, ok := err.(net.Error)
	return ok && ne.Timeout() && err != io.EOF
}
