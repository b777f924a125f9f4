package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// built is the fakeidp binary, built once for the tests that need a real
// one (version stamping, signals).
var built struct {
	once sync.Once
	dir  string
	path string
	err  error
	out  []byte
}

// fakeidpBinary builds ./cmd/fakeidp with VCS stamping, as go build does
// from a clone by default.
func fakeidpBinary(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		built.dir, built.err = os.MkdirTemp("", "fakeidp-cli-test-")
		if built.err != nil {
			return
		}
		built.path = filepath.Join(built.dir, "fakeidp")
		build := func(vcs string) {
			args := []string{"build", "-buildvcs=" + vcs, "-o", built.path}
			if raceEnabled {
				args = append(args, "-race")
			}
			built.out, built.err = exec.Command("go", append(args, ".")...).CombinedOutput()
		}
		build("auto")
		if built.err != nil && strings.Contains(string(built.out), "buildvcs") {
			build("false") // git refuses this checkout (e.g. another owner): no stamp
		}
	})
	if built.err != nil {
		t.Fatalf("go build: %v\n%s", built.err, built.out)
	}
	return built.path
}

func removeBinary() {
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
}

// proc is a started fakeidp binary.
type proc struct {
	cmd      *exec.Cmd
	base     string
	stderr   *lineWatch
	exitCode chan int
}

// startBinary starts the built fakeidp with args and waits for its start
// line.
func startBinary(t *testing.T, args ...string) *proc {
	t.Helper()
	cmd := exec.Command(fakeidpBinary(t), args...)
	cmd.Env = append(os.Environ(), "FAKEIDP_CONTROL_TOKEN=")
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, stderr: watchLines(stderr), exitCode: make(chan int, 1)}
	t.Cleanup(func() { _ = cmd.Process.Kill() })
	line, err := bufio.NewReader(stdout).ReadString('\n')
	m := regexp.MustCompile(`listening on (http://127\.0\.0\.1:\d+)`).FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("start line %q (%v); stderr:\n%s", line, err, p.stderr.text())
	}
	p.base = m[1]
	go func() {
		_, _ = io.Copy(io.Discard, stdout)
		_ = cmd.Wait()
		p.exitCode <- cmd.ProcessState.ExitCode()
	}()
	return p
}

// lineWatch collects a stream's lines and tells when one contains a
// string.
type lineWatch struct {
	mu    sync.Mutex
	lines []string
	added chan struct{}
}

func watchLines(r io.Reader) *lineWatch {
	w := &lineWatch{added: make(chan struct{}, 1)}
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			w.mu.Lock()
			w.lines = append(w.lines, sc.Text())
			w.mu.Unlock()
			select {
			case w.added <- struct{}{}:
			default:
			}
		}
		close(w.added)
	}()
	return w
}

func (w *lineWatch) text() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.lines, "\n")
}

// waitFor blocks until a line contains s (true), or the stream ends or
// the time is up (false).
func (w *lineWatch) waitFor(s string, limit time.Duration) bool {
	timeout := time.After(limit)
	for {
		if strings.Contains(w.text(), s) {
			return true
		}
		select {
		case _, open := <-w.added:
			if !open {
				return strings.Contains(w.text(), s)
			}
		case <-timeout:
			return false
		}
	}
}
