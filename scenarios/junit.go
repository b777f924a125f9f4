package scenarios

import (
	"encoding/xml"
	"fmt"
	"io"
	"os"
	"sort"
	"strconv"
	"time"

	"github.com/cucumber/godog"
	"github.com/cucumber/godog/formatters"
	messages "github.com/cucumber/messages/go/v21"
)

// junitFormat is the formatter Run uses for "junit". godog's own (v0.15)
// reports a scenario whose steps were all skipped as passed, never counts
// skipped scenarios, and measures a feature from its first scenario by id
// to its last, which is negative when they ran in another order. This one
// keeps its XML shape and fixes those three.
const junitFormat = "fakeidp-junit"

func init() {
	godog.Format(junitFormat, "JUnit XML: skipped scenarios counted as skipped, wall-clock times", newJUnit)
}

type junitFmt struct {
	*godog.BaseFmt // holds the run's results (Storage)
	suite          string
	out            io.Writer
}

func newJUnit(suite string, out io.Writer) formatters.Formatter {
	return &junitFmt{BaseFmt: godog.NewBaseFmt(suite, out), suite: suite, out: out}
}

type junitSuites struct {
	XMLName  xml.Name `xml:"testsuites"`
	Name     string   `xml:"name,attr"`
	Tests    int      `xml:"tests,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Time     string   `xml:"time,attr"`
	Suites   []*junitSuite
}

type junitSuite struct {
	XMLName  xml.Name `xml:"testsuite"`
	Name     string   `xml:"name,attr"`
	Tests    int      `xml:"tests,attr"`
	Skipped  int      `xml:"skipped,attr"`
	Failures int      `xml:"failures,attr"`
	Errors   int      `xml:"errors,attr"`
	Time     string   `xml:"time,attr"`
	Cases    []*junitCase
}

type junitCase struct {
	XMLName xml.Name      `xml:"testcase"`
	Name    string        `xml:"name,attr"`
	Status  string        `xml:"status,attr"`
	Time    string        `xml:"time,attr"`
	Failure *junitMessage `xml:"failure,omitempty"`
	Skipped *junitMessage `xml:"skipped,omitempty"`
	Errors  []junitError  `xml:"error"`
}

type junitMessage struct {
	Message string `xml:"message,attr"`
}

type junitError struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
}

func (f *junitFmt) Summary() {
	f.Lock.Lock()
	defer f.Lock.Unlock()
	if _, err := io.WriteString(f.out, xml.Header); err == nil {
		enc := xml.NewEncoder(f.out)
		enc.Indent("", "  ")
		err = enc.Encode(f.report(time.Now()))
		if err == nil {
			_, err = io.WriteString(f.out, "\n")
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "junit report:", err)
		}
	}
}

func (f *junitFmt) report(now time.Time) *junitSuites {
	all := &junitSuites{Name: f.suite, Time: seconds(now.Sub(f.Storage.MustGetTestRunStarted().StartedAt))}
	features := f.Storage.MustGetFeatures()
	sort.Slice(features, func(i, j int) bool { return features[i].Feature.Name < features[j].Feature.Name })
	for _, ft := range features {
		ts := f.testSuite(ft.Feature.Name, f.Storage.MustGetPickles(ft.Uri))
		all.Suites = append(all.Suites, ts)
		all.Tests += ts.Tests
		all.Skipped += ts.Skipped
		all.Failures += ts.Failures
		all.Errors += ts.Errors
	}
	return all
}

// testSuite is one feature: its time runs from the first scenario's start
// to the last one's end, whatever order they ran in.
func (f *junitFmt) testSuite(name string, pickles []*messages.Pickle) *junitSuite {
	sort.Slice(pickles, func(i, j int) bool { return pickleID(pickles[i]) < pickleID(pickles[j]) })
	ts := &junitSuite{Name: name}
	seen := map[string]int{}
	for _, p := range pickles {
		seen[p.Name]++
	}
	outline := map[string]int{}
	var first, last time.Time
	for _, p := range pickles {
		tc, start, end := f.testCase(p)
		if seen[p.Name] > 1 { // a Scenario Outline's examples
			outline[p.Name]++
			tc.Name += fmt.Sprintf(" #%d", outline[p.Name])
		}
		if !start.IsZero() && (first.IsZero() || start.Before(first)) {
			first = start
		}
		if end.After(last) {
			last = end
		}
		ts.Cases = append(ts.Cases, tc)
		ts.Tests++
		switch tc.Status {
		case "skipped":
			ts.Skipped++
		case "failed":
			ts.Failures++
		case "undefined", "pending", "ambiguous":
			ts.Errors++
		}
	}
	ts.Time = seconds(last.Sub(first))
	return ts
}

// testCase is one scenario. It passed only if every step ran and passed;
// a failure outranks an undefined, pending or ambiguous step, which
// outranks a skipped one.
func (f *junitFmt) testCase(p *messages.Pickle) (tc *junitCase, start, end time.Time) {
	tc = &junitCase{Name: p.Name, Time: "0"}
	start, ran := f.started(p.Id)
	end = start
	var skipped []string
	results := f.stepResults(p.Id)
	for _, r := range results {
		if r.FinishedAt.After(end) {
			end = r.FinishedAt
		}
		text := f.Storage.MustGetPickleStep(r.PickleStepID).Text
		switch status := r.Status.String(); status {
		case "failed":
			if tc.Failure == nil {
				tc.Failure = &junitMessage{Message: fmt.Sprintf("Step %s: %v", text, r.Err)}
			}
		case "undefined", "pending", "ambiguous":
			tc.Errors = append(tc.Errors, junitError{Type: status, Message: "Step " + text})
		case "skipped":
			skipped = append(skipped, text)
		}
	}
	switch {
	case tc.Failure != nil:
		tc.Status = "failed"
	case len(tc.Errors) > 0:
		tc.Status = tc.Errors[0].Type
	case len(skipped) > 0 || !ran || len(results) < len(p.Steps):
		tc.Status = "skipped"
		msg := "not run"
		if len(skipped) > 0 {
			msg = fmt.Sprintf("%d of %d steps skipped, from: %s", len(skipped), len(p.Steps), skipped[0])
		}
		tc.Skipped = &junitMessage{Message: msg}
	default:
		tc.Status = "passed"
	}
	if ran {
		tc.Time = seconds(end.Sub(start))
	}
	return tc, start, end
}

// started is when the scenario began; false if it never did (godog
// stopped early).
func (f *junitFmt) started(pickleID string) (at time.Time, ok bool) {
	defer func() {
		if recover() != nil {
			at, ok = time.Time{}, false
		}
	}()
	return f.Storage.MustGetPickleResult(pickleID).StartedAt, true
}

// stepResult is the part of godog's step result the report reads.
type stepResult struct {
	PickleStepID string
	Status       fmt.Stringer
	FinishedAt   time.Time
	Err          error
}

func (f *junitFmt) stepResults(pickleID string) (out []stepResult) {
	defer func() {
		if recover() != nil {
			out = nil
		}
	}()
	for _, r := range f.Storage.MustGetPickleStepResultsByPickleID(pickleID) {
		out = append(out, stepResult{r.PickleStepID, r.Status, r.FinishedAt, r.Err})
	}
	return out
}

func pickleID(p *messages.Pickle) int {
	n, _ := strconv.Atoi(p.Id)
	return n
}

// seconds is a JUnit time; never negative.
func seconds(d time.Duration) string {
	return strconv.FormatFloat(max(d, 0).Seconds(), 'f', -1, 64)
}
