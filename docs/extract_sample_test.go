package docs

import (
	"strings"
	"testing"
)

func TestShellBlocksExtraction(t *testing.T) {
	doc := "# T\n" + // 1
		"```sh\n" + // 2
		"echo one\n" + // 3
		"```\n" + // 4
		"<!-- not run: needs docker -->\n" + // 5
		"\n" + // 6
		"```bash\n" + // 7
		"docker run x\n" + // 8
		"```\n" + // 9
		"<!-- not run: for the go block only -->\n" + // 10
		"```go\n" + // 11
		"x := 1\n" + // 12
		"```\n" + // 13
		"1. a list item:\n" + // 14
		"   ```sh\n" + // 15
		"   echo \"```\" indented\n" + // 16
		"   ```\n" + // 17
		"~~~shell\n" + // 18
		"echo tilde\n" + // 19
		"~~~\n" // 20
	blocks, err := shellBlocks(strings.NewReader(doc))
	if err != nil {
		t.Fatal(err)
	}
	want := []block{
		{line: 2, text: "echo one\n"},
		{line: 7, text: "docker run x\n", skip: true, reason: "needs docker"},
		{line: 15, text: "echo \"```\" indented\n"},
		{line: 18, text: "echo tilde\n"},
	}
	if len(blocks) != len(want) {
		t.Fatalf("got %d blocks %+v, want %+v", len(blocks), blocks, want)
	}
	for i := range want {
		if blocks[i] != want[i] {
			t.Errorf("block %d: got %+v, want %+v", i, blocks[i], want[i])
		}
	}
}

func TestShellBlocksExtractionErrors(t *testing.T) {
	for doc, want := range map[string]string{
		"text\n```sh\necho never closed\n":              "line 2: the fence is never closed",
		"<!-- not run: -->\n```sh\necho\n```\n":         "gives no reason",
		"<!-- not run:   \t -->\n\n```sh\necho\n```\n":  "gives no reason",
		"```go\nfmt.Println()\n```\n```sh\necho open\n": "line 4: the fence is never closed",
	} {
		if _, err := shellBlocks(strings.NewReader(doc)); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: error %v, want one saying %q", doc, err, want)
		}
	}
}
