package scenarios

import (
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/cucumber/godog"
)

// RunOptions choose how Run runs the features.
type RunOptions struct {
	// Tags is a tag expression (see ParseTags); the target's own filter
	// (DefaultTags) is always added.
	Tags string
	// Format is godog's formatter list, e.g. "pretty" or
	// "progress,junit:report.xml,cucumber:report.json". Empty: "progress".
	Format string
	// Output receives the formatter without a file; nil is os.Stdout.
	Output io.Writer
	// Seed orders the scenarios of each feature; 0 picks one at random
	// (godog prints it).
	Seed int64
	// Concurrency is how many scenarios run at once; 0 is 4 for a
	// fakeidp (each scenario has its own server in process, or its own
	// sandbox in a running one) and 1 for the real providers, whose state
	// scenarios would otherwise share.
	Concurrency int
	// TestingT, when set, runs each scenario as a subtest.
	TestingT *testing.T
	// Errors receives Run's own errors (bad options, a target that cannot
	// be reached); nil is os.Stderr.
	Errors io.Writer
}

// Formats are the formatter names Run accepts.
var Formats = []string{"pretty", "progress", "junit", "cucumber", "events"}

// Run runs the features in fsys (every .feature file, recursively)
// against cfg's target with godog in strict mode, and returns godog's
// exit status: 0 passed, 1 failed (or the target cannot be reached), 2
// bad options.
func Run(cfg Config, fsys fs.FS, opts RunOptions) int {
	errOut := opts.Errors
	if errOut == nil {
		errOut = os.Stderr
	}
	tags, err := ParseTags(opts.Tags)
	if err == nil {
		err = cfg.Validate()
	}
	if err == nil {
		err = checkFormat(opts.Format)
	}
	if err != nil {
		fmt.Fprintln(errOut, err)
		return 2
	}
	if cfg, err = Resolve(context.Background(), cfg); err != nil {
		fmt.Fprintln(errOut, err)
		return 1
	}
	suite := godog.TestSuite{
		Name:                "fakeidp contract",
		ScenarioInitializer: func(sc *godog.ScenarioContext) { Register(sc, cfg) },
		Options: &godog.Options{
			Format:      ownFormatters(orDefault(opts.Format, "progress")),
			Output:      opts.Output,
			FS:          fsys,
			Paths:       []string{"."},
			Tags:        joinTags(tags, DefaultTags(cfg)),
			Strict:      true,
			Randomize:   orSeed(opts.Seed),
			Concurrency: concurrency(cfg, opts.Concurrency),
			TestingT:    opts.TestingT,
			NoColors:    true,
		},
	}
	return suite.Run()
}

// checkFormat refuses formatter names godog does not know, before godog
// would create any report file.
func checkFormat(format string) error {
	for _, f := range strings.Split(format, ",") {
		name, _, _ := strings.Cut(f, ":")
		if format != "" && !slices.Contains(Formats, name) {
			return fmt.Errorf("unknown format %q; use one of %s", name, strings.Join(Formats, ", "))
		}
	}
	return nil
}

// ownFormats are the formatters Run uses in place of godog's own, which
// report skipped scenarios as passed (see junit.go, summary.go).
var ownFormats = map[string]string{"junit": junitFormat, "progress": progressFormat, "pretty": prettyFormat}

// ownFormatters swaps godog's formatters for ownFormats in a formatter list
// such as "progress,junit:report.xml".
func ownFormatters(format string) string {
	parts := strings.Split(format, ",")
	for i, p := range parts {
		name, _, _ := strings.Cut(p, ":")
		if own, ok := ownFormats[name]; ok {
			parts[i] = own + p[len(name):]
		}
	}
	return strings.Join(parts, ",")
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func orSeed(seed int64) int64 {
	if seed == 0 {
		return -1 // godog picks one and prints it
	}
	return seed
}

func concurrency(cfg Config, n int) int {
	switch {
	case n > 0:
		return n
	case cfg.Kind() != Real:
		return 4
	default:
		return 1
	}
}

// DefaultTags is the filter every run of a target gets: @wip scenarios
// never run, and @fake ones only against a fakeidp.
func DefaultTags(cfg Config) string {
	if cfg.Kind() == Real {
		return "~@wip && ~@fake"
	}
	return "~@wip"
}

func joinTags(a, b string) string {
	if a == "" {
		return b
	}
	return a + " && " + b
}

var tagTerm = regexp.MustCompile(`^~?@[^\s@,&~()]+$`)

// ParseTags checks a tag expression and returns it in godog's syntax.
// It accepts godog's syntax ("@kontur,@livedigital && ~@fake": commas are
// "or", && is "and", ~ is "not") and the plain Cucumber forms without
// parentheses that mean the same: "@a and not @b", "@a or @b".
func ParseTags(expr string) (string, error) {
	expr = strings.TrimSpace(expr)
	if expr == "" {
		return "", nil
	}
	words := " " + expr + " "
	hasAnd, hasOr := strings.Contains(words, " and "), strings.Contains(words, " or ")
	if hasAnd && hasOr {
		return "", fmt.Errorf("tag expression %q mixes \"and\" with \"or\"; write it as godog does, e.g. \"@a,@b && ~@c\"", expr)
	}
	g := strings.ReplaceAll(words, " and ", " && ")
	g = strings.ReplaceAll(g, " or ", ",")
	g = strings.ReplaceAll(g, "not @", "~@")
	var out []string
	for _, all := range strings.Split(g, "&&") {
		var any []string
		for _, term := range strings.Split(all, ",") {
			term = strings.TrimSpace(term)
			if !tagTerm.MatchString(term) {
				return "", fmt.Errorf("tag expression %q: %q is not a tag such as @kontur or ~@fake", expr, term)
			}
			any = append(any, term)
		}
		out = append(out, strings.Join(any, ","))
	}
	return strings.Join(out, " && "), nil
}
