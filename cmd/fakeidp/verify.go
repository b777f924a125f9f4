package main

import (
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/fakeidp/fakeidp/features"
	"github.com/fakeidp/fakeidp/scenarios"
)

const verifyUsage = `usage: fakeidp verify [--url URL ... | --target SITE=URL ...] [--ca FILE] [--tags EXPR] [--concurrency N]
                      [--format pretty|progress|junit|cucumber] [--out FILE]
       fakeidp verify --health --url URL

Runs the provider contract (the features built into this binary) against:
  (nothing)          a fakeidp started inside this process;
  --url URL          a running fakeidp: each scenario runs in a fresh sandbox
                     of its own, deleted afterwards (the root is never reset);
                     repeat it to run the contract against each URL in turn,
                     e.g. a fakeidp's HTTP and HTTPS listeners;
  --target SITE=URL  a real provider's site, e.g. kontur=https://identity.testkontur.ru
                     (sites: %s); @fake scenarios are left out.
Credentials for real sites come from FAKEIDP_REAL_* variables (see
docs/contract.md); /_fakeidp/ calls send FAKEIDP_CONTROL_TOKEN when it is set.
--health only checks GET /_fakeidp/health, for container health checks.
https URLs are checked against the system roots; --ca FILE trusts the CA
certificates in FILE as well, e.g. a fakeidp's own CA (GET /_fakeidp/ca.pem
or "fakeidp ca --tls-dir DIR").

--url and --target exclude each other.

Exit status: 0 every scenario passed (against every --url), 1 a scenario
failed or a target cannot be reached, 2 usage error.
`

// siteTargets collects repeated --target SITE=URL flags.
type siteTargets map[string]string

func (t siteTargets) String() string { return fmt.Sprint(map[string]string(t)) }

func (t siteTargets) Set(v string) error {
	name, u, ok := strings.Cut(v, "=")
	if !ok || name == "" || u == "" {
		return fmt.Errorf("want SITE=URL, e.g. kontur=https://identity.testkontur.ru")
	}
	t[name] = u
	return nil
}

// verifyFlags are the parsed options of fakeidp verify.
type verifyFlags struct {
	urls              presetList
	tags, format, out string
	ca                string
	roots             *x509.CertPool
	targets           siteTargets
	timeout           time.Duration
	seed              int64
	concurrency       int
	health            bool
}

// errUsageShown: parseVerify has printed the usage or a flag error.
type errUsageShown struct{ code int }

func (e errUsageShown) Error() string { return "usage shown" }

func parseVerify(args []string, stdout, stderr io.Writer) (*verifyFlags, error) {
	f := &verifyFlags{targets: siteTargets{}}
	fs := newFlagSet("fakeidp verify", stderr)
	fs.Var(&f.urls, "url", "base URL of a running fakeidp, e.g. http://127.0.0.1:8080 (repeatable: each in turn)")
	fs.Var(f.targets, "target", "SITE=URL of a real provider's site (repeatable)")
	fs.StringVar(&f.tags, "tags", "", `tag expression, e.g. "@kontur && ~@fake" or "@kontur and not @fake"`)
	fs.StringVar(&f.format, "format", "pretty", "report format: pretty, progress, junit or cucumber")
	fs.StringVar(&f.out, "out", "", "write the report to FILE instead of standard output")
	fs.DurationVar(&f.timeout, "timeout", 0, "timeout of each request (default 5s, 15s for real sites)")
	fs.Int64Var(&f.seed, "seed", 0, "scenario order seed (default random; the report prints it)")
	fs.IntVar(&f.concurrency, "concurrency", 0, "scenarios run at once (default 4 against a fakeidp, 1 against real providers)")
	fs.BoolVar(&f.health, "health", false, "only check that the fakeidp at --url is healthy")
	fs.StringVar(&f.ca, "ca", "", "PEM file of CA certificates to trust for https, beside the system roots (e.g. a fakeidp's ca.pem)")
	usage := fmt.Sprintf(verifyUsage, strings.Join(scenarios.SiteNames(), ", "))
	if code, exit := parseFlags(fs, args, usage, stdout, stderr); exit {
		return nil, errUsageShown{code}
	}
	if len(f.urls) > 0 && len(f.targets) > 0 {
		return nil, fmt.Errorf("--url and --target exclude each other: --url checks a running fakeidp, --target the real providers")
	}
	if !slices.Contains([]string{"pretty", "progress", "junit", "cucumber"}, f.format) {
		return nil, fmt.Errorf("unknown --format %q: use pretty, progress, junit or cucumber (and --out for a file)", f.format)
	}
	if _, err := scenarios.ParseTags(f.tags); err != nil {
		return nil, fmt.Errorf("--tags: %v", err)
	}
	if f.concurrency < 0 {
		return nil, fmt.Errorf("--concurrency: want a positive number, got %d", f.concurrency)
	}
	if f.health && len(f.urls) == 0 {
		return nil, fmt.Errorf("--health needs --url")
	}
	if f.out != "" && len(f.urls) > 1 {
		return nil, fmt.Errorf("--out takes one report: give one --url per run")
	}
	if f.ca != "" {
		roots, err := loadRoots(f.ca)
		if err != nil {
			return nil, err
		}
		f.roots = roots
	}
	return f, nil
}

// config is the run's configuration against url ("" for the targets or
// an in-process fakeidp).
func (f *verifyFlags) config(url string) scenarios.Config {
	cfg := scenarios.Config{
		URL:          url,
		ControlToken: os.Getenv("FAKEIDP_CONTROL_TOKEN"),
		Values:       scenarios.ValuesFromLookup(os.LookupEnv),
		SMSCode:      os.Getenv("FAKEIDP_REAL_DOKTORNARABOTE_SMS_CODE"),
		Timeout:      f.timeout,
		RootCAs:      f.roots,
	}
	if len(f.targets) > 0 {
		cfg.Sites = f.targets
	}
	return cfg
}

// runVerify is "fakeidp verify": the contract, embedded, against a target.
func runVerify(args []string, stdout, stderr io.Writer) int {
	f, err := parseVerify(args, stdout, stderr)
	if shown, ok := err.(errUsageShown); ok {
		return shown.code
	}
	if err != nil {
		fmt.Fprintf(stderr, "fakeidp verify: %v\n", err)
		return 2
	}
	if f.health {
		for _, url := range f.urls {
			if _, err := scenarios.Health(context.Background(), f.config(url)); err != nil {
				fmt.Fprintf(stderr, "fakeidp verify: %v\n", err)
				return 1
			}
		}
		fmt.Fprintln(stdout, "fakeidp verify: healthy")
		return 0
	}
	out := stdout
	if f.out != "" {
		file, err := os.Create(f.out)
		if err != nil {
			fmt.Fprintf(stderr, "fakeidp verify: %v\n", err)
			return 2
		}
		defer file.Close()
		out = file
	}
	urls := []string(f.urls)
	if len(urls) == 0 {
		urls = []string{""}
	}
	// Every URL is run even after a failure, so that one run reports on
	// all; the status is the worst.
	status := 0
	for _, url := range urls {
		if len(urls) > 1 {
			fmt.Fprintf(out, "fakeidp verify: the contract against %s\n", url)
		}
		status = max(status, f.run(f.config(url), out, stderr))
	}
	return status
}

// run is one run of the contract against cfg.
func (f *verifyFlags) run(cfg scenarios.Config, out, stderr io.Writer) int {
	status := scenarios.Run(cfg, features.FS, scenarios.RunOptions{
		Tags: f.tags, Format: f.format, Output: out, Seed: f.seed, Errors: prefixed{stderr},
		Concurrency: f.concurrency,
	})
	if status == 1 {
		against := fmt.Sprint("the ", cfg.Kind())
		if cfg.URL != "" {
			against += " at " + cfg.URL
		}
		fmt.Fprintf(stderr, "fakeidp verify: the contract failed against %s\n", against)
	}
	return status
}

// prefixed writes Run's errors as fakeidp verify's.
type prefixed struct{ w io.Writer }

func (p prefixed) Write(b []byte) (int, error) {
	if _, err := fmt.Fprintf(p.w, "fakeidp verify: %s", b); err != nil {
		return 0, err
	}
	return len(b), nil
}

// loadRoots is the system roots plus the CA certificates in file.
func loadRoots(file string) (*x509.CertPool, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("--ca: %w", err)
	}
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = x509.NewCertPool()
	}
	if !roots.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("--ca %s: no PEM certificate in the file", file)
	}
	return roots, nil
}
