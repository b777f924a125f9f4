package scenarios_test

import (
	"path/filepath"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/features"
	"github.com/fakeidp/fakeidp/scenarios"
)

// With kontur.auto_login the authorize URL redirects at once: the steps
// follow the redirect, so the code flow passes, and only the scenarios
// about the login page itself are skipped, in process and against a
// running fakeidp alike.
func TestContractWithAutoLogin(t *testing.T) {
	t.Parallel()
	def, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	fixtures := *def
	fixtures.Kontur.AutoLogin = "user@login.ru"
	opts := fakeidp.Options{Config: &fixtures}
	running := fakeidp.StartTest(t, opts)
	for name, cfg := range map[string]scenarios.Config{
		"in process": {Server: opts},
		"--url":      {URL: running.URL()},
	} {
		report := filepath.Join(t.TempDir(), "r.xml")
		if status := scenarios.Run(cfg, features.FS, scenarios.RunOptions{
			Tags: "@kontur", Seed: 11, Format: "junit:" + report,
		}); status != 0 {
			t.Fatalf("%s: status %d", name, status)
		}
		skipped := map[string]bool{}
		for _, s := range readJUnit(t, report).Suites {
			for _, c := range s.Cases {
				if c.Status == "skipped" {
					skipped[c.Name] = true
				}
			}
		}
		want := []string{"The authorize URL shows the user a login page", "The user refuses: the browser returns with access_denied and the state"}
		if len(skipped) != len(want) || !skipped[want[0]] || !skipped[want[1]] {
			t.Errorf("%s: skipped %v, want exactly %q", name, skipped, want)
		}
	}
}
