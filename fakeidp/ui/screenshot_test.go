package ui_test

import (
	"bytes"
	"flag"
	"image/png"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/fakeidp/fakeidp/fakeidp"
)

var updateScreenshot = flag.Bool("update-screenshot", false, "write the dashboard's screenshot to docs/dashboard.png")

// TestScreenshot shows the dashboard with some traffic, as the README's
// picture does (go test ./fakeidp/ui/ -run Screenshot -update-screenshot).
func TestScreenshot(t *testing.T) {
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	tb := newTab(t)
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
	shot, err := chromedp.Run(tb.ctx, chromedp.FullScreenshot(100)) // the whole page, every panel
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil || img.Bounds().Dx() < 1000 {
		t.Fatalf("screenshot: %v, %v", img.Bounds(), err)
	}
	out := filepath.Join(t.TempDir(), "dashboard.png")
	if *updateScreenshot {
		out = filepath.Join("..", "..", "docs", "dashboard.png")
	}
	if err := os.WriteFile(out, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", out)
}
