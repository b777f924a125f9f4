package ui_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/internal/wiretest"
	"github.com/fakeidp/fakeidp/fakeidp/journal"
	"github.com/fakeidp/fakeidp/fakeidp/stub"
)

const (
	mediID     = "medi_test_client"
	mediSecret = "b29d0d9e-872c-4ea5-a92a-71b3abdea091"
)

// mediToken asks Kontur for a client-credentials token, as curl would, and
// returns the status and the access token.
func mediToken(t *testing.T, srv *fakeidp.Server) (int, string) {
	t.Helper()
	status, body := tokenWithSecret(t, srv, mediSecret)
	var token struct {
		AccessToken string `json:"access_token"`
	}
	_ = json.Unmarshal([]byte(body), &token)
	return status, token.AccessToken
}

func TestJournalShowsRequestsLive(t *testing.T) {
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	tb := newTab(t)
	tb.open(srv)
	sent := time.Now()
	if code, _ := mediToken(t, srv); code != http.StatusOK {
		t.Fatalf("token: %d", code)
	}
	row := `tr[data-testid="journal-row"][data-path="/connect/token"]`
	tb.do(until(`document.querySelector('` + row + `') !== null`))
	t.Logf("the request reached the page %v after it was sent", time.Since(sent).Round(time.Millisecond))

	// A click shows the request, its credentials cut short.
	tb.do(click(row), chromedp.WaitVisible(chromedp.ID("journal-detail")))
	request := tb.text(`[data-testid="journal-request"]`)
	basic := "Basic bWVkaV90ZXN0X2NsaWVudDpiMjlkMGQ5ZS04NzJjLTRlYTUtYTkyYS03MWIzYWJkZWEwOTE="
	if !strings.Contains(request, `"Authorization"`) || strings.Contains(request, basic) || !strings.Contains(request, "client_credentials") {
		t.Errorf("request detail:\n%s\nwant the fields, and the Authorization header redacted", request)
	}
	if status := tb.text(`[data-testid="response-status"]`); !strings.HasPrefix(status, "200 ") {
		t.Errorf("response status in the detail: %q, want 200", status)
	}

	// Filters hide what does not match; pause holds new rows back.
	tb.do(chromedp.SendKeys(chromedp.ID("f-status"), "4xx"),
		until(`document.querySelector('`+row+`').hidden`))
	tb.do(clearInput("f-status"), chromedp.SendKeys(chromedp.ID("f-path"), "connect"),
		until(`!document.querySelector('`+row+`').hidden`))
	tb.do(click("#journal-pause"))
	mediToken(t, srv)
	tb.do(until(`document.getElementById("journal-live").textContent === "paused, 1 new"`))
	if n := rowCount(tb, row); n != 1 {
		t.Errorf("%d rows while paused, want 1", n)
	}
	tb.do(click("#journal-pause"), until(`document.querySelectorAll('`+row+`').length === 2`))

	// Clear empties the journal, on the server too.
	tb.do(click("#journal-clear"), until(`document.querySelectorAll('`+row+`').length === 0`))
	if n := len(srv.Journal().List(journal.Filter{})); n != 0 {
		t.Errorf("the journal keeps %d entries after Clear", n)
	}
}

func rowCount(tb *tab, sel string) int {
	tb.t.Helper()
	n, err := chromedp.Run(tb.ctx, chromedp.Evaluate[int](`document.querySelectorAll('`+sel+`').length`))
	if err != nil {
		tb.t.Fatal(err)
	}
	return n
}

func TestSMSCodeAppears(t *testing.T) {
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	tb := newTab(t)
	tb.open(srv)
	resp, err := http.Get(srv.SiteURL("doktornarabote-api") + "/api/v1/access/validation-code?code=7&number=9161234567")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	row := `tr[data-testid="sms-row"][data-phone="79161234567"]`
	tb.do(chromedp.WaitVisible(chromedp.CSS(row)))
	sms := srv.Doktornarabote().Outbox("79161234567")
	if len(sms) != 1 {
		t.Fatalf("outbox: %v", sms)
	}
	if got := tb.text(row + ` [data-testid="sms-code"]`); got != sms[0].Code {
		t.Errorf("the page shows code %q, the outbox has %q", got, sms[0].Code)
	}
}

func TestPresetToggle(t *testing.T) {
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	tb := newTab(t)
	tb.open(srv)
	toggle := `input[data-testid="preset-toggle"][data-preset="kontur-invalid-client"]`
	tb.do(click(toggle), chromedp.WaitVisible(chromedp.CSS(`tr[data-testid="fault-row"]`)))
	if code, _ := mediToken(t, srv); code != http.StatusBadRequest {
		t.Errorf("token with the preset on: %d, want 400", code)
	}
	tb.do(click(toggle), until(`document.querySelectorAll('tr[data-testid="fault-row"]').length === 0`))
	if code, _ := mediToken(t, srv); code != http.StatusOK {
		t.Errorf("token with the preset off again: %d, want 200", code)
	}
}

func TestClockPlus25hExpiresTokens(t *testing.T) {
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	code, token := mediToken(t, srv)
	if code != http.StatusOK || !wiretest.Active(t, srv.SiteURL("kontur"), token) {
		t.Fatalf("fresh token: %d, active %v", code, wiretest.Active(t, srv.SiteURL("kontur"), token))
	}
	tb := newTab(t)
	tb.open(srv)
	tb.do(until(`document.querySelector('[data-testid="clock-now"]').textContent.endsWith("UTC")`))
	before := tb.text(`[data-testid="clock-now"]`)
	tb.do(click(`button[data-advance="25h"]`),
		until(`document.getElementById("clock-offset").textContent.includes("25h")`))
	after := tb.text(`[data-testid="clock-now"]`)
	b, err1 := time.Parse("2006-01-02 15:04:05 UTC", before)
	a, err2 := time.Parse("2006-01-02 15:04:05 UTC", after)
	if err1 != nil || err2 != nil || a.Sub(b) < 25*time.Hour || a.Sub(b) > 25*time.Hour+time.Minute {
		t.Errorf("clock-now %q then %q, want 25 h later", before, after)
	}
	if wiretest.Active(t, srv.SiteURL("kontur"), token) {
		t.Error("a token issued before +25 h is still active")
	}

	// Reset asks first, then puts the clock back.
	tb.do(click(`[data-testid="reset-button"]`), chromedp.WaitVisible(chromedp.CSS(`[data-testid="reset-confirm"]`)))
	if srv.Clock().Offset() == 0 {
		t.Fatal("reset before its confirmation")
	}
	tb.do(click(`[data-testid="reset-confirm"]`),
		until(`document.getElementById("clock-offset").textContent === "(real time)"`))
	if off := srv.Clock().Offset(); off != 0 {
		t.Errorf("clock offset %v after reset", off)
	}
}

// The add form shows each problem next to its field; a good rule joins
// the list, whose delete button removes it. The stubs panel deletes too.
func TestFaultFormAndStubs(t *testing.T) {
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	if _, err := srv.Stubs().Add(stub.Stub{Site: "livedigital", Path: "/v1/ping"}); err != nil {
		t.Fatal(err)
	}
	tb := newTab(t)
	tb.expectError("status of 400") // the refused rule
	tb.open(srv)
	tb.do(click("#fault-add summary"),
		chromedp.SetValue(chromedp.CSS(`#fault-form [name="effect.type"]`), "latency"),
		chromedp.Evaluate[chromedp.Void](`document.querySelector('#fault-form [name="effect.type"]').dispatchEvent(new Event("change"))`),
		chromedp.SendKeys(chromedp.CSS(`#fault-form [name="effect.delay"]`), "soon"),
		chromedp.SendKeys(chromedp.CSS(`#fault-form [name="times"]`), "-1"),
		click(`#fault-form button[type="submit"]`),
		chromedp.WaitVisible(chromedp.CSS(`[data-error-for="effect.delay"]`)))
	if got := tb.text(`[data-error-for="effect.delay"]`); !strings.Contains(got, "soon") {
		t.Errorf("the delay's error reads %q", got)
	}
	if got := tb.text(`[data-error-for="times"]`); got == "" {
		t.Error("no error next to times")
	}
	tb.do(chromedp.Evaluate[chromedp.Void](`for (const n of ["effect.delay", "times"]) document.querySelector('#fault-form [name="' + n + '"]').value = ""`),
		chromedp.SendKeys(chromedp.CSS(`#fault-form [name="effect.delay"]`), "2s"),
		click(`#fault-form button[type="submit"]`),
		chromedp.WaitVisible(chromedp.CSS(`tr[data-testid="fault-row"]`)))
	if rules := srv.Faults().List(); len(rules) != 1 || rules[0].Effect.Delay != "2s" {
		t.Fatalf("rules %+v, want the one latency rule", rules)
	}
	tb.do(click(`button[data-testid="fault-delete"]`),
		until(`document.querySelectorAll('tr[data-testid="fault-row"]').length === 0`))

	tb.do(chromedp.WaitVisible(chromedp.CSS(`tr[data-testid="stub-row"]`)),
		click(`button[data-testid="stub-delete"]`),
		until(`document.querySelectorAll('tr[data-testid="stub-row"]').length === 0`))
	if n := len(srv.Stubs().List()); n != 0 {
		t.Errorf("%d stubs left", n)
	}
}

// A sandbox opens in the same page, scoped to it; the root's page deletes
// it.
func TestSandboxScopedPage(t *testing.T) {
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	req, _ := http.NewRequest(http.MethodPost, srv.URL()+"/_fakeidp/sandboxes", strings.NewReader(`{}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	var sb struct {
		ID    string            `json:"id"`
		Sites map[string]string `json:"sites"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&sb)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated || sb.ID == "" {
		t.Fatalf("create sandbox: %d", resp.StatusCode)
	}
	tb := newTab(t)
	tb.open(srv)
	tb.do(chromedp.WaitVisible(chromedp.CSS(`tr[data-testid="sandbox-row"][data-id="`+sb.ID+`"]`)),
		click(`[data-testid="sandbox-open"]`),
		until(`location.pathname === "/sandbox/`+sb.ID+`/_fakeidp/ui" && document.getElementById("journal-live")?.textContent === "live"`),
		chromedp.WaitVisible(chromedp.ID("scope")))
	treq, _ := http.NewRequest(http.MethodPost, sb.Sites["kontur"]+"/connect/token", strings.NewReader("grant_type=client_credentials&scope=medi_api"))
	treq.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	treq.SetBasicAuth(mediID, mediSecret)
	if resp, err := http.DefaultClient.Do(treq); err != nil || resp.StatusCode != 200 {
		t.Fatalf("sandbox token: %v %v", resp, err)
	}
	tb.do(chromedp.WaitVisible(chromedp.CSS(`tr[data-testid="journal-row"][data-path="/connect/token"]`)))
	if n := len(srv.Journal().List(journal.Filter{})); n != 0 {
		t.Errorf("the root's journal has %d entries: the sandbox's request leaked", n)
	}
	tb.open(srv)
	tb.do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="sandbox-delete"]`)),
		click(`[data-testid="sandbox-delete"]`),
		until(`document.querySelectorAll('tr[data-testid="sandbox-row"]').length === 0`))
}
