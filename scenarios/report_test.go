package scenarios_test

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/features"
	"github.com/fakeidp/fakeidp/scenarios"
)

type junitReport struct {
	Tests   int    `xml:"tests,attr"`
	Skipped int    `xml:"skipped,attr"`
	Time    string `xml:"time,attr"`
	Suites  []struct {
		Name    string `xml:"name,attr"`
		Tests   int    `xml:"tests,attr"`
		Skipped int    `xml:"skipped,attr"`
		Time    string `xml:"time,attr"`
		Cases   []struct {
			Name    string    `xml:"name,attr"`
			Status  string    `xml:"status,attr"`
			Time    string    `xml:"time,attr"`
			Skipped *struct{} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

type cucumberReport []struct {
	Name     string `json:"name"`
	Elements []struct {
		Name  string `json:"name"`
		Steps []struct {
			Result struct {
				Status string `json:"status"`
			} `json:"result"`
		} `json:"steps"`
	} `json:"elements"`
}

func readJUnit(t *testing.T, path string) junitReport {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var r junitReport
	if err := xml.Unmarshal(b, &r); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return r
}

// Against real sites, a scenario whose site has no target is skipped, not
// passed: in JUnit (status, <skipped>, the counts) and in cucumber JSON
// (every step).
func TestReportsSkipUntargetedSites(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	dir := t.TempDir()
	junit, cucumber := filepath.Join(dir, "r.xml"), filepath.Join(dir, "r.json")
	var progress bytes.Buffer
	status := scenarios.Run(scenarios.Config{Sites: map[string]string{"kontur": srv.SiteURL("kontur")}}, features.FS, scenarios.RunOptions{
		Tags: "@kontur,@livedigital", Seed: 5, Output: &progress,
		Format: "progress,junit:" + junit + ",cucumber:" + cucumber,
	})
	if status != 0 {
		t.Fatalf("status %d", status)
	}
	r := readJUnit(t, junit)
	// livedigital has no target, nor have Kontur's API sites.
	summary := fmt.Sprintf("%d scenarios (%d passed, %d skipped)\n", r.Tests, r.Tests-r.Skipped, r.Skipped)
	if !strings.Contains(progress.String(), summary) {
		t.Errorf("the progress summary does not say %q:\n%s", summary, progress.String())
	}
	var livedigital int
	for _, s := range r.Suites {
		untargeted := strings.HasPrefix(s.Name, "livedigital") || strings.HasPrefix(s.Name, "Kontur's APIs")
		for _, c := range s.Cases {
			if want := map[bool]string{true: "skipped", false: "passed"}[untargeted]; c.Status != want || (c.Skipped != nil) != untargeted {
				t.Errorf("%s / %s: status %q (skipped element %v), want %s", s.Name, c.Name, c.Status, c.Skipped != nil, want)
			}
		}
		if untargeted {
			livedigital += s.Tests
			if s.Skipped != s.Tests {
				t.Errorf("%s: skipped=%d of %d", s.Name, s.Skipped, s.Tests)
			}
		}
	}
	if livedigital == 0 || r.Skipped != livedigital {
		t.Errorf("testsuites skipped=%d, want the %d livedigital and Kontur API scenarios", r.Skipped, livedigital)
	}

	b, err := os.ReadFile(cucumber)
	if err != nil {
		t.Fatal(err)
	}
	var cr cucumberReport
	if err := json.Unmarshal(b, &cr); err != nil {
		t.Fatal(err)
	}
	for _, f := range cr {
		for _, e := range f.Elements {
			for i, st := range e.Steps {
				untargeted := strings.HasPrefix(f.Name, "livedigital") || strings.HasPrefix(f.Name, "Kontur's APIs")
				if untargeted && st.Result.Status != "skipped" {
					t.Errorf("cucumber %s / %s step %d: %q, want skipped", f.Name, e.Name, i+1, st.Result.Status)
				}
			}
		}
	}
}

// JUnit times are never negative, and a feature lasts at least as long as
// each of its scenarios, whatever order the scenarios ran in.
func TestJUnitTimes(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "r.xml")
	for _, concurrency := range []int{1, 4} {
		if status := scenarios.Run(scenarios.Config{}, features.FS, scenarios.RunOptions{
			Tags: "~@fake", Seed: 7, Concurrency: concurrency, Format: "junit:" + path,
		}); status != 0 {
			t.Fatalf("status %d", status)
		}
		r := readJUnit(t, path)
		if secs(t, r.Time) < 0 {
			t.Errorf("testsuites time %s", r.Time)
		}
		for _, s := range r.Suites {
			suite := secs(t, s.Time)
			for _, c := range s.Cases {
				if tc := secs(t, c.Time); tc < 0 || tc > suite {
					t.Errorf("concurrency %d: %s: scenario %q time %s, feature time %s", concurrency, s.Name, c.Name, c.Time, s.Time)
				}
			}
		}
	}
}

func secs(t *testing.T, s string) float64 {
	t.Helper()
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("time %q: %v", s, err)
	}
	return f
}
