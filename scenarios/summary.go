package scenarios

import (
	"bytes"
	"fmt"
	"io"
	"regexp"
	"strings"
	"time"

	"github.com/cucumber/godog"
	"github.com/cucumber/godog/formatters"
)

// Run maps "progress" and "pretty" to these. They are godog's, except for
// the summary's scenario line: godog counts a scenario whose steps were
// all skipped as passed ("62 scenarios (62 passed)" when 25 never ran).
// The line is recounted as the JUnit report counts (see junitFmt).
const (
	progressFormat = "fakeidp-progress"
	prettyFormat   = "fakeidp-pretty"
)

func init() {
	godog.Format(progressFormat, "godog's progress, skipped scenarios counted as skipped", func(suite string, out io.Writer) formatters.Formatter {
		w := &summaryWriter{out: out}
		f := formatters.FindFmt("progress")(suite, w).(*godog.ProgressFmt)
		return &progressFmt{ProgressFmt: f, w: w}
	})
	godog.Format(prettyFormat, "godog's pretty, skipped scenarios counted as skipped", func(suite string, out io.Writer) formatters.Formatter {
		w := &summaryWriter{out: out}
		f := formatters.FindFmt("pretty")(suite, w).(*godog.PrettyFmt)
		return &prettyFmt{PrettyFmt: f, w: w}
	})
}

type progressFmt struct {
	*godog.ProgressFmt
	w *summaryWriter
}

func (f *progressFmt) Summary() { f.w.recount(f.ProgressFmt.Summary, f.ProgressFmt.Base) }

type prettyFmt struct {
	*godog.PrettyFmt
	w *summaryWriter
}

func (f *prettyFmt) Summary() { f.w.recount(f.PrettyFmt.Summary, f.PrettyFmt.Base) }

// summaryWriter passes a formatter's output through, except its summary,
// which it holds to rewrite the scenario line.
type summaryWriter struct {
	out  io.Writer
	held *bytes.Buffer
}

func (w *summaryWriter) Write(p []byte) (int, error) {
	if w.held != nil {
		return w.held.Write(p)
	}
	return w.out.Write(p)
}

var scenarioLine = regexp.MustCompile(`(?m)^\d+ scenarios \(.*\)$`)

// recount runs summary and writes it with the scenario line recounted
// from the run's results in base.
func (w *summaryWriter) recount(summary func(), base *godog.BaseFmt) {
	w.held = &bytes.Buffer{}
	summary()
	text := w.held.String()
	w.held = nil
	r := (&junitFmt{BaseFmt: base}).report(time.Now())
	if r.Tests > 0 {
		if at := scenarioLine.FindAllStringIndex(text, -1); len(at) > 0 {
			last := at[len(at)-1]
			text = text[:last[0]] + scenarioCounts(r) + text[last[1]:]
		}
	}
	_, _ = io.WriteString(w.out, text)
}

func scenarioCounts(r *junitSuites) string {
	var parts []string
	for _, c := range []struct {
		n    int
		what string
	}{
		{r.Tests - r.Skipped - r.Failures - r.Errors, "passed"},
		{r.Failures, "failed"},
		{r.Errors, "undefined, pending or ambiguous"},
		{r.Skipped, "skipped"},
	} {
		if c.n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", c.n, c.what))
		}
	}
	return fmt.Sprintf("%d scenarios (%s)", r.Tests, strings.Join(parts, ", "))
}
