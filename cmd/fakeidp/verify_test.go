package main

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
)

func verify(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var stdout, stderr bytes.Buffer
	code := runVerify(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestVerifyPassesAgainstARunningFake(t *testing.T) {
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	report := filepath.Join(t.TempDir(), "report.xml")
	code, _, stderr := verify(t, "--url", srv.URL(), "--format", "junit", "--out", report)
	if code != 0 {
		t.Fatalf("verify --url: exit %d, want 0\n%s", code, stderr)
	}
	b, err := os.ReadFile(report)
	if err != nil {
		t.Fatal(err)
	}
	var suites struct {
		Tests    int `xml:"tests,attr"`
		Failures int `xml:"failures,attr"`
	}
	if err := xml.Unmarshal(b, &suites); err != nil {
		t.Fatalf("junit report: %v", err)
	}
	if suites.Tests < 50 || suites.Failures != 0 {
		t.Errorf("report: %d scenarios, %d failures; want the whole contract, no failure", suites.Tests, suites.Failures)
	}
}

func TestVerifyInProcessByTag(t *testing.T) {
	code, stdout, stderr := verify(t, "--tags", "@doktornarabote and not @fake", "--format", "progress")
	if code != 0 {
		t.Fatalf("verify: exit %d\n%s\n%s", code, stdout, stderr)
	}
	if !strings.Contains(stdout, "passed") {
		t.Errorf("no summary in the report:\n%s", stdout)
	}
}

// freeURL is a loopback URL where nothing listens.
func freeURL(t *testing.T) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + l.Addr().String()
	l.Close()
	return u
}

func TestVerifyUnreachableFailsFast(t *testing.T) {
	for _, args := range [][]string{
		{"--url", freeURL(t)},
		{"--target", "kontur=" + freeURL(t)},
	} {
		start := time.Now()
		code, _, stderr := verify(t, args...)
		if code != 1 || !strings.Contains(stderr, "cannot reach") || !strings.Contains(stderr, args[1][strings.Index(args[1], "http"):]) {
			t.Errorf("%v: exit %d, stderr %q; want 1 and a message naming the URL", args, code, stderr)
		}
		if took := time.Since(start); took > 5*time.Second {
			t.Errorf("%v: took %s, want a fast failure", args, took)
		}
	}
}

func TestVerifyHTMLTargetFailsWithExpectation(t *testing.T) {
	html := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		_, _ = w.Write([]byte("<html><body>maintenance</body></html>"))
	}))
	defer html.Close()
	code, stdout, _ := verify(t, "--target", "kontur="+html.URL, "--tags", "@kontur", "--format", "pretty")
	if code != 1 {
		t.Fatalf("exit %d, want 1", code)
	}
	if !strings.Contains(stdout, "expected a JSON body from") || !strings.Contains(stdout, "text/html") {
		t.Errorf("the report does not say a JSON body was expected:\n%s", stdout)
	}
}

func TestVerifyUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--tags", "@kontur &&"},
		{"--tags", "@a or @b and @c"},
		{"--tags", "(@kontur)"},
		{"--format", "html"},
		{"--target", "nosuchsite=http://127.0.0.1:1"},
		{"--target", "kontur"},
		{"--url", "not a url"},
		{"--health"},
		{"extra"},
		{"--url", "http://127.0.0.1:1", "--target", "kontur=http://127.0.0.1:1"},
		{"--url", "http://127.0.0.1:1", "--url", "http://127.0.0.1:2", "--out", "report.xml"},
	} {
		if code, _, stderr := verify(t, args...); code != 2 || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want a usage error (2)", args, code, stderr)
		}
	}
}

func TestVerifyHealth(t *testing.T) {
	srv := fakeidp.StartTest(t, fakeidp.Options{ControlToken: "s3cret"})
	t.Setenv("FAKEIDP_CONTROL_TOKEN", "")
	if code, _, stderr := verify(t, "--health", "--url", srv.URL()); code != 1 || !strings.Contains(stderr, "FAKEIDP_CONTROL_TOKEN") {
		t.Errorf("without the token: exit %d, %q; want 1 naming FAKEIDP_CONTROL_TOKEN", code, stderr)
	}
	t.Setenv("FAKEIDP_CONTROL_TOKEN", "s3cret")
	if code, _, stderr := verify(t, "--health", "--url", srv.URL()); code != 0 {
		t.Errorf("with the token: exit %d, %s", code, stderr)
	}
	if code, _, _ := verify(t, "--health", "--url", freeURL(t)); code != 1 {
		t.Errorf("unreachable: exit %d, want 1", code)
	}
}

func TestVerifySendsTheControlToken(t *testing.T) {
	srv := fakeidp.StartTest(t, fakeidp.Options{ControlToken: "s3cret"})
	t.Setenv("FAKEIDP_CONTROL_TOKEN", "s3cret")
	if code, stdout, stderr := verify(t, "--url", srv.URL(), "--tags", "@errors", "--format", "progress"); code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, stdout, stderr)
	}
}

// Four verify runs against one running fakeidp at once all pass: each
// scenario has a sandbox of its own. The root keeps what it had (here a
// preset that resets every connection, which no scenario would survive)
// and no sandbox is left behind.
func TestVerifyRunsInSandboxes(t *testing.T) {
	srv := fakeidp.StartTest(t, fakeidp.Options{Presets: []string{"connection-reset"}})
	srv.Clock().Advance(time.Hour)
	codes := make(chan string, 4)
	for range 4 {
		go func() {
			var stdout, stderr bytes.Buffer
			code := runVerify([]string{"--url", srv.URL(), "--tags", "@errors", "--concurrency", "4", "--format", "progress"}, &stdout, &stderr)
			codes <- fmt.Sprintf("%d %s %s", code, stderr.String(), summaryLine(stdout.String()))
		}()
	}
	for range 4 {
		if got := <-codes; !strings.HasPrefix(got, "0 ") || !strings.Contains(got, " passed)") || strings.Contains(got, "failed") {
			t.Errorf("verify: exit %s", got)
		}
	}
	if n := len(srv.Faults().List()); n == 0 || srv.Clock().Offset() != time.Hour {
		t.Errorf("the root changed: %d fault rules, clock offset %v", n, srv.Clock().Offset())
	}
	resp, err := http.Get(srv.URL() + "/_fakeidp/sandboxes")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Sandboxes []any `json:"sandboxes"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&list); err != nil || len(list.Sandboxes) != 0 {
		t.Errorf("sandboxes left behind: %v %v", list.Sandboxes, err)
	}
}

// summaryLine is godog's "N scenarios (…)" line.
func summaryLine(report string) string {
	for _, line := range strings.Split(report, "\n") {
		if strings.Contains(line, " scenarios (") {
			return line
		}
	}
	return "(no summary line)"
}

// allPassed is godog's summary line of a run without a failure.
var allPassed = regexp.MustCompile(`(?m)^\d+ scenarios \(\d+ passed\)$`)

// Repeated --url runs the contract against each in turn, all of them even
// after a failure, and exits non-zero exactly when one failed: what the
// compose verify service relies on to cover HTTP and HTTPS in one run.
func TestVerifySeveralURLs(t *testing.T) {
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	down := freeURL(t)
	for _, tt := range []struct {
		urls []string
		code int
	}{
		{[]string{srv.URL(), srv.URL() + "/"}, 0},
		{[]string{down, srv.URL()}, 1},
		{[]string{srv.URL(), down}, 1},
	} {
		args := []string{"--tags", "@errors", "--format", "progress"}
		for _, u := range tt.urls {
			args = append(args, "--url", u)
		}
		code, stdout, stderr := verify(t, args...)
		if code != tt.code {
			t.Errorf("%v: exit %d, want %d\n%s\n%s", tt.urls, code, tt.code, stdout, stderr)
		}
		for _, u := range tt.urls {
			if !strings.Contains(stdout, "fakeidp verify: the contract against "+u+"\n") {
				t.Errorf("%v: %s was not run:\n%s", tt.urls, u, stdout)
			}
		}
		if passed := len(allPassed.FindAllString(stdout, -1)); passed != strings.Count(strings.Join(tt.urls, " "), srv.URL()) {
			t.Errorf("%v: %d runs passed:\n%s", tt.urls, passed, stdout)
		}
		if tt.code != 0 && !strings.Contains(stderr, "the contract failed against the running fakeidp at "+down) {
			t.Errorf("%v: the failure does not name %s: %s", tt.urls, down, stderr)
		}
	}
}
