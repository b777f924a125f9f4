package fakeidp_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// A sandbox whose fixtures hold a bad stub is bad input: a 400 naming the
// stub's problems under "fixtures", not a 500. The stub is checked where
// the sandbox takes its stubs: an unknown field first, then its values.
func TestSandboxBadStubIsBadInput(t *testing.T) {
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	for _, tt := range []struct{ body, want string }{
		{`{"fixtures":{"stubs":[{"site":"medi-api","path":"/x","colour":1}]}}`, `fixtures.stubs[0]: line 1: unknown field "colour"`},
		{`{"fixtures":{"stubs":[{"site":"nope","path":"/x"}]}}`, `fixtures.stubs[0].site: "nope" is not an API site`},
	} {
		r := wire(t, http.MethodPost, srv.URL()+"/_fakeidp/sandboxes", tt.body, "Content-Type", jsonType)
		problems, _ := r.JSON["problems"].([]any)
		if r.Status != http.StatusBadRequest || r.JSON["error"] != "invalid sandbox request" ||
			!slices.ContainsFunc(problems, func(p any) bool { s, _ := p.(string); return strings.HasPrefix(s, tt.want) }) {
			t.Errorf("%s: %d %s, want 400 naming %q", tt.body, r.Status, r.Body, tt.want)
		}
	}
	if n := len(wire(t, http.MethodGet, srv.URL()+"/_fakeidp/sandboxes", "").JSON["sandboxes"].([]any)); n != 0 {
		t.Errorf("refused requests left %d sandboxes", n)
	}
}
