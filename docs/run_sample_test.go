package docs

import (
	"context"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// sampleSession runs made-up documents against a fresh server.
func sampleSession(t *testing.T, timeout time.Duration) session {
	t.Helper()
	needTools(t)
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	return session{dir: t.TempDir(), addr: strings.TrimPrefix(srv.URL(), "http://"), timeout: timeout}
}

func runSample(t *testing.T, s session, doc string) error {
	t.Helper()
	blocks, err := shellBlocks(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	return s.run(context.Background(), "sample.md", blocks)
}

// The checks that make a document's example fail, each naming the
// document's line.
func TestShellBlocksFailures(t *testing.T) {
	s := sampleSession(t, 30*time.Second)
	for name, tt := range map[string]struct{ doc, want string }{
		"placeholder": {
			"```sh\nB=http://127.0.0.1:8080\ncurl -s $B/_fakeidp/livedigital/users/<id>\n```\n",
			"sample.md:3 (in the shell block at line 1)",
		},
		"unset variable": {
			"```sh\necho ok\n```\n\n```sh\ntrue\ncurl -s http://127.0.0.1:8080/livedigital/v1/spaces/ -H \"Authorization: Bearer $USER_TOKEN\"\n```\n",
			"sample.md:7 (in the shell block at line 5)",
		},
		"wrong path": {
			"```sh\ncurl -s http://127.0.0.1:8080/kontur/connect/tokens -d grant_type=client_credentials\n```\n",
			"HTTP 404 from: curl -s http://127.0.0.1",
		},
		"failing command": {
			"```sh\necho one\nfalse | cat\necho never\n```\n",
			"sample.md:3 (in the shell block at line 1)",
		},
		"unreachable server": {
			"```sh\ncurl -s http://" + closedAddr(t) + "/\n```\n",
			"exit 7 from",
		},
	} {
		err := runSample(t, s, tt.doc)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, tt.want)
		}
	}
}

// What passes: state carried from block to block, an example that shows an
// error status on purpose, and a block marked not run.
func TestShellBlocksPasses(t *testing.T) {
	s := sampleSession(t, 30*time.Second)
	doc := "```sh\nB=http://127.0.0.1:8080\n```\n" +
		"```sh\ncurl -s $B/_fakeidp/health\ncurl -si $B/kontur/no/such/path\n" +
		"curl -s -o /dev/null -w '%{http_code}\\n' $B/kontur/no/such/path\n```\n" +
		"<!-- not run: shows a command that fails -->\n```sh\nexit 1\n```\n"
	if err := runSample(t, s, doc); err != nil {
		t.Error(err)
	}
}

// A block that hangs fails at the session's time limit, and the processes
// it started end with it.
func TestShellBlocksTimeout(t *testing.T) {
	s := sampleSession(t, time.Second)
	start := time.Now()
	err := runSample(t, s, "```sh\nsleep 30 &\nsleep 30\n```\n")
	if err == nil || !strings.Contains(err.Error(), "sample.md: the shell block at line 1 failed: timed out") {
		t.Errorf("error %v, want a timeout naming the block", err)
	}
	if took := time.Since(start); took > 10*time.Second {
		t.Errorf("took %s, want the 1s limit and at most the 5s wait for output", took)
	}
}

// closedAddr is a loopback address where nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}
