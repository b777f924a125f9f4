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
)

// The fake's other HTML pages, in the same browser as the dashboard: each
// works under its own Content-Security-Policy (any violation fails the
// tab), and none can be framed.

// The cabinet page's buttons call the control API, same-origin and as
// JSON, and its style and script load from beside it.
func TestCabinetPageInBrowser(t *testing.T) {
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	before, err := srv.Livedigital().Cabinet("test_user@test.test")
	if err != nil {
		t.Fatal(err)
	}
	tb := newTab(t)
	tb.expectError("favicon.ico") // the cabinet page has none
	tb.do(chromedp.Navigate(srv.URL()+"/_fakeidp/livedigital/"),
		click(`button[data-op="secret"]`),
		until(`document.getElementById("out").textContent.startsWith("200 ")`),
		click(`button[data-op="create"]`),
		until(`document.getElementById("out").textContent.startsWith("201 ")`))
	after, _ := srv.Livedigital().Cabinet("test_user@test.test")
	if after.Clients[0].ClientSecret == before.Clients[0].ClientSecret || len(after.PersonalTokens) != 1 {
		t.Errorf("the buttons changed nothing: %+v", after)
	}
	bg, err := chromedp.Run(tb.ctx, chromedp.Evaluate[string](`getComputedStyle(document.querySelector(".banner")).backgroundColor`))
	if err != nil || bg != "rgb(255, 238, 221)" {
		t.Errorf("cabinet.css not applied: banner background %q %v", bg, err)
	}
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
	srv = wiretest.StartWith(t, time.Now(), func(cfg *config.Config) {
		clients := slices.Clone(cfg.Kontur.Clients)
		for i := range clients {
			if clients[i].ID == "jwt-client" {
				clients[i].AllowAnyLoopbackPort = true
			}
		}
		cfg.Kontur.Clients = clients
	})
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
