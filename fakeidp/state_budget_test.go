package fakeidp_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp/config"
)

// server.max_state_bytes bounds the root and its sandboxes together
// (issue 19, item 3): stubs in any of them and sandbox overlays draw on
// one budget; beyond it the answer is 507 with an error naming the bound;
// deleting a stub or a sandbox gives its bytes back.
func TestStateBytesBoundPerHost(t *testing.T) {
	t.Parallel()
	srv := startWith(t, apiEpoch, func(cfg *config.Config) { cfg.Server.MaxStateBytes = 1 << 20 })
	sb := newSandbox(t, srv, "")
	big := strings.Repeat("x", 60<<10)
	stubAt := func(ctl string, i int) wireReply {
		return wire(t, http.MethodPost, ctl+"/stubs",
			fmt.Sprintf(`{"site":"medi-api","path":"/p/%d","response":{"json":{"v":%q}}}`, i, big), "Content-Type", jsonType)
	}
	full := func(r wireReply) bool {
		msg, _ := r.JSON["error"].(string)
		return r.Status == http.StatusInsufficientStorage && strings.Contains(msg, "server.max_state_bytes") &&
			strings.HasPrefix(r.Header.Get("Content-Type"), jsonType)
	}
	root := srv.URL() + "/_fakeidp"
	added := 0
	for ; added < 100; added++ {
		r := stubAt(root, added)
		if full(r) {
			break
		}
		if r.Status != 201 {
			t.Fatalf("stub %d: %d %s", added, r.Status, r.Body)
		}
	}
	if added < 4 || added >= 100 {
		t.Fatalf("the root took %d stubs of 60 KiB under a 1 MiB bound", added)
	}
	if r := stubAt(sb.Control, 0); !full(r) {
		t.Errorf("the sandbox is not bound by the host's budget: %d %s", r.Status, r.Body)
	}
	overlay := `{"fixtures":{"kontur":{"users":[{"username":"a@b.ru","password":"p","subject":"s-1","claims":{"name":"` + strings.Repeat("n", 20<<10) + `"}}]}}}`
	if r := wire(t, http.MethodPost, srv.URL()+"/_fakeidp/sandboxes", overlay, "Content-Type", jsonType); !full(r) {
		t.Errorf("a sandbox overlay beyond the bound: %d %s", r.Status, r.Body)
	}
	if r := wire(t, http.MethodDelete, root+"/stubs", ""); r.Status != 204 {
		t.Fatal(r.Status)
	}
	for i := range 3 {
		if r := stubAt(sb.Control, i); r.Status != 201 {
			t.Fatalf("after the root's stubs were deleted, the sandbox's stub %d: %d %s", i, r.Status, r.Body)
		}
	}
	if r := wire(t, http.MethodPost, srv.URL()+"/_fakeidp/sandboxes", overlay, "Content-Type", jsonType); r.Status != 201 {
		t.Errorf("a sandbox overlay with room: %d %s", r.Status, r.Body)
	}
	if r := wire(t, http.MethodDelete, srv.URL()+"/_fakeidp/sandboxes/"+sb.ID, ""); r.Status != 204 {
		t.Fatal(r.Status)
	}
	for i := range added - 2 {
		if r := stubAt(root, i); r.Status != 201 {
			t.Fatalf("after the sandbox went, the root's stub %d: %d %s", i, r.Status, r.Body)
		}
	}
}

// Fixtures refuse a bound too small to be one.
func TestStateBytesValidated(t *testing.T) {
	t.Parallel()
	cfg, err := config.Parse([]byte("server:\n  max_state_bytes: 1000\n"))
	if err == nil || !strings.Contains(err.Error(), "server.max_state_bytes") {
		t.Fatalf("got %v, %v", cfg, err)
	}
}
