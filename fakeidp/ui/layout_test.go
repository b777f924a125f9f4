package ui_test

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// At a phone's width the dashboard does not scroll sideways, and a
// journal row keeps every field in view, the duration included.
func TestDashboardFitsPhone(t *testing.T) {
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	tb := newTab(t)
	tb.do(phone())
	tb.open(srv)
	mediToken(t, srv)
	resp, err := http.Get(srv.SiteURL("doktornarabote-api") + "/api/v1/access/validation-code?code=7&number=9161234567")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	row := `tr[data-testid="journal-row"]`
	tb.do(until(`document.querySelectorAll('`+row+`').length === 2`), click(row),
		chromedp.WaitVisible(chromedp.ID("journal-detail")))
	tb.noSidewaysScroll("the dashboard")
	for i := 1; i <= 7; i++ {
		right, err := chromedp.Run(tb.ctx, chromedp.Evaluate[float64](
			`document.querySelector('`+row+` td:nth-child(`+string(rune('0'+i))+`)').getBoundingClientRect().right`))
		if err != nil || right > 390 {
			t.Errorf("journal cell %d ends at %v px (%v), beyond the 390 px screen", i, right, err)
		}
	}
	// A path wraps at its slashes and hyphens, not letter by letter: the
	// path cell is wider than a few letters.
	w, _ := chromedp.Run(tb.ctx, chromedp.Evaluate[float64](`document.querySelector('`+row+` td:nth-child(4)').getBoundingClientRect().width`))
	if w < 150 {
		t.Errorf("the path cell is %v px wide", w)
	}
}

// The journal says when it has no rows, and why; a row shows its date
// when it is not today and is marked when the server's clock was moved.
func TestJournalEmptyStateAndVirtualTime(t *testing.T) {
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	tb := newTab(t)
	tb.open(srv)
	if !tb.visible(`#journal-empty`) || tb.visible(`#journal-table`) {
		t.Error("an empty journal does not say so")
	}
	mediToken(t, srv)
	row := `tr[data-testid="journal-row"]`
	tb.do(until(`document.querySelectorAll('` + row + `').length === 1`))
	if tb.visible(`#journal-empty`) || tb.visible(`[data-testid="virtual-time"]`) || tb.visible(row+` .date`) {
		t.Error("a request of today in real time: the empty state stays, or the row is marked virtual or dated")
	}
	tb.do(chromedp.SendKeys(chromedp.ID("f-status"), "5xx"), chromedp.WaitVisible(chromedp.ID("journal-filtered")))
	tb.do(clearInput("f-status"), chromedp.WaitVisible(chromedp.CSS(row)))

	tb.do(click(`button[data-advance="25h"]`), until(`!document.getElementById("clock-offset").textContent.includes("real time")`))
	mediToken(t, srv)
	tb.do(until(`document.querySelectorAll('` + row + `').length === 2`))
	tomorrow := time.Now().UTC().Add(25 * time.Hour).Format("2006-01-02")
	if got := tb.text(row + ` .date`); got != tomorrow {
		t.Errorf("the moved clock's row shows date %q, want %s", got, tomorrow)
	}
	if !tb.visible(row + `:first-child [data-testid="virtual-time"]`) {
		t.Error("the moved clock's row is not marked virtual")
	}
	if n := rowCount(tb, row+` [data-testid="virtual-time"]`); n != 1 {
		t.Errorf("%d rows marked virtual, want the one made after the clock moved", n)
	}
}

// The SMS panel's "live" is the journal stream's: it goes when the
// connection goes.
func TestSMSLiveFollowsConnection(t *testing.T) {
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	tb := newTab(t)
	tb.expectError("ERR_CONNECTION_REFUSED") // the browser reports the calls that find no server
	tb.expectError("journal/stream")
	tb.open(srv)
	if got := tb.text("#sms-live"); got != "live" {
		t.Errorf("SMS panel says %q while connected", got)
	}
	srv.Close()
	tb.do(until(`document.getElementById("sms-live").classList.contains("off")`))
	if got := tb.text("#sms-live"); !strings.Contains(got, "reconnecting") {
		t.Errorf("SMS panel says %q once the server is gone", got)
	}
}
