package scenarios_test

import (
	"context"
	"crypto/x509"
	"net"
	"reflect"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/features"
	"github.com/fakeidp/fakeidp/scenarios"
)

// TestComposeFixtures checks that fixtures/compose.yaml, merged onto the
// defaults as --config merges it, is the default fixtures plus public
// URLs, and runs the whole contract the way the compose "verify" service
// does: against a running fakeidp whose sites are reached by their real
// host names.
func TestComposeFixtures(t *testing.T) {
	t.Parallel()
	defaults, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	compose, err := config.LoadOverlay("../fixtures/compose.yaml", defaults)
	if err != nil {
		t.Fatal(err)
	}
	if got := compose.Sites["kontur"].PublicURL; got != "http://identity.testkontur.ru:8080" {
		t.Errorf("kontur public_url = %q", got)
	}
	if !reflect.DeepEqual(compose.Kontur, defaults.Kontur) || !reflect.DeepEqual(compose.Keys, defaults.Keys) {
		t.Error("the compose overlay changes more than the sites and the control API's names")
	}

	srv := fakeidp.StartTest(t, fakeidp.Options{Config: compose, ControlToken: "compose-token"})
	addr := srv.URL()[len("http://"):]
	// As the compose network's aliases do: every host name is the fakeidp.
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}
	cfg := scenarios.Config{URL: "http://fakeidp:8080", ControlToken: "compose-token", DialContext: dial}
	resolved, err := scenarios.Resolve(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	if got := resolved.Sites["doktornarabote-auth"]; got != "http://testauthpartner.doktornarabote.ru:8080" {
		t.Errorf("resolved doktornarabote-auth = %q, want its public URL", got)
	}
	if status := scenarios.Run(cfg, features.FS, scenarios.RunOptions{Seed: 7, TestingT: t}); status != 0 {
		t.Fatalf("the contract failed against the compose fixtures (status %d)", status)
	}
}

// TestComposeOverHTTPS runs the contract the way the compose
// "verify-https" service does: through TLS to the service name, trusting
// the CA from the shared volume (here CACertPEM), with the compose fixtures
// whose public URLs are http ones for the HTTP listener.
func TestComposeOverHTTPS(t *testing.T) {
	t.Parallel()
	defaults, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	compose, err := config.LoadOverlay("../fixtures/compose.yaml", defaults)
	if err != nil {
		t.Fatal(err)
	}
	srv := fakeidp.StartTLS(t, fakeidp.Options{Config: compose, ControlToken: "compose-token", TLSHosts: []string{"fakeidp"}})
	tlsAddr := srv.TLSURL()[len("https://"):]
	// As the compose network's aliases do, on 443: every host name is the
	// fakeidp's TLS listener.
	dial := func(ctx context.Context, network, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, network, tlsAddr)
	}
	roots := x509.NewCertPool()
	roots.AppendCertsFromPEM(srv.CACertPEM())
	cfg := scenarios.Config{URL: "https://fakeidp", ControlToken: "compose-token", DialContext: dial, RootCAs: roots}
	if status := scenarios.Run(cfg, features.FS, scenarios.RunOptions{Seed: 7, TestingT: t}); status != 0 {
		t.Fatalf("the contract failed over https against the compose fixtures (status %d)", status)
	}
}
