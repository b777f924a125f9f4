package ui_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"github.com/fakeidp/fakeidp/fakeidp"
)

const controlToken = "test-only-control-token"

// signIn opens the dashboard of a server with a control token, which asks
// for the token, and signs in.
func signIn(t *testing.T, tb *tab, srv *fakeidp.Server) {
	t.Helper()
	tb.do(chromedp.Navigate(srv.URL()+"/_fakeidp/ui"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signin-form"]`)))
	if n := rowCount(tb, `#journal`); n != 0 {
		t.Fatal("the page shows the dashboard before the token")
	}
	// A wrong token is refused, on the form.
	tb.expectError("status of 403")
	tb.do(chromedp.SendKeys(chromedp.CSS(`[data-testid="control-token"]`), "wrong"),
		click(`#signin button[type="submit"]`),
		until(`document.getElementById("signin-error").textContent.includes("not this fakeidp's control token")`))
	tb.do(chromedp.Evaluate[chromedp.Void](`document.querySelector('[data-testid="control-token"]').value = ""`),
		chromedp.SendKeys(chromedp.CSS(`[data-testid="control-token"]`), controlToken),
		click(`#signin button[type="submit"]`),
		until(`document.getElementById("journal-live")?.textContent === "live"`))
}

func TestControlTokenSignIn(t *testing.T) {
	srv := fakeidp.StartTest(t, fakeidp.Options{ControlToken: controlToken})
	tb := newTab(t)
	signIn(t, tb, srv)

	// The cookie: HttpOnly, so no script reads it; SameSite=Strict, so no
	// other site's page sends it; it is not the token itself.
	got, err := chromedp.Call(tb.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{srv.URL() + "/_fakeidp/"}})
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Cookies) != 1 {
		t.Fatalf("cookies %+v, want the session cookie", got.Cookies)
	}
	c := got.Cookies[0]
	if !c.HTTPOnly || c.SameSite != network.CookieSameSiteStrict || c.Path != "/" || strings.Contains(c.Value, controlToken) {
		t.Errorf("session cookie %+v: want HttpOnly, SameSite=Strict, Path /, no token in it", c)
	}
	// The page works: a state change and the live journal.
	tb.do(click(`input[data-preset="kontur-invalid-client"]`),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-testid="fault-row"]`)))
	if !srv.PresetEnabled("kontur-invalid-client") {
		t.Error("the toggle did not reach the server")
	}
	mediToken(t, srv)
	tb.do(chromedp.WaitVisible(chromedp.CSS(`tr[data-testid="journal-row"][data-path="/connect/token"]`)))

	// The livedigital cabinet page takes the same cookie, for reading and
	// for its buttons.
	tb.expectError("/favicon.ico") // the cabinet page has none
	tb.do(chromedp.Navigate(srv.URL()+"/_fakeidp/livedigital/"),
		chromedp.WaitVisible(chromedp.CSS(`button[data-op="client"]`)))
	if h1 := tb.text("h1"); !strings.Contains(h1, "livedigital cabinet") {
		t.Errorf("cabinet page: %q", h1)
	}
	tb.do(click(`button[data-op="client"]`), until(`document.querySelectorAll('[data-testid="client-row"]').length === 2`))
}

// With a control token and no cookie, the cabinet page sends a person to
// sign in, and back to the cabinet once signed in: not a JSON 401.
func TestCabinetSignIn(t *testing.T) {
	srv := fakeidp.StartTest(t, fakeidp.Options{ControlToken: controlToken})
	tb := newTab(t)
	tb.expectError("/favicon.ico")
	tb.do(phone(), chromedp.Navigate(srv.URL()+"/_fakeidp/livedigital/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="signin-form"]`)))
	tb.noSidewaysScroll("the sign-in page")
	tb.do(chromedp.SendKeys(chromedp.CSS(`[data-testid="control-token"]`), controlToken),
		click(`#signin button[type="submit"]`),
		until(`location.pathname === "/_fakeidp/livedigital/"`),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="client-row"]`)))
}

// attackerPage is another origin's page (another port of 127.0.0.1, which
// is the same site, so SameSite cookies go along) with forms aimed at the
// control API: a text/plain body that looks like JSON, and a plain form.
func attackerPage(t *testing.T, srv *fakeidp.Server) string {
	t.Helper()
	page := fmt.Sprintf(`<!DOCTYPE html><html><body>
<form id="json" method="POST" action="%[1]s/_fakeidp/presets/kontur-invalid-client" enctype="text/plain">
<input name='{"x":"' value='"}'><button>go</button></form>
<form id="plain" method="POST" action="%[1]s/_fakeidp/faults">
<input name="effect" value="hang"><button>go</button></form>
</body></html>`, srv.URL())
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, page)
	}))
	t.Cleanup(other.Close)
	return other.URL
}

func TestCrossOriginFormPostRefused(t *testing.T) {
	for _, token := range []string{"", controlToken} {
		t.Run(fmt.Sprintf("token=%t", token != ""), func(t *testing.T) {
			srv := fakeidp.StartTest(t, fakeidp.Options{ControlToken: token})
			tb := newTab(t)
			if token != "" {
				signIn(t, tb, srv) // the cookie is there, and must not help
			}
			tb.expectError("status of 403")
			tb.expectError("/favicon.ico") // the browser asks the control API's origin for one
			for _, form := range []string{"json", "plain"} {
				tb.do(chromedp.Navigate(attackerPage(t, srv)),
					chromedp.Submit(chromedp.ID(form)),
					until(`location.pathname.startsWith("/_fakeidp/") && document.readyState === "complete"`))
				if body := tb.text("body"); !strings.Contains(body, "refuses requests from other web pages") {
					t.Errorf("form %s: the control API answered %q", form, body)
				}
			}
			if srv.PresetEnabled("kontur-invalid-client") || len(srv.Faults().List()) != 0 {
				t.Errorf("a cross-origin form changed the server: preset %v, rules %v",
					srv.PresetEnabled("kontur-invalid-client"), srv.Faults().List())
			}
		})
	}
}
