package scenarios_test

import (
	"context"
	"net"
	"os"
	"strings"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/features"
	"github.com/fakeidp/fakeidp/scenarios"
)

// TestComposeFixtures checks that fixtures/compose.yaml is the default
// fixtures plus public URLs, and runs the whole contract the way the
// compose "verify" service does: against a running fakeidp whose sites
// are reached by their real host names.
func TestComposeFixtures(t *testing.T) {
	t.Parallel()
	checkSameFixtures(t)
	compose, err := config.Load("../fixtures/compose.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if got := compose.Sites["kontur"].PublicURL; got != "http://identity.testkontur.ru:8080" {
		t.Errorf("kontur public_url = %q", got)
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

// checkSameFixtures compares the two files as text: everything from the
// signing keys on must be the same, so compose runs the default fixtures.
func checkSameFixtures(t *testing.T) {
	t.Helper()
	tail := func(path string) string {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		_, rest, ok := strings.Cut(string(b), "\n# RS256 signing keys")
		if !ok {
			t.Fatalf("%s: no \"# RS256 signing keys\" section", path)
		}
		return rest
	}
	if tail("../fixtures/compose.yaml") != tail("../fixtures/fakeidp.yaml") {
		t.Error("fixtures/compose.yaml differs from fixtures/fakeidp.yaml after the sites: copy the change over")
	}
}
