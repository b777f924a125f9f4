package main

import (
	"io"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp"
	"go.yaml.in/yaml/v3"
)

// composeFile is the part of docker-compose.yml the tests read.
type composeFile struct {
	Services map[string]struct {
		Command     []string `yaml:"command"`
		Volumes     []string `yaml:"volumes"`
		Healthcheck struct {
			Test []string `yaml:"test"`
		} `yaml:"healthcheck"`
		DependsOn map[string]struct {
			Condition string `yaml:"condition"`
		} `yaml:"depends_on"`
	} `yaml:"services"`
}

func readCompose(t *testing.T) composeFile {
	t.Helper()
	data, err := os.ReadFile("../../docker-compose.yml")
	if err != nil {
		t.Fatal(err)
	}
	var c composeFile
	if err := yaml.Unmarshal(data, &c); err != nil {
		t.Fatalf("docker-compose.yml: %v", err)
	}
	return c
}

// The documented run, "up --exit-code-from verify", stops the stack when
// any container exits (docker/compose#10233). So verify must be the only
// service that exits, and must run both contracts itself: over HTTP and
// over HTTPS to the service name, trusting the CA from the shared volume.
func TestComposeVerifyRunsBothContracts(t *testing.T) {
	c := readCompose(t)
	var names []string
	for name := range c.Services {
		names = append(names, name)
	}
	slices.Sort(names)
	if !slices.Equal(names, []string{"fakeidp", "verify"}) {
		t.Fatalf("services %v; want fakeidp and one verify service, the only one that exits", names)
	}
	server, verifier := c.Services["fakeidp"], c.Services["verify"]
	serve, code, ok := parseServe(server.Command, io.Discard, io.Discard)
	if !ok {
		t.Fatalf("fakeidp's command %v: exit %d", server.Command, code)
	}
	if got := verifier.DependsOn["fakeidp"].Condition; got != "service_healthy" {
		t.Errorf("verify waits for fakeidp's %q, want service_healthy", got)
	}
	if len(verifier.Command) == 0 || verifier.Command[0] != "verify" {
		t.Fatalf("verify's command %v is not fakeidp verify", verifier.Command)
	}

	// --ca must be in the CA volume verify mounts; here a copy stands in.
	args := slices.Clone(verifier.Command[1:])
	caArg := regexp.MustCompile(`^--?ca(=|$)`)
	i := slices.IndexFunc(args, caArg.MatchString)
	if i < 0 {
		t.Fatalf("verify's command %v has no --ca", args)
	}
	caPath, _ := strings.CutPrefix(args[i], "--ca=")
	if caPath == args[i] && i+1 < len(args) {
		caPath, args = args[i+1], slices.Delete(args, i+1, i+2)
	}
	if !slices.Contains(verifier.Volumes, "fakeidp-ca:"+path.Dir(caPath)+":ro") {
		t.Errorf("--ca %s is not in the fakeidp-ca volume mounted read-only: %v", caPath, verifier.Volumes)
	}
	srv := fakeidp.StartTLS(t, fakeidp.Options{})
	ca := filepath.Join(t.TempDir(), "ca.pem")
	write(t, ca, srv.CACertPEM())
	args[i] = "--ca=" + ca
	f, err := parseVerify(args, io.Discard, io.Discard)
	if err != nil {
		t.Fatalf("verify's command %v: %v", args, err)
	}
	var schemes []string
	for _, raw := range f.urls {
		u, err := url.Parse(raw)
		if err != nil {
			t.Fatal(err)
		}
		schemes = append(schemes, u.Scheme)
		if u.Hostname() != "fakeidp" {
			t.Errorf("verify --url %s: want the service name, fakeidp", raw)
		}
		port := u.Port()
		if port == "" {
			port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
		}
		listens := slices.ContainsFunc(serve.addrs, func(a string) bool { return strings.HasSuffix(a, ":"+port) })
		if u.Scheme == "https" {
			listens = strings.HasSuffix(serve.tls.addr, ":"+port)
			if !slices.Contains(serve.tls.hosts, u.Hostname()) {
				t.Errorf("fakeidp's certificate does not cover %s: --tls-host %v", u.Hostname(), serve.tls.hosts)
			}
		}
		if !listens {
			t.Errorf("verify --url %s: fakeidp does not listen there (--addr %v, --tls-addr %s)", raw, serve.addrs, serve.tls.addr)
		}
	}
	if !slices.Equal(schemes, []string{"http", "https"}) {
		t.Errorf("verify runs against %v; want the HTTP contract, then the HTTPS one", f.urls)
	}
}

// fakeidp's health check is "fakeidp health" on its own HTTP port: the
// image has no curl.
func TestComposeHealthcheck(t *testing.T) {
	c := readCompose(t)
	server := c.Services["fakeidp"]
	test := server.Healthcheck.Test
	if len(test) < 3 || test[0] != "CMD" || test[1] != "/fakeidp" || test[2] != "health" {
		t.Fatalf("healthcheck %v; want [CMD /fakeidp health …]", test)
	}
	serve, _, ok := parseServe(server.Command, io.Discard, io.Discard)
	if !ok {
		t.Fatal("fakeidp's command is refused")
	}
	args := slices.Clone(test[3:])
	i := slices.IndexFunc(args, func(a string) bool { return strings.HasPrefix(a, "--url") })
	if i < 0 || i+1 >= len(args) {
		t.Fatalf("healthcheck %v: want --url URL", test)
	}
	u, err := url.Parse(args[i+1])
	if err != nil || u.Hostname() != "127.0.0.1" || !slices.Contains(serve.addrs, "0.0.0.0:"+u.Port()) {
		t.Errorf("healthcheck --url %s: want 127.0.0.1 on a port of --addr %v", args[i+1], serve.addrs)
	}
	// The same arguments against a fakeidp here, with the control token
	// from the environment as in compose.
	srv := fakeidp.StartTest(t, fakeidp.Options{ControlToken: "compose-token"})
	t.Setenv("FAKEIDP_CONTROL_TOKEN", "compose-token")
	args[i+1] = srv.URL()
	if code, _, stderr := health(args...); code != 0 {
		t.Errorf("fakeidp health %v: exit %d, %s", args, code, stderr)
	}
}

// Every documented compose run names verify in --exit-code-from: any
// other service would stop the stack before verify has run both
// contracts, or never exit.
func TestComposeDocumentedCommand(t *testing.T) {
	exitFrom := regexp.MustCompile(`\bup\b[^\n]*--exit-code-from[ =](\S+)`)
	found := 0
	for _, name := range []string{"../../docker-compose.yml", "../../README.md", "../../docs/contract.md"} {
		data, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range exitFrom.FindAllStringSubmatch(string(data), -1) {
			found++
			if m[1] != "verify" {
				t.Errorf("%s: %q; want --exit-code-from verify", name, m[0])
			}
		}
	}
	if found == 0 {
		t.Error("no documented compose run (--exit-code-from verify)")
	}
}
