package docs

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// docAddrs are the addresses the documents assume; the test substitutes its
// own server's.
var docAddrs = []string{"127.0.0.1:8080", "localhost:8080"}

// prelude runs before a file's blocks. Like a pasted session, but strict:
// a failing command, an unset variable or a syntax error fails the block.
// curl gets a time limit, and an answer that shows the example is wrong
// (404, 405, 415, any 5xx) fails it too, unless the command shows the
// status itself (-i, -I, -v, -w '%{http_code}'), as an example of an error
// answer does.
const prelude = `set -euo pipefail
trap 'echo "${BASH_SOURCE[0]##*/}: line $LINENO: exit $? from: $BASH_COMMAND" >&2' ERR
__docs_shows_status() {
  local a
  for a in "$@"; do
    case "$a" in
      --include|--head|--verbose|*%{http_code}*|*%{response_code}*) return 0 ;;
      --*) ;;
      -*[iIv]*) return 0 ;;
    esac
  done
  return 1
}
curl() {
  local hdr rc=0 status
  hdr=$(mktemp)
  command curl --max-time 20 -D "$hdr" "$@" || rc=$?
  status=$(sed -n 's/^HTTP\/[0-9.]* \([0-9][0-9]*\).*/\1/p' "$hdr" | tail -n 1)
  rm -f "$hdr"
  if [ "$rc" -ne 0 ]; then echo "docs test: curl exit $rc from: curl $*" >&2; return "$rc"; fi
  __docs_shows_status "$@" && return 0
  case "$status" in
    404|405|415|5??) echo "docs test: HTTP $status from: curl $*" >&2; return 22 ;;
  esac
}
`

// session is where a document's blocks run.
type session struct {
	dir     string        // working directory: the repository root
	addr    string        // the server's host:port
	timeout time.Duration // for the whole document
}

// run runs blocks of the document name in one bash session, in order, with
// s.addr in place of the documents' 127.0.0.1:8080. Blocks marked not run
// are left out. The error names the document line that failed and carries
// the failing block's output.
func (s session) run(ctx context.Context, name string, blocks []block) error {
	tmp, err := os.MkdirTemp("", "docs-blocks-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	var script strings.Builder
	script.WriteString(prelude)
	for _, b := range blocks {
		if b.skip {
			continue
		}
		text := b.text
		for _, a := range docAddrs {
			text = strings.ReplaceAll(text, a, s.addr)
		}
		// Each block is its own file, so that a syntax error stays in
		// its block and bash's messages name it.
		file := filepath.Join(tmp, fmt.Sprintf("L%d.sh", b.line))
		if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
			return err
		}
		fmt.Fprintf(&script, "printf '\\n@@block %d@@\\n'\nsource %s\n", b.line, shellQuote(file))
	}
	script.WriteString("printf '\\n@@done@@\\n'\n")

	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", "--noprofile", "--norc", "-c", script.String())
	cmd.Dir = s.dir
	cmd.Env = docsEnv()
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	// A block may leave a process behind; end the whole group.
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 5 * time.Second
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	runErr := cmd.Run()
	_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
	if runErr == nil && strings.Contains(out.String(), "\n@@done@@\n") {
		return nil
	}
	if ctx.Err() != nil {
		runErr = fmt.Errorf("timed out after %s", s.timeout)
	} else if runErr == nil {
		runErr = errors.New("the session ended early")
	}
	return blockFailure(name, out.String(), runErr)
}

var (
	blockMark = regexp.MustCompile(`\n@@block (\d+)@@\n`)
	bashLine  = regexp.MustCompile(`L(\d+)\.sh: line (\d+):`)
)

// blockFailure says which block of name failed, at which line of the
// document when bash names one, and what it printed.
func blockFailure(name, out string, err error) error {
	marks := blockMark.FindAllStringSubmatchIndex(out, -1)
	if len(marks) == 0 {
		return fmt.Errorf("%s: the prelude failed: %v\n%s", name, err, out)
	}
	last := marks[len(marks)-1]
	fence := out[last[2]:last[3]]
	own := out[last[1]:]
	where := fmt.Sprintf("%s: the shell block at line %s", name, fence)
	if m := bashLine.FindStringSubmatch(own); m != nil && m[1] == fence {
		start, _ := strconv.Atoi(m[1])
		offset, _ := strconv.Atoi(m[2])
		where = fmt.Sprintf("%s:%d (in the shell block at line %s)", name, start+offset, fence)
	}
	return fmt.Errorf("%s failed: %v\n--- its output:\n%s", where, err, own)
}

// docsEnv is this process's environment without fakeidp's own variables,
// which would change what the examples do.
func docsEnv() []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "FAKEIDP_") {
			env = append(env, kv)
		}
	}
	return env
}

func shellQuote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }
