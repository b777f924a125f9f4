package docs

import (
	"context"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// documents are README.md and every Markdown file under docs/, in the
// order a reader meets them: README first, then docs/ by name.
func documents(t *testing.T, root string) []string {
	t.Helper()
	docs := []string{"README.md"}
	var more []string
	err := filepath.WalkDir(filepath.Join(root, "docs"), func(path string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".md") {
			rel, _ := filepath.Rel(root, path)
			more = append(more, filepath.ToSlash(rel))
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.Sort(more)
	return append(docs, more...)
}

func needTools(t *testing.T) {
	t.Helper()
	for _, tool := range []string{"bash", "curl"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("the documents' shell examples need %s (.ci/run installs it): %v", tool, err)
		}
	}
}

// TestShellBlocks runs every shell block of README.md and docs/ against
// one fakeidp with the default fixtures, as a reader pastes them: each
// document in one bash session, in order, from the repository root, with
// the server's address in place of 127.0.0.1:8080. Blocks marked
// <!-- not run: REASON --> are left out.
func TestShellBlocks(t *testing.T) {
	needTools(t)
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	sess := session{dir: root, addr: strings.TrimPrefix(srv.URL(), "http://"), timeout: 90 * time.Second}
	for _, name := range documents(t, root) {
		f, err := os.Open(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		blocks, err := shellBlocks(f)
		f.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		for _, b := range blocks {
			if b.skip {
				t.Logf("%s:%d not run: %s", name, b.line, b.reason)
			}
		}
		if err := sess.run(context.Background(), name, blocks); err != nil {
			t.Error(err)
		}
	}
}
