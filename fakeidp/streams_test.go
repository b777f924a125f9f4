package fakeidp_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/config"
)

// openStream opens a journal stream at url and leaves it open until the
// test ends or close is called.
func openStream(t *testing.T, url string) (resp *http.Response, close func()) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp, func() { resp.Body.Close() }
}

// server.max_streams bounds the open journal streams of the whole host,
// sandboxes' included: one more gets 429 with Retry-After and a JSON
// error naming the bound, until a stream closes.
func TestJournalStreamsCappedPerHost(t *testing.T) {
	t.Parallel()
	def, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	cfg := *def
	cfg.Server.MaxStreams = 2
	srv := fakeidp.StartTest(t, fakeidp.Options{Config: &cfg})
	sb := newSandbox(t, srv, "{}")
	root := srv.URL() + "/_fakeidp/journal/stream"
	first, closeFirst := openStream(t, root)
	second, _ := openStream(t, srv.URL()+"/sandbox/"+sb.ID+"/_fakeidp/journal/stream")
	if first.StatusCode != 200 || second.StatusCode != 200 {
		t.Fatalf("streams within the cap: %d %d", first.StatusCode, second.StatusCode)
	}
	over, _ := openStream(t, root)
	var problem struct{ Error string }
	_ = json.NewDecoder(over.Body).Decode(&problem)
	if over.StatusCode != http.StatusTooManyRequests || over.Header.Get("Retry-After") == "" ||
		!strings.Contains(problem.Error, "server.max_streams") || !strings.HasPrefix(over.Header.Get("Content-Type"), "application/json") {
		t.Fatalf("a third stream: %d Retry-After %q %q %q", over.StatusCode, over.Header.Get("Retry-After"), over.Header.Get("Content-Type"), problem.Error)
	}
	// The rest of the control API is not held back.
	if r := wire(t, http.MethodGet, srv.URL()+"/_fakeidp/journal", ""); r.Status != 200 {
		t.Errorf("GET /journal at the cap: %d", r.Status)
	}
	closeFirst()
	deadline := time.Now().Add(5 * time.Second)
	for {
		again, closeAgain := openStream(t, root)
		closeAgain()
		if again.StatusCode == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("a stream closed, but a new one still gets %d", again.StatusCode)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
