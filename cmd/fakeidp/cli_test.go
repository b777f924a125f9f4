package main

import (
	"bytes"
	"errors"
	"net"
	"os"
	"os/exec"
	"regexp"
	"runtime/debug"
	"strings"
	"syscall"
	"testing"
	"time"
)

func runCLI(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

// Help asked for goes to stdout with exit 0, and names the commands.
func TestHelp(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want []string
	}{
		{[]string{"--help"}, []string{"usage: fakeidp", "verify", "-addr", "-shutdown-timeout", "-version"}},
		{[]string{"-h"}, []string{"verify", "-addr"}},
		{[]string{"help"}, []string{"usage: fakeidp", "verify", "-addr"}},
		{[]string{"help", "verify"}, []string{"usage: fakeidp verify", "-target", "-url"}},
		{[]string{"verify", "--help"}, []string{"usage: fakeidp verify", "-target"}},
		{[]string{"help", "help"}, []string{"usage: fakeidp", "verify"}},
	} {
		code, stdout, stderr := runCLI(tt.args...)
		if code != 0 || stderr != "" {
			t.Errorf("%v: exit %d, stderr %q; want 0 and nothing on stderr", tt.args, code, stderr)
		}
		for _, w := range tt.want {
			if !strings.Contains(stdout, w) {
				t.Errorf("%v: the help lacks %q:\n%s", tt.args, w, stdout)
			}
		}
	}
	for _, args := range [][]string{{"help", "nosuch"}, {"help", "verify", "extra"}} {
		if code, _, stderr := runCLI(args...); code != 2 || stderr == "" {
			t.Errorf("%v: exit %d, stderr %q; want a usage error (2)", args, code, stderr)
		}
	}
}

// --version prints the module version and the VCS revision stamped into
// the binary.
func TestVersion(t *testing.T) {
	info := &debug.BuildInfo{GoVersion: "go1.26.8", Main: debug.Module{Version: "v1.4.0"}, Settings: []debug.BuildSetting{
		{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "0123abc"},
		{Key: "vcs.time", Value: "2026-12-01T10:00:00Z"}, {Key: "vcs.modified", Value: "true"},
	}}
	if got, want := versionOf(info), "fakeidp v1.4.0, revision 0123abc (modified), committed 2026-12-01T10:00:00Z, go1.26.8"; got != want {
		t.Errorf("version: %q, want %q", got, want)
	}

	bin := fakeidpBinary(t)
	out, err := exec.Command(bin, "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("--version: %v\n%s", err, out)
	}
	// What the toolchain stamped (nothing in a git worktree, whose .git is
	// a file; a clone's revision otherwise) is what --version says.
	meta, err := exec.Command("go", "version", "-m", bin).Output()
	if err != nil {
		t.Fatal(err)
	}
	want := "revision unknown"
	if m := regexp.MustCompile(`vcs\.revision=(\w+)`).FindSubmatch(meta); m != nil {
		want = "revision " + string(m[1])
		head, err := exec.Command("git", "rev-parse", "HEAD").Output()
		if err == nil && !strings.HasPrefix(string(head), string(m[1])) {
			t.Errorf("stamped revision %s, HEAD %s", m[1], head)
		}
	}
	mod := regexp.MustCompile(`(?m)^\s+mod\s+\S+\s+(\S+)`).FindSubmatch(meta)
	if mod == nil {
		t.Fatalf("no module version in:\n%s", meta)
	}
	if line := string(out); !strings.HasPrefix(line, "fakeidp "+string(mod[1])+", ") || !strings.Contains(line, want) {
		t.Errorf("--version: %q, want module version %s and %q", line, mod[1], want)
	}
}

func TestDefaultShutdownTimeout(t *testing.T) {
	var stdout, stderr bytes.Buffer
	f, _, ok := parseServe(nil, &stdout, &stderr)
	if !ok || f.shutdownTimeout != 5*time.Second {
		t.Errorf("default --shutdown-timeout: %+v, want 5s (below docker stop's 10s)", f)
	}
	if _, code, ok := parseServe([]string{"--shutdown-timeout", "-1s"}, &stdout, &stderr); ok || code != 2 {
		t.Errorf("negative --shutdown-timeout: accepted (code %d)", code)
	}
}

// Errors are printed once, and say what to do.
func TestErrorMessages(t *testing.T) {
	t.Setenv("FAKEIDP_CONTROL_TOKEN", "")
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer busy.Close()
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"--addr", "0.0.0.0:0"}, 1, "fakeidp: listening beyond loopback needs a control token"},
		{[]string{"--addr", busy.Addr().String()}, 1, "choose another address with --addr"},
		{[]string{"--log-level", "loud"}, 2, `fakeidp: --log-level "loud": want debug, info, warn or error`},
		{[]string{"--frobnicate"}, 2, "fakeidp --help"},
		{[]string{"extra"}, 2, `unexpected argument "extra"`},
	} {
		code, _, stderr := runCLI(tt.args...)
		if code != tt.code || !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want %d saying %q", tt.args, code, stderr, tt.code, tt.want)
		}
		if strings.Contains(stderr, "fakeidp: fakeidp:") || strings.Count(stderr, tt.want) != 1 {
			t.Errorf("%v: the error is not printed exactly once: %q", tt.args, stderr)
		}
	}
}

// A typo of a flag or a command is answered with what was meant and the
// usage, exit 2; a word like nothing known keeps the plain error.
func TestTypos(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string // "" : no suggestion
	}{
		{[]string{"--adr", "127.0.0.1:0"}, "did you mean --addr?"},
		{[]string{"-adr=127.0.0.1:0"}, "did you mean --addr?"},
		{[]string{"--tls-adr", "127.0.0.1:0"}, "did you mean --tls-addr?"},
		{[]string{"--confgi", "x.yaml"}, "did you mean --config?"},
		{[]string{"verfy"}, `unknown command "verfy"; did you mean verify?`},
		{[]string{"vreify", "--url", "http://127.0.0.1:1"}, "did you mean verify?"},
		{[]string{"--addr", "127.0.0.1:0", "verfy"}, "did you mean verify?"},
		{[]string{"verify", "--ulr", "http://127.0.0.1:1"}, "did you mean --url?"},
		{[]string{"ca", "--tls-di", "x"}, "did you mean --tls-dir?"},
		{[]string{"help", "verfy"}, "did you mean verify?"},
		{[]string{"--frobnicate"}, ""},
		{[]string{"extra"}, ""},
		{[]string{"--a"}, ""},
	} {
		code, stdout, stderr := runCLI(tt.args...)
		if code != 2 || stdout != "" {
			t.Errorf("%v: exit %d, stdout %q; want 2 and nothing on stdout", tt.args, code, stdout)
		}
		if tt.want == "" {
			if strings.Contains(stderr, "did you mean") {
				t.Errorf("%v: a wild guess: %q", tt.args, stderr)
			}
			continue
		}
		if !strings.Contains(stderr, tt.want) {
			t.Errorf("%v: stderr lacks %q:\n%s", tt.args, tt.want, stderr)
		}
		if tt.args[0] != "help" && !strings.Contains(stderr, "usage: fakeidp") {
			t.Errorf("%v: no usage with the suggestion:\n%s", tt.args, stderr)
		}
	}
}

func TestNearest(t *testing.T) {
	names := []string{"addr", "tls-addr", "config", "verify", "ca", "help"}
	for word, want := range map[string]string{
		"adr": "addr", "ADDR": "addr", "verfy": "verify", "vreify": "verify", "cnofig": "config",
		"c": "", "x": "", "frobnicate": "", "hlep": "help", "tlsaddr": "tls-addr",
	} {
		if got := nearest(word, names); got != want {
			t.Errorf("nearest(%q) = %q, want %q", word, got, want)
		}
	}
}

// A port below 1024 refused on Linux names the three ways to get it
// without running as root. The tests run as root here, so the refusal is
// made up, as net.Listen returns it.
func TestPrivilegedPortRefusal(t *testing.T) {
	refused := &net.OpError{Op: "listen", Net: "tcp", Err: os.NewSyscallError("bind", syscall.EACCES)}
	err := explainBind(refused, "0.0.0.0:443", "--tls-addr", "linux")
	for _, want := range []string{
		"bind: permission denied",
		"sysctl net.ipv4.ip_unprivileged_port_start=443",
		"setcap cap_net_bind_service=+ep",
		"docker-compose.yml",
		"--tls-addr",
	} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the refusal lacks %q:\n%v", want, err)
		}
	}
	if !errors.Is(err, syscall.EACCES) {
		t.Error("the explained error no longer wraps EACCES")
	}
	if got := explainBind(refused, "127.0.0.1:80", "--addr", "linux").Error(); !strings.Contains(got, "ip_unprivileged_port_start=80)") {
		t.Errorf("port 80: %v", got)
	}
	// Not Linux, or not a low port: nothing about sysctl.
	for _, tt := range []struct{ addr, goos string }{{"0.0.0.0:443", "darwin"}, {"0.0.0.0:8443", "linux"}, {"0.0.0.0:0", "linux"}, {"bad", "linux"}} {
		if got := explainBind(refused, tt.addr, "--addr", tt.goos); got != refused {
			t.Errorf("%s on %s: %v, want the bare error", tt.addr, tt.goos, got)
		}
	}
}
