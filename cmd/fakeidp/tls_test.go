package main

import (
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/tlsca"
)

// fakeidp ca makes the CA once (and its directory) and prints the same
// certificate after.
func TestCACommand(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "fakeidp-tls")
	code, first, stderr := runCLI("ca", "--tls-dir", dir)
	if code != 0 || !strings.HasPrefix(first, "-----BEGIN CERTIFICATE-----") {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, first, stderr)
	}
	if kept, _ := os.ReadFile(filepath.Join(dir, tlsca.CertFile)); string(kept) != first {
		t.Error("the printed certificate is not the kept one")
	}
	t.Setenv("FAKEIDP_TLS_DIR", dir)
	if code, again, _ := runCLI("ca"); code != 0 || again != first {
		t.Errorf("second run (FAKEIDP_TLS_DIR): exit %d, a different certificate: %v", code, again != first)
	}
	// The server started on that directory serves a certificate from it.
	srv, err := startCLI(t, "--tls-addr", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM([]byte(first))
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	defer client.CloseIdleConnections()
	resp, err := client.Get(srv.TLSURL() + "/_fakeidp/ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(body) != first {
		t.Errorf("ca.pem over https: %q", body)
	}
}

func TestTLSRefusals(t *testing.T) {
	t.Setenv("FAKEIDP_CONTROL_TOKEN", "")
	t.Setenv("FAKEIDP_TLS_DIR", "")
	corrupt := t.TempDir()
	if code, _, stderr := runCLI("ca", "--tls-dir", corrupt); code != 0 {
		t.Fatal(stderr)
	}
	if err := os.WriteFile(filepath.Join(corrupt, tlsca.KeyFile), []byte("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	missing := filepath.Join(t.TempDir(), "missing")
	kept := t.TempDir()
	open := t.TempDir()
	if code, _, stderr := runCLI("ca", "--tls-dir", open); code != 0 {
		t.Fatal(stderr)
	}
	if err := os.Chmod(filepath.Join(open, tlsca.KeyFile), 0o640); err != nil {
		t.Fatal(err)
	}
	unwritable := t.TempDir()
	if err := os.Chmod(unwritable, 0o500); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() == 0 {
		unwritable = "/proc/self" // root writes to read-only directories, but not there
	}
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	if code, _, stderr := runCLI("ca", "--tls-dir", kept); code != 0 {
		t.Fatal(stderr)
	}
	serve := []string{"--addr", "127.0.0.1:0", "--tls-addr", "127.0.0.1:0"}
	tests := []struct {
		name     string
		args     []string
		code     int
		inStderr string
	}{
		{"corrupt --tls-dir", append(serve, "--tls-dir", corrupt), 1, filepath.Join(corrupt, tlsca.KeyFile)},
		{"--tls-dir with an open key", append(serve, "--tls-dir", open), 1, "chmod 600 " + filepath.Join(open, tlsca.KeyFile)},
		{"ca on a dir with an open key", []string{"ca", "--tls-dir", open}, 1, "chmod 600 " + filepath.Join(open, tlsca.KeyFile)},
		{"unwritable --tls-dir", append(serve, "--tls-dir", unwritable), 1, "cannot write"},
		{"bad --tls-host", append(serve, "--tls-host", "*.example.test"), 1, `TLS host "*.example.test"`},
		{"--tls-addr in use", append(serve, "--tls-addr", busy.Addr().String()), 1, "--tls-addr"},
		{"ca without a dir", []string{"ca"}, 2, "--tls-dir"},
		{"ca on a corrupt dir", []string{"ca", "--tls-dir", corrupt}, 1, tlsca.KeyFile},
		{"ca with a bad host", []string{"ca", "--tls-dir", t.TempDir(), "--tls-host", "a b"}, 2, "TLS host"},
		{"ca with a host the kept CA lacks", []string{"ca", "--tls-dir", kept, "--tls-host", "api.example.test"}, 1, "api.example.test"},
		{"serve with a host the kept CA lacks", append(serve, "--tls-dir", kept, "--tls-host", "api.example.test"), 1, filepath.Join(kept, tlsca.CertFile)},
		{"verify --ca missing", []string{"verify", "--url", "https://127.0.0.1:1", "--ca", missing}, 2, "missing"},
		{"verify --ca not PEM", []string{"verify", "--url", "https://127.0.0.1:1", "--ca", filepath.Join(corrupt, tlsca.KeyFile)}, 2, "no PEM certificate"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := runCLI(tt.args...)
			if code != tt.code || !strings.Contains(stderr, tt.inStderr) {
				t.Errorf("exit %d, stderr %q; want %d mentioning %q", code, stderr, tt.code, tt.inStderr)
			}
		})
	}
}

// verify --url https://… --ca FILE runs the contract through TLS; without
// --ca the fake's CA is unknown and verify fails.
func TestVerifyOverTLS(t *testing.T) {
	srv := fakeidp.StartTLS(t, fakeidp.Options{})
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, srv.CACertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := verify(t, "--url", srv.TLSURL(), "--ca", ca, "--format", "progress")
	if code != 0 {
		t.Fatalf("verify over https: exit %d\n%s\n%s", code, stdout, stderr)
	}
	code, _, stderr = verify(t, "--url", srv.TLSURL(), "--health")
	if code != 1 || !strings.Contains(stderr, "certificate") {
		t.Errorf("without --ca: exit %d, stderr %q", code, stderr)
	}
}

// --target with an https URL trusts the system roots, as against the real
// providers: here the system roots are the fake's CA, by SSL_CERT_FILE.
func TestVerifyTargetUsesSystemRoots(t *testing.T) {
	srv := fakeidp.StartTLS(t, fakeidp.Options{})
	ca := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(ca, srv.CACertPEM(), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(fakeidpBinary(t), "verify", "--target", "livedigital="+srv.TLSSiteURL("livedigital"),
		"--tags", "@livedigital", "--format", "progress")
	cmd.Env = append(os.Environ(), "SSL_CERT_FILE="+ca, "SSL_CERT_DIR="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("verify --target https with SSL_CERT_FILE: %v\n%s", err, out)
	}
	if !strings.Contains(string(out), "passed") {
		t.Errorf("no scenario passed:\n%s", out)
	}
}

// fakeidp ca --config makes a CA that permits the fixtures' added site
// hosts, which a server with the same --config then serves; a CA made
// without them is refused, naming them.
func TestCACommandWithSiteHosts(t *testing.T) {
	t.Setenv("FAKEIDP_CONTROL_TOKEN", "")
	t.Setenv("FAKEIDP_TLS_DIR", "")
	overlay := filepath.Join(t.TempDir(), "overlay.yaml")
	if err := os.WriteFile(overlay, []byte("sites:\n  extern-api:\n    hosts: [api.kontur.ru]\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	with, without := t.TempDir(), t.TempDir()
	if code, _, stderr := runCLI("ca", "--tls-dir", with, "--config", overlay); code != 0 {
		t.Fatalf("ca --config: exit %d %s", code, stderr)
	}
	if code, _, stderr := runCLI("ca", "--tls-dir", without); code != 0 {
		t.Fatal(stderr)
	}
	code, _, stderr := runCLI("ca", "--tls-dir", without, "--config", overlay)
	if code != 1 || !strings.Contains(stderr, "does not vouch for api.kontur.ru:") {
		t.Errorf("kept CA without the site host: exit %d %q", code, stderr)
	}
	if code, _, stderr := runCLI("ca", "--tls-dir", t.TempDir(), "--config", filepath.Join(with, "missing.yaml")); code != 2 || !strings.Contains(stderr, "missing.yaml") {
		t.Errorf("missing --config: exit %d %q", code, stderr)
	}
	if _, err := startCLI(t, "--tls-addr", "127.0.0.1:0", "--tls-dir", with, "--config", overlay); err != nil {
		t.Fatalf("serving with the CA fakeidp ca made: %v", err)
	}
}
