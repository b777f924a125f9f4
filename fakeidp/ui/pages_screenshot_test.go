package ui_test

import (
	"bytes"
	"image/png"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// shoot takes the tab's page as a PNG named name, into docs/ with
// -update-screenshot and into the test's temporary directory otherwise
// ($FAKEIDP_SCREENSHOT_DIR, when set, to look at them). full takes the
// whole page, else what the window shows. It is kept as Chromium encoded
// it or as Go's encoder does at its best, whichever is smaller, as docs/
// keeps them.
func (tb *tab) shoot(name string, full bool) {
	tb.t.Helper()
	take := chromedp.CaptureScreenshot()
	if full {
		take = chromedp.FullScreenshot(100)
	}
	shot, err := chromedp.Run(tb.ctx, take)
	if err != nil {
		tb.t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(shot))
	if err != nil {
		tb.t.Fatalf("screenshot %s: %v", name, err)
	}
	var small bytes.Buffer
	if err := (&png.Encoder{CompressionLevel: png.BestCompression}).Encode(&small, img); err != nil {
		tb.t.Fatal(err)
	}
	if small.Len() > len(shot) {
		small.Reset()
		small.Write(shot)
	}
	dir := tb.t.TempDir()
	if *updateScreenshot {
		dir = filepath.Join("..", "..", "docs")
	}
	if d := os.Getenv("FAKEIDP_SCREENSHOT_DIR"); d != "" {
		dir = d
	}
	out := filepath.Join(dir, name)
	if err := os.WriteFile(out, small.Bytes(), 0o644); err != nil {
		tb.t.Fatal(err)
	}
	tb.t.Logf("screenshot: %s (%d×%d, %d bytes)", out, img.Bounds().Dx(), img.Bounds().Dy(), small.Len())
}

// desktop is a laptop's window.
func desktop() chromedp.Action[chromedp.Void] { return chromedp.EmulateViewport(1280, 800) }

// TestPageScreenshots shows the pages a person uses besides the
// dashboard, on a laptop and on a phone (go test ./fakeidp/ui/ -run
// PageScreenshots -update-screenshot writes them to docs/).
func TestPageScreenshots(t *testing.T) {
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	authorize := url.Values{"response_type": {"code"}, "client_id": {"yourClientId"},
		"redirect_uri": {"http://www.example.com/"}, "scope": {"openid extern.api"}, "state": {"xyz"}}
	if _, err := srv.Livedigital().CreatePersonalToken("test_user@test.test"); err != nil {
		t.Fatal(err)
	}
	pages := []struct{ name, url string }{
		{"login", srv.SiteURL("kontur") + "/connect/authorize?" + authorize.Encode()},
		{"cabinet", srv.URL() + "/_fakeidp/livedigital/"},
		{"landing", srv.URL() + "/"},
		{"error", srv.SiteURL("kontur") + "/connect/authorize?client_id=nobody&response_type=code"},
	}
	for _, p := range pages {
		for _, size := range []struct {
			name string
			act  chromedp.Action[chromedp.Void]
		}{{"desktop", desktop()}, {"phone", phone()}} {
			tb := newTab(t)
			tb.expectError("favicon.ico")
			tb.expectError("status of 400") // the error page's own status
			tb.do(size.act, chromedp.Navigate(p.url))
			tb.shoot(p.name+"-"+size.name+".png", false)
		}
	}
}
