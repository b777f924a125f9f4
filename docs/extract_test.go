// Package docs holds the project's documentation and the test that runs
// its shell examples (see TestShellBlocks).
package docs

import (
	"bufio"
	"fmt"
	"io"
	"regexp"
	"strings"
)

// block is one fenced shell block of a Markdown file.
type block struct {
	line   int    // line of the opening fence, 1-based
	text   string // the block's lines, the fence's indentation removed
	skip   bool   // marked <!-- not run: … -->
	reason string // why it is not run
}

var (
	fenceLine = regexp.MustCompile("^([ \t]*)(```+|~~~+)[ \t]*([A-Za-z0-9_+-]*)")
	notRun    = regexp.MustCompile(`^\s*<!--\s*not run:(.*?)-->\s*$`)
)

// shellLangs are the fence languages that are run.
var shellLangs = map[string]bool{"sh": true, "bash": true, "shell": true}

// shellBlocks extracts the shell blocks of a Markdown document, in order.
// A not-run marker is the last non-blank line before the fence. An
// unterminated fence or a marker without a reason is an error.
func shellBlocks(r io.Reader) ([]block, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	var (
		blocks []block
		prev   string // the last non-blank line outside a fence
		cur    *block // the fence being read, nil outside one
		indent string
		fence  string
		shell  bool
		lines  []string
	)
	for n := 1; sc.Scan(); n++ {
		text := sc.Text()
		if cur == nil {
			m := fenceLine.FindStringSubmatch(text)
			if m == nil {
				if strings.TrimSpace(text) != "" {
					prev = text
				}
				continue
			}
			cur, indent, fence, lines = &block{line: n}, m[1], m[2], nil
			shell = shellLangs[strings.ToLower(m[3])]
			if mm := notRun.FindStringSubmatch(prev); mm != nil {
				cur.skip, cur.reason = true, strings.TrimSpace(mm[1])
				if cur.reason == "" {
					return nil, fmt.Errorf("line %d: %q gives no reason", n, strings.TrimSpace(prev))
				}
			}
			continue
		}
		if t := strings.TrimSpace(text); strings.HasPrefix(t, fence) && strings.Trim(t, fence[:1]) == "" {
			if shell {
				cur.text = strings.Join(lines, "\n") + "\n"
				blocks = append(blocks, *cur)
			}
			cur, prev = nil, text
			continue
		}
		lines = append(lines, strings.TrimPrefix(text, indent))
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if cur != nil {
		return nil, fmt.Errorf("line %d: the fence is never closed", cur.line)
	}
	return blocks, nil
}
