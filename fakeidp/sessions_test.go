package fakeidp_test

import (
	"encoding/json"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// Signing out ends the session on the server: the old cookie no longer
// reads the journal, at the root or in a sandbox, and the stream it
// opened ends. Another browser's session is untouched.
func TestDashboardSignOutRevokes(t *testing.T) {
	t.Parallel()
	const token = "s3cret-control"
	srv := fakeidp.StartTest(t, fakeidp.Options{ControlToken: token})
	created := wire(t, http.MethodPost, srv.URL()+"/_fakeidp/sandboxes", "{}", "Content-Type", jsonType, "Authorization", "Bearer "+token)
	var sb sandboxRef
	if err := json.Unmarshal([]byte(created.Body), &sb); err != nil || created.Status != http.StatusCreated {
		t.Fatalf("sandbox: %d %s", created.Status, created.Body)
	}
	old, other := signInCookie(t, srv, token), signInCookie(t, srv, token)
	if old == other {
		t.Error("two sign-ins got the same cookie")
	}
	journals := []string{srv.URL() + "/_fakeidp/journal", srv.URL() + "/sandbox/" + sb.ID + "/_fakeidp/journal"}
	for _, u := range journals {
		if r := wire(t, http.MethodGet, u, "", "Cookie", old); r.Status != http.StatusOK {
			t.Fatalf("before sign-out, %s: %d", u, r.Status)
		}
	}
	stream, err := http.NewRequest(http.MethodGet, srv.URL()+"/_fakeidp/journal/stream", nil)
	if err != nil {
		t.Fatal(err)
	}
	stream.Header.Set("Cookie", old)
	resp, err := http.DefaultClient.Do(stream)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("stream: %v %v", resp, err)
	}
	defer resp.Body.Close()
	ended := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, resp.Body)
		close(ended)
	}()

	out := wire(t, http.MethodDelete, srv.URL()+"/_fakeidp/ui/session", "", "Cookie", old, "X-Fakeidp-Csrf", "1")
	if out.Status != http.StatusNoContent {
		t.Fatalf("sign-out: %d %s", out.Status, out.Body)
	}
	for _, u := range journals {
		if r := wire(t, http.MethodGet, u, "", "Cookie", old); r.Status != http.StatusUnauthorized {
			t.Errorf("after sign-out, the old cookie on %s: %d, want 401", u, r.Status)
		}
		if r := wire(t, http.MethodGet, u, "", "Cookie", other); r.Status != http.StatusOK {
			t.Errorf("the other session on %s: %d, want 200", u, r.Status)
		}
	}
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Error("the stream the old cookie opened is still open after sign-out")
	}
	// Signing out again with the dead cookie is refused like any bad one.
	if r := wire(t, http.MethodDelete, srv.URL()+"/_fakeidp/ui/session", "", "Cookie", old, "X-Fakeidp-Csrf", "1"); r.Status != http.StatusUnauthorized {
		t.Errorf("second sign-out: %d", r.Status)
	}
}
