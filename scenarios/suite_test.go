package scenarios_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/features"
	"github.com/fakeidp/fakeidp/scenarios"
)

// TestContract runs every feature against the target the environment
// names (in-process by default; see scenarios.FromEnv). Reports go to
// $FAKEIDP_REPORTS, else to a temporary directory. FAKEIDP_SEED replays
// a scenario order; FAKEIDP_TAGS narrows the run.
func TestContract(t *testing.T) {
	t.Parallel()
	cfg, err := scenarios.FromEnv()
	if err != nil {
		t.Fatal(err)
	}
	dir := os.Getenv("FAKEIDP_REPORTS")
	if dir == "" {
		dir = t.TempDir()
	} else if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	seed := time.Now().UnixNano()
	if s := os.Getenv("FAKEIDP_SEED"); s != "" {
		if seed, err = strconv.ParseInt(s, 10, 64); err != nil {
			t.Fatalf("FAKEIDP_SEED: %v", err)
		}
	}
	t.Logf("target: %s; scenario order seed %d (replay with FAKEIDP_SEED=%d); reports in %s", cfg.Kind(), seed, seed, dir)
	status := scenarios.Run(cfg, features.FS, scenarios.RunOptions{
		Tags: os.Getenv("FAKEIDP_TAGS"),
		Format: "progress,junit:" + filepath.Join(dir, "contract-junit.xml") +
			",cucumber:" + filepath.Join(dir, "contract-cucumber.json"),
		Seed:     seed,
		TestingT: t,
	})
	if status != 0 {
		t.Fatalf("the contract failed (godog status %d, seed %d)", status, seed)
	}
}
