package main

import (
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// bundleGetEnv names the URLs TestBundleClientHelper gets, in a process
// of its own.
const bundleGetEnv = "FAKEIDP_TEST_BUNDLE_GET"

// A Go client whose SSL_CERT_FILE is "fakeidp ca --bundle" trusts both the
// fake and the services the system roots vouch for; with the CA alone it
// would trust only the fake. A second test CA (httptest's) stands in for
// the system roots: SSL_CERT_FILE and SSL_CERT_DIR point the bundle at it.
// Go reads SSL_CERT_FILE once per process, so the client runs in a child.
func TestCABundle(t *testing.T) {
	system := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {}))
	system.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake below
	system.StartTLS()
	defer system.Close()
	tmp := t.TempDir()
	systemPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: system.Certificate().Raw})
	noDir := filepath.Join(tmp, "certs.d")
	if err := os.Mkdir(noDir, 0o700); err != nil {
		t.Fatal(err)
	}
	write(t, filepath.Join(tmp, "system.pem"), systemPEM)
	t.Setenv("SSL_CERT_FILE", filepath.Join(tmp, "system.pem"))
	t.Setenv("SSL_CERT_DIR", noDir)

	tlsDir := filepath.Join(tmp, "tls")
	if err := os.Mkdir(tlsDir, 0o700); err != nil {
		t.Fatal(err)
	}
	code, bundle, stderr := runCLI("ca", "--tls-dir", tlsDir, "--bundle")
	if code != 0 {
		t.Fatalf("ca --bundle: exit %d, %s", code, stderr)
	}
	caPEM, err := os.ReadFile(filepath.Join(tlsDir, "ca.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if want := string(systemPEM) + string(caPEM); bundle != want {
		t.Errorf("the bundle is not the system roots then the CA:\n%s\nwant:\n%s", bundle, want)
	}
	write(t, filepath.Join(tmp, "bundle.pem"), []byte(bundle))
	// A bundle given as SSL_CERT_FILE is not doubled: the CA stays once.
	t.Setenv("SSL_CERT_FILE", filepath.Join(tmp, "bundle.pem"))
	if _, again, _ := runCLI("ca", "--tls-dir", tlsDir, "--bundle"); again != bundle {
		t.Errorf("ca --bundle with the bundle as SSL_CERT_FILE:\n%s\nwant:\n%s", again, bundle)
	}

	srv, err := startCLI(t, "--tls-addr", "127.0.0.1:0", "--tls-dir", tlsDir)
	if err != nil {
		t.Fatal(err)
	}
	fake := srv.TLSURL() + "/_fakeidp/health"

	got := getInChild(t, filepath.Join(tmp, "bundle.pem"), noDir, fake, system.URL)
	if got[fake] != "200" || got[system.URL] != "200" {
		t.Errorf("SSL_CERT_FILE=bundle.pem: %v; want 200 from both", got)
	}
	// The reason for the bundle: the CA alone replaces the system roots.
	got = getInChild(t, filepath.Join(tlsDir, "ca.pem"), noDir, fake, system.URL)
	if got[fake] != "200" || !strings.Contains(got[system.URL], "certificate") {
		t.Errorf("SSL_CERT_FILE=ca.pem: %v; want 200 from the fake and a certificate error from the other", got)
	}
}

// getInChild gets each URL from a new test process whose system roots are
// certFile (and certDir), and returns each URL's status or error.
func getInChild(t *testing.T, certFile, certDir string, urls ...string) map[string]string {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestBundleClientHelper$", "-test.count=1")
	cmd.Env = append(os.Environ(), "SSL_CERT_FILE="+certFile, "SSL_CERT_DIR="+certDir, bundleGetEnv+"="+strings.Join(urls, " "))
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	got := map[string]string{}
	for _, line := range strings.Split(string(out), "\n") {
		if u, result, ok := strings.Cut(line, " => "); ok {
			got[u] = result
		}
	}
	return got
}

// TestBundleClientHelper is TestCABundle's client, run in a child process
// so that Go reads the SSL_CERT_FILE given to it.
func TestBundleClientHelper(t *testing.T) {
	urls := os.Getenv(bundleGetEnv)
	if urls == "" {
		t.Skip("a helper process of TestCABundle")
	}
	client := &http.Client{Transport: &http.Transport{}} // the system roots, no proxy
	for _, u := range strings.Fields(urls) {
		resp, err := client.Get(u)
		if err != nil {
			fmt.Printf("%s => %v\n", u, err)
			continue
		}
		resp.Body.Close()
		fmt.Printf("%s => %d\n", u, resp.StatusCode)
	}
}

func write(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(name, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// Without any system root, --bundle refuses rather than print the CA
// alone, which would replace the roots by it.
func TestCABundleWithoutSystemRoots(t *testing.T) {
	empty := t.TempDir()
	t.Setenv("SSL_CERT_FILE", filepath.Join(empty, "none.pem"))
	t.Setenv("SSL_CERT_DIR", empty)
	code, stdout, stderr := runCLI("ca", "--tls-dir", t.TempDir(), "--bundle")
	if code != 1 || stdout != "" || !strings.Contains(stderr, "SSL_CERT_FILE") {
		t.Errorf("exit %d, stdout %q, stderr %q; want 1 naming SSL_CERT_FILE", code, stdout, stderr)
	}
	// Nor when the only "root" is the CA (its directory given as SSL_CERT_DIR).
	code, stdout, stderr = runCLI("ca", "--tls-dir", empty, "--bundle")
	if code != 1 || stdout != "" || !strings.Contains(stderr, "SSL_CERT_FILE") {
		t.Errorf("the CA as the only root: exit %d, stdout %q, stderr %q; want 1 naming SSL_CERT_FILE", code, stdout, stderr)
	}
}
