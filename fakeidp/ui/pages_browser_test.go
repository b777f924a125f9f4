package ui_test

import (
	"encoding/json"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/internal/wiretest"
	"github.com/fakeidp/fakeidp/fakeidp/livedigital"
)

// The fake's other HTML pages, in the same browser as the dashboard: each
// works under its own Content-Security-Policy (any violation fails the
// tab), and none can be framed.

// The cabinet page's buttons call the control API, same-origin and as
// JSON, and its style and script load from beside it. After each action
// the lists change in place, without a reload; a new personal token is
// shown once; a secret is replaced only once confirmed.
func TestCabinetPageInBrowser(t *testing.T) {
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	cabinet := func() livedigital.Cabinet {
		c, err := srv.Livedigital().Cabinet("test_user@test.test")
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	before := cabinet()
	tb := newTab(t)
	tb.expectError("favicon.ico") // the cabinet page has none
	tb.do(chromedp.Navigate(srv.URL()+"/_fakeidp/livedigital/"),
		chromedp.WaitVisible(chromedp.CSS(`[data-empty="tokens"]`)),
		// A reload would lose this.
		chromedp.Evaluate[chromedp.Void](`window.sameDocument = true`),
		click(`button[data-op="create"]`),
		until(`document.querySelectorAll('[data-testid="token-row"]').length === 1`))
	created := cabinet().PersonalTokens
	if len(created) != 1 {
		t.Fatalf("the server has tokens %v", created)
	}
	if id := tb.attr(`[data-testid="token-row"]`, "data-id"); id != created[0].ID {
		t.Errorf("the page lists token %q, the server has %q", id, created[0].ID)
	}
	if v := tb.text(`[data-testid="token-value"]`); len(v) < 20 || !tb.visible(`[data-testid="new-token"]`) || tb.visible(`[data-empty="tokens"]`) {
		t.Errorf("the new token's value %q is not shown once, or the empty state stays", v)
	}
	// Regenerate asks first; Cancel changes nothing.
	tb.do(click(`button[data-op="secret"]`), chromedp.WaitVisible(chromedp.CSS(`[data-testid="secret-confirm"]`)),
		click(`button[data-op="secret-no"]`))
	if cabinet().Clients[0].ClientSecret != before.Clients[0].ClientSecret {
		t.Fatal("the secret changed without confirmation")
	}
	tb.do(click(`button[data-op="secret"]`), click(`button[data-op="secret-yes"]`),
		until(`!document.querySelector('[data-testid="client-row"]').textContent.includes("`+before.Clients[0].ClientSecret+`")`))
	after := cabinet()
	if after.Clients[0].ClientSecret == before.Clients[0].ClientSecret ||
		!strings.Contains(tb.text(`[data-testid="client-row"]`), after.Clients[0].ClientSecret) {
		t.Errorf("the page does not show the new secret %q", after.Clients[0].ClientSecret)
	}
	// Delete empties the list, and the value shown once is gone.
	tb.do(click(`button[data-op="delete"]`),
		until(`document.querySelectorAll('[data-testid="token-row"]').length === 0`),
		chromedp.WaitVisible(chromedp.CSS(`[data-empty="tokens"]`)))
	if tb.visible(`[data-testid="new-token"]`) || len(cabinet().PersonalTokens) != 0 {
		t.Error("after Delete the token is still shown or kept")
	}
	same, _ := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](`window.sameDocument === true`))
	if !same {
		t.Error("the page reloaded")
	}
	// At a phone's width, with a token listed, it does not scroll sideways.
	tb.do(phone(), click(`button[data-op="create"]`),
		until(`document.querySelectorAll('[data-testid="token-row"]').length === 1`))
	tb.noSidewaysScroll("the cabinet")
}

// konturWithApp starts an app for the login to come back to, and a fake
// whose jwt-client may come back to it: jwt-client registered
// http://127.0.0.1/callback, and the app listens on another port.
func konturWithApp(t *testing.T) (srv *fakeidp.Server, callback string) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	app := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write([]byte("<!DOCTYPE html><title>app</title>"))
	})}
	go func() { _ = app.Serve(l) }()
	t.Cleanup(func() { _ = app.Close() })
	srv = fakeidp.StartTest(t, fakeidp.Options{Config: wiretest.Config(t, func(cfg *config.Config) {
		clients := slices.Clone(cfg.Kontur.Clients)
		for i := range clients {
			if clients[i].ID == "jwt-client" {
				clients[i].AllowAnyLoopbackPort = true
			}
		}
		cfg.Kontur.Clients = clients
	}), Now: wiretest.At(time.Now())})
	return srv, "http://" + l.Addr().String() + "/callback"
}

// The login form's answer redirects to the client's redirect_uri: the
// page's CSP has no form-action, which browsers would apply to that
// redirect too.
func TestKonturLoginInBrowser(t *testing.T) {
	srv, callback := konturWithApp(t)
	tb := newTab(t)
	tb.expectError("favicon.ico")
	tb.do(chromedp.Navigate(srv.SiteURL("kontur")+"/connect/authorize?response_type=code&client_id=jwt-client&scope=openid&state=s1&redirect_uri="+callback),
		chromedp.SendKeys(chromedp.CSS(`input[name=username]`), "user@login.ru"),
		chromedp.SendKeys(chromedp.CSS(`input[name=password]`), "password"),
		click(`button[value=login]`),
		until(`location.href.startsWith("`+callback+`?code=")`))
	loc, _ := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`location.href`))
	if !strings.Contains(loc, "state=s1") {
		t.Errorf("the app got %s", loc)
	}
}

// A test user's button on the login page signs in with one click, without
// JavaScript (the page has none), and the code it brings back is
// exchanged for tokens. At a phone's width the page does not scroll
// sideways.
func TestKonturTestUserInBrowser(t *testing.T) {
	srv, callback := konturWithApp(t)
	tb := newTab(t)
	tb.expectError("favicon.ico")
	tb.do(phone(), chromedp.Navigate(srv.SiteURL("kontur")+"/connect/authorize?response_type=code&client_id=jwt-client&scope=openid&state=s2&redirect_uri="+callback),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="test-user"]`)))
	tb.noSidewaysScroll("the login page")
	tb.do(click(`[data-testid="test-user"][data-username="user@login.ru"]`),
		until(`location.href.startsWith("`+callback+`?code=")`))
	loc, _ := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`location.href`))
	u, _ := url.Parse(loc)
	if u.Query().Get("state") != "s2" {
		t.Errorf("the app got %s", loc)
	}
	form := url.Values{"grant_type": {"authorization_code"}, "code": {u.Query().Get("code")}, "redirect_uri": {callback}}
	req, _ := http.NewRequest(http.MethodPost, srv.SiteURL("kontur")+"/connect/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("jwt-client", "jwt-client-secret")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tokens struct {
		IDToken string `json:"id_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tokens); err != nil || resp.StatusCode != 200 || tokens.IDToken == "" {
		t.Errorf("code exchange: %d %v", resp.StatusCode, err)
	}
}
