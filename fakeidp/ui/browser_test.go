package ui_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// The dashboard's tests drive a real headless Chromium (Debian's chromium
// package) through the DevTools protocol. One browser serves every test;
// each test gets its own browser context (its own cookies) and tab.

var browser struct {
	once sync.Once
	ctx  context.Context // the browser's first tab; tests open others
	err  error
	skip string
}

// chromiumPath finds the browser: $FAKEIDP_CHROMIUM, else Debian's
// chromium or a Chrome on the PATH.
func chromiumPath() string {
	if p := os.Getenv("FAKEIDP_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "headless-shell"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

var stopBrowser = func() {}

func TestMain(m *testing.M) {
	code := m.Run()
	stopBrowser()
	os.Exit(code)
}

func startBrowser() {
	path := chromiumPath()
	if path == "" {
		browser.skip = "no Chromium found: install Debian's chromium (apt-get install chromium) or set FAKEIDP_CHROMIUM; .ci/run installs it"
		return
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.NoSandbox, // CI runs as root, where Chromium's sandbox cannot start
		chromedp.WindowSize(1440, 900),
		chromedp.Flag("hide-scrollbars", true),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(allocCtx)
	stopBrowser = func() { cancel(); cancelAlloc() }
	// The first run starts the browser, and its context is the browser's
	// life: no timeout on it.
	if err := chromedp.Do(ctx); err != nil {
		browser.err = fmt.Errorf("starting %s: %w", path, err)
		return
	}
	browser.ctx = ctx
}

// tab is a page for one test: its own browser context, so cookies do not
// leak between tests. Every console error, uncaught exception and
// Content-Security-Policy violation on the page fails the test.
type tab struct {
	ctx context.Context
	t   *testing.T

	mu     sync.Mutex
	errors []string
	// allow are texts of browser errors the test provokes on purpose.
	allow []string
}

func newTab(t *testing.T) *tab {
	t.Helper()
	browser.once.Do(startBrowser)
	if browser.skip != "" {
		t.Skip(browser.skip)
	}
	if browser.err != nil {
		t.Fatal(browser.err)
	}
	ctx, cancel := chromedp.NewContext(browser.ctx, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		t.Fatal(err)
	}
	tb := &tab{t: t}
	var cancelTimeout context.CancelFunc
	tb.ctx, cancelTimeout = context.WithTimeout(ctx, 60*time.Second)
	messages := chromedp.Console(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for m, err := range messages {
			if err != nil {
				return
			}
			tb.note(m)
		}
	}()
	t.Cleanup(func() {
		cancelTimeout()
		cancel()
		<-done
		tb.mu.Lock()
		defer tb.mu.Unlock()
		for _, e := range tb.errors {
			t.Errorf("browser: %s", e)
		}
	})
	return tb
}

func (tb *tab) note(m chromedp.ConsoleMessage) {
	if m.Type != chromedp.ConsoleError && !m.IsException() {
		return
	}
	tb.mu.Lock()
	defer tb.mu.Unlock()
	msg := m.String() + " " + m.URL
	for _, a := range tb.allow {
		if strings.Contains(msg, a) {
			return
		}
	}
	tb.errors = append(tb.errors, msg)
}

// expectError lets a browser error that the test provokes pass, e.g. the
// console's report of a refused request.
func (tb *tab) expectError(text string) {
	tb.mu.Lock()
	tb.allow = append(tb.allow, text)
	tb.mu.Unlock()
}

// do runs actions, failing the test on error.
func (tb *tab) do(actions ...chromedp.Action[chromedp.Void]) {
	tb.t.Helper()
	if err := chromedp.Do(tb.ctx, actions...); err != nil {
		tb.t.Fatal(err)
	}
}

// open loads the dashboard and waits until its journal is live.
func (tb *tab) open(srv *fakeidp.Server) {
	tb.t.Helper()
	tb.do(chromedp.Navigate(srv.URL()+"/_fakeidp/ui"),
		until(`document.getElementById("journal-live")?.textContent === "live"`))
}

// until waits for a JavaScript condition to hold on the page, for up to
// ten seconds (a hang guard, not a measure). It asks again and again
// rather than installing a poller in the page, so that it goes on across
// a navigation (a form post, a reload).
func until(cond string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		deadline := time.Now().Add(10 * time.Second)
		for {
			ok, err := chromedp.Evaluate[bool]("Boolean("+cond+")")(ctx, t)
			if err == nil && ok {
				return nil
			}
			if time.Now().After(deadline) {
				return fmt.Errorf("waited 10s for %s (last error: %v)", cond, err)
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(20 * time.Millisecond):
			}
		}
	})
}

// click clicks the element a CSS selector finds.
func click(sel string) chromedp.Action[chromedp.Void] {
	return chromedp.Click(chromedp.CSS(sel))
}

// text reads an element's text.
func (tb *tab) text(sel string) string {
	tb.t.Helper()
	s, err := chromedp.Run(tb.ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		tb.t.Fatal(err)
	}
	return s
}

// clearInput empties an input as a user selecting its text and deleting
// it would, input event included.
func clearInput(id string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := chromedp.Evaluate[chromedp.Void](`(() => { const e = document.getElementById("`+id+`");
			e.value = ""; e.dispatchEvent(new Event("input", {bubbles: true})); })()`)(ctx, t)
		return err
	})
}

// phone makes the tab a phone's: 390 px wide, as a mobile browser lays a
// page out, so that a page without a viewport meta is drawn 980 px wide.
func phone() chromedp.Action[chromedp.Void] {
	return chromedp.EmulateViewport(390, 844, chromedp.EmulateMobile)
}

// noSidewaysScroll fails the test when the page is wider than a phone.
func (tb *tab) noSidewaysScroll(page string) {
	tb.t.Helper()
	w, err := chromedp.Run(tb.ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if err != nil {
		tb.t.Fatal(err)
	}
	if w > 390 {
		tb.t.Errorf("%s scrolls sideways at 390 px: scrollWidth %d", page, w)
	}
}

// attr reads an attribute of the element a CSS selector finds.
func (tb *tab) attr(sel, name string) string {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`document.querySelector('`+sel+`').getAttribute("`+name+`") || ""`))
	if err != nil {
		tb.t.Fatal(err)
	}
	return v
}

// visible reports whether the element a CSS selector finds is drawn.
func (tb *tab) visible(sel string) bool {
	tb.t.Helper()
	v, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](`(() => { const e = document.querySelector('`+sel+`'); return !!e && e.checkVisibility(); })()`))
	if err != nil {
		tb.t.Fatal(err)
	}
	return v
}
