package ui_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/config"
)

// At the host's cap of open journal streams the page says so, with the
// server's reason, and goes live by itself once a stream closes.
func TestJournalSaysWhenStreamsAreCapped(t *testing.T) {
	def, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	cfg := *def
	cfg.Server.MaxStreams = 1
	srv := fakeidp.StartTest(t, fakeidp.Options{Config: &cfg})
	held, err := http.Get(srv.URL() + "/_fakeidp/journal/stream")
	if err != nil || held.StatusCode != http.StatusOK {
		t.Fatalf("the one stream: %v %v", held, err)
	}
	defer held.Body.Close()

	tb := newTab(t)
	tb.expectError("429") // the console reports the refused stream
	tb.do(chromedp.Navigate(srv.URL()+"/_fakeidp/ui"),
		until(`document.getElementById("journal-live")?.textContent === "too many streams"`),
		until(`!document.getElementById("journal-note").hidden`))
	if note := tb.text("#journal-note"); !strings.Contains(note, "server.max_streams") || !strings.Contains(note, "Trying again in 5 s") {
		t.Errorf("the journal's note: %q, want the cap named and when the page tries again", note)
	}
	held.Body.Close()
	tb.do(until(`document.getElementById("journal-live").textContent === "live"`),
		until(`document.getElementById("journal-note").hidden`))
}
