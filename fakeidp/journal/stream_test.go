package journal

import (
	"bufio"
	"encoding/json"
	"fmt"
	"github.com/fakeidp/fakeidp/fakeidp/internal/route"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"
)

// sseEvent is one Server-Sent Event as a test reads it.
type sseEvent struct{ name, id, data string }

// sseReader reads events from a stream's body on its own goroutine, so a
// test can wait for them with a deadline instead of hanging.
type sseReader struct {
	events chan sseEvent
	body   io.Closer
}

func openStream(t *testing.T, url string) *sseReader {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("stream: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	r := &sseReader{events: make(chan sseEvent, 4096), body: resp.Body}
	t.Cleanup(func() { resp.Body.Close() })
	go func() {
		defer close(r.events)
		sc := bufio.NewScanner(resp.Body)
		var ev sseEvent
		for sc.Scan() {
			line := sc.Text()
			switch {
			case line == "":
				if ev.name != "" {
					r.events <- ev
				}
				ev = sseEvent{}
			case strings.HasPrefix(line, "event: "):
				ev.name = line[len("event: "):]
			case strings.HasPrefix(line, "id: "):
				ev.id = line[len("id: "):]
			case strings.HasPrefix(line, "data: "):
				ev.data = line[len("data: "):]
			}
		}
	}()
	return r
}

// next is the next event, failing the test after a few seconds: the
// timeout only catches a hang, it measures nothing.
func (r *sseReader) next(t *testing.T) sseEvent {
	t.Helper()
	select {
	case ev, ok := <-r.events:
		if !ok {
			t.Fatal("stream ended")
		}
		return ev
	case <-time.After(5 * time.Second):
		t.Fatal("no event within 5s")
	}
	return sseEvent{}
}

func (r *sseReader) entryPath(t *testing.T) string {
	t.Helper()
	ev := r.next(t)
	if ev.name != "entry" {
		t.Fatalf("event %q %s, want an entry", ev.name, ev.data)
	}
	var e Entry
	if err := json.Unmarshal([]byte(ev.data), &e); err != nil {
		t.Fatal(err)
	}
	return e.Path
}

func streamServer(t *testing.T, j *Journal) *httptest.Server {
	t.Helper()
	r := mux.NewRouter()
	j.MountControl(route.Mux{R: r})
	srv := httptest.NewUnstartedServer(r)
	// A short read timeout, which must not end a stream (net/http cancels
	// a request whose idle connection's background read times out).
	srv.Config.ReadTimeout = 200 * time.Millisecond
	srv.Start()
	t.Cleanup(func() { j.EndStreams(); srv.Close() })
	return srv
}

func TestStreamSnapshotThenLive(t *testing.T) {
	j := New(10, nil)
	for i := range 3 {
		j.Record(Entry{Site: "kontur", Path: fmt.Sprint("/old", i), Headers: map[string]string{"Authorization": "Bearer abcdefghijklmnop"}})
	}
	srv := streamServer(t, j)
	s := openStream(t, srv.URL+"/journal/stream?limit=2")
	if ev := s.next(t); ev.name != "reset" || ev.data != `{"size":10}` {
		t.Fatalf("first event %+v, want reset with the size", ev)
	}
	for _, want := range []string{"/old1", "/old2"} {
		if got := s.entryPath(t); got != want {
			t.Errorf("snapshot entry %s, want %s (the newest two, oldest first)", got, want)
		}
	}
	time.Sleep(300 * time.Millisecond) // past the server's read timeout
	j.Record(Entry{Site: "kontur", Path: "/new", Headers: map[string]string{"Authorization": "Bearer abcdefghijklmnop"}})
	ev := s.next(t)
	if ev.name != "entry" || ev.id != "4" || !strings.Contains(ev.data, `"/new"`) {
		t.Fatalf("live event %+v, want entry 4 /new", ev)
	}
	if strings.Contains(ev.data, "abcdefghijklmnop") {
		t.Errorf("the stream carries a secret in full: %s", ev.data)
	}
	j.Clear()
	if ev := s.next(t); ev.name != "reset" {
		t.Fatalf("after Clear: %+v, want reset", ev)
	}
	j.Record(Entry{Path: "/after"})
	if got := s.entryPath(t); got != "/after" {
		t.Errorf("after reset: %s", got)
	}
}

// TestStreamDropsForSlowReader: a burst larger than the stream's buffer is
// offered without waiting; the stream reports what it skipped, and every
// request is accounted for, either sent or counted as dropped.
func TestStreamDropsForSlowReader(t *testing.T) {
	const n = 2000
	j := New(n, nil)
	srv := streamServer(t, j)
	s := openStream(t, srv.URL+"/journal/stream")
	if ev := s.next(t); ev.name != "reset" {
		t.Fatalf("first event %+v", ev)
	}
	for i := range n {
		j.Record(Entry{Path: fmt.Sprint("/", i)})
	}
	var sent, dropped uint64
	var lastPath string
	for sent+dropped < n {
		ev := s.next(t)
		switch ev.name {
		case "entry":
			sent++
			var e Entry
			_ = json.Unmarshal([]byte(ev.data), &e)
			lastPath = e.Path
		case "dropped":
			var d struct{ Count uint64 }
			_ = json.Unmarshal([]byte(ev.data), &d)
			dropped += d.Count
		default:
			t.Fatalf("unexpected %+v", ev)
		}
	}
	if sent+dropped != n || dropped == 0 || sent > n/2 {
		t.Errorf("sent %d + dropped %d, want %d with most dropped", sent, dropped, n)
	}
	if lastPath != fmt.Sprint("/", n-1) {
		t.Errorf("last entry sent %s, want the newest", lastPath)
	}
	if got := len(j.List(Filter{})); got != n {
		t.Errorf("journal keeps %d entries, want all %d", got, n)
	}
}

// TestStalledStreamNeverBlocks: a reader that never reads its stream does
// not slow recording down, and is dropped from the journal's streams once
// its writes time out (here: once the client goes away).
func TestStalledStreamNeverBlocks(t *testing.T) {
	j := New(100, nil)
	srv := streamServer(t, j)
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(conn, "GET /journal/stream HTTP/1.1\r\nHost: x\r\n\r\n")
	for j.Streams() == 0 {
		time.Sleep(time.Millisecond)
	}
	done := make(chan struct{})
	go func() {
		// Large entries fill the connection's buffers quickly.
		big := strings.Repeat("x", 200)
		fields := map[string]string{}
		for i := range 60 {
			fields[fmt.Sprint("f", i)] = big
		}
		for range 5000 {
			j.Record(Entry{Path: "/p", Fields: fields})
		}
		close(done)
	}()
	select {
	case <-done:
	case <-time.After(30 * time.Second):
		t.Fatal("recording blocked behind a stalled stream")
	}
	if got := len(j.List(Filter{})); got != 100 {
		t.Errorf("journal keeps %d, want 100", got)
	}
	conn.Close()
	for deadline := time.Now().Add(5 * time.Second); j.Streams() > 0; time.Sleep(5 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("the stream outlived its client")
		}
	}
}

func TestEndStreams(t *testing.T) {
	j := New(10, nil)
	srv := streamServer(t, j)
	s := openStream(t, srv.URL+"/journal/stream")
	s.next(t)
	j.EndStreams()
	select {
	case _, ok := <-s.events:
		if ok {
			t.Fatal("an event after EndStreams")
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the stream did not end")
	}
}

func TestStreamBadLimit(t *testing.T) {
	srv := streamServer(t, New(10, nil))
	resp, err := http.Get(srv.URL + "/journal/stream?limit=-1")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("status %d, want 400", resp.StatusCode)
	}
}
