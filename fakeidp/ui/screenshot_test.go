package ui_test

import (
	"flag"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/fakeidp/fakeidp/fakeidp"
)

var updateScreenshot = flag.Bool("update-screenshot", false, "write the pages' screenshots to docs/")

// TestScreenshot shows the dashboard with some traffic, as the README's
// picture does, on a laptop and on a phone, where it must not scroll
// sideways (go test ./fakeidp/ui/ -run Screenshot -update-screenshot).
func TestScreenshot(t *testing.T) {
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	tb := newTab(t)
	tb.do(desktop())
	tb.open(srv)
	for range 2 {
		mediToken(t, srv)
	}
	resp, err := http.Get(srv.SiteURL("doktornarabote-api") + "/api/v1/access/validation-code?code=7&number=9161234567")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	tb.do(click(`input[data-preset="kontur-invalid-client"]`),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-testid="fault-row"]`)))
	mediToken(t, srv)
	tb.do(until(`document.querySelectorAll('tr[data-testid="journal-row"]').length === 4`),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-testid="sms-row"]`)),
		click(`tr[data-testid="journal-row"]`),
		chromedp.WaitVisible(chromedp.ID("journal-detail")),
		// The status line fades by itself; the picture is of the panels.
		until(`document.getElementById("status").hidden`))
	tb.shoot("dashboard.png", true) // the whole page, every panel
	tb.do(phone(), until(`document.documentElement.clientWidth === 390`))
	tb.noSidewaysScroll("the dashboard")
	tb.shoot("dashboard-phone.png", false)
}
