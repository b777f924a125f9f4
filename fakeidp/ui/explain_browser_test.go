package ui_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/fault"
	"github.com/fakeidp/fakeidp/fakeidp/journal"
	"github.com/fakeidp/fakeidp/fakeidp/stub"
)

// tokenWithSecret asks Kontur for medi_test_client's client-credentials
// token with the given secret and returns the status and the body.
func tokenWithSecret(t *testing.T, srv *fakeidp.Server, secret string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.SiteURL("kontur")+"/connect/token",
		strings.NewReader("grant_type=client_credentials&scope=medi_api"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(mediID, secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// shown reads the text of what a CSS selector finds on the page as it is
// now, failing the test at once if nothing matches (tb.text would wait).
func shown(tb *tab, sel string) string {
	tb.t.Helper()
	q, _ := json.Marshal(sel)
	got, err := chromedp.Run(tb.ctx, chromedp.Evaluate[*string](`document.querySelector(`+string(q)+`)?.textContent ?? null`))
	if err != nil {
		tb.t.Fatal(err)
	}
	if got == nil {
		tb.t.Errorf("nothing on the page matches %s", sel)
		return ""
	}
	return *got
}

// A refused request's row shows its reason code, and its detail the
// reason, the message and the response body the client got.
func TestRefusalExplainedInDetail(t *testing.T) {
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	tb := newTab(t)
	tb.open(srv)
	const wrong = "not-the-secret-of-medi"
	status, body := tokenWithSecret(t, srv, wrong)
	if status != http.StatusBadRequest {
		t.Fatalf("token with a wrong secret: %d %s, want 400", status, body)
	}
	row := `tr[data-testid="journal-row"][data-path="/connect/token"]`
	tb.do(until(`document.querySelector('` + row + `') !== null`))
	if got := shown(tb, row+` [data-testid="row-reason"]`); got != "client_secret_mismatch" {
		t.Errorf("the row shows the reason %q, want client_secret_mismatch", got)
	}

	tb.do(click(row), chromedp.WaitVisible(chromedp.ID("journal-detail")))
	if got := shown(tb, `#journal-detail [data-testid="reason"]`); got != "client_secret_mismatch" {
		t.Errorf("reason in the detail: %q, want client_secret_mismatch", got)
	}
	if got := shown(tb, `#journal-detail [data-testid="response-body"]`); got != body {
		t.Errorf("response body in the detail:\n%s\nwant what the client got:\n%s", got, body)
	}
	msg := shown(tb, `#journal-detail [data-testid="reason-message"]`)
	if msg == "" || strings.Contains(msg, wrong) {
		t.Errorf("reason message %q: want a sentence without the secret sent", msg)
	}
	if got := shown(tb, `#journal-detail [data-testid="response-status"]`); !strings.HasPrefix(got, "400 ") {
		t.Errorf("response status in the detail: %q", got)
	}
	if got := shown(tb, `#journal-detail [data-testid="response-headers"]`); !strings.Contains(got, "Content-Type: application/json") {
		t.Errorf("response headers in the detail:\n%s", got)
	}
}

// An answer made by a fault rule links to the rule in the Error cases
// panel. What the rule sends is shown as text: markup in a body or a
// header never becomes part of the page.
func TestFaultAnswerLinksToItsRule(t *testing.T) {
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	const markup = `<img src="x" id="injected"><b id="bold">not bold</b>`
	rule, err := srv.Faults().Add(fault.Rule{
		Match:  fault.Match{Site: "kontur", Path: "/connect/token"},
		Effect: fault.Effect{Type: "response", Status: 503, Body: markup, Headers: map[string]string{"X-Note": markup}},
	})
	if err != nil {
		t.Fatal(err)
	}
	tb := newTab(t)
	tb.open(srv)
	tb.do(chromedp.WaitVisible(chromedp.CSS(`tr[data-testid="fault-row"]`)))
	if status, body := tokenWithSecret(t, srv, mediSecret); status != http.StatusServiceUnavailable || body != markup {
		t.Fatalf("token under the rule: %d %q", status, body)
	}
	row := `tr[data-testid="journal-row"][data-path="/connect/token"]`
	tb.do(until(`document.querySelector('`+row+`') !== null`), click(row),
		chromedp.WaitVisible(chromedp.ID("journal-detail")))
	if got := shown(tb, `#journal-detail [data-testid="reason"]`); got != "fault" {
		t.Errorf("reason %q, want fault", got)
	}
	if got := shown(tb, `#journal-detail [data-testid="response-body"]`); got != markup {
		t.Errorf("response body %q, want the rule's body as text", got)
	}
	injected, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](
		`document.getElementById("injected") !== null || document.getElementById("bold") !== null`))
	if err != nil || injected {
		t.Errorf("the rule's markup became elements of the page (%v)", err)
	}

	link := `#journal-detail a[data-testid="fault-link"]`
	if got := shown(tb, link); !strings.Contains(got, rule.ID) {
		t.Errorf("fault link %q, want it to name rule %s", got, rule.ID)
	}
	tb.do(click(link), until(`document.querySelector('tr[data-testid="fault-row"][data-id="`+rule.ID+`"]').classList.contains("flash")`))
	inView, err := chromedp.Run(tb.ctx, chromedp.Evaluate[bool](`(() => {
		const r = document.querySelector('tr[data-testid="fault-row"][data-id="`+rule.ID+`"]').getBoundingClientRect();
		return r.top >= 0 && r.bottom <= innerHeight; })()`))
	if err != nil || !inView {
		t.Errorf("the link did not bring the rule into view (%v)", err)
	}
}

// A call no stub answered lists the nearest stubs, each linked to its row
// in the API stubs panel; a body the journal cut says so. The entry is
// recorded through the journal's Go API, as the API sites record theirs.
func TestNearMissesLinkToStubs(t *testing.T) {
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	added, err := srv.Stubs().Add(stub.Stub{Site: "medi-api", Method: "GET", Path: "/V2/ping"})
	if err != nil {
		t.Fatal(err)
	}
	st := added[0]
	tb := newTab(t)
	tb.open(srv)
	tb.do(chromedp.WaitVisible(chromedp.CSS(`tr[data-testid="stub-row"]`)))
	srv.Journal().Record(journal.Entry{
		Site: "medi-api", Method: "POST", Path: "/V2/ping", Status: 404,
		Reason:     &journal.Reason{Code: "no_stub", Message: "no stub answers POST /V2/ping"},
		NearMisses: []journal.NearMiss{{ID: st.ID, Method: "GET", Path: "/V2/ping", Differs: []string{"method"}}},
		Response:   &journal.Response{Status: 404, Body: strings.Repeat("x", 100), Truncated: true},
	})
	row := `tr[data-testid="journal-row"][data-path="/V2/ping"]`
	tb.do(until(`document.querySelector('`+row+`') !== null`), click(row),
		chromedp.WaitVisible(chromedp.ID("journal-detail")))
	miss := shown(tb, `#journal-detail [data-testid="near-miss"]`)
	if !strings.Contains(miss, st.ID) || !strings.Contains(miss, "GET /V2/ping") || !strings.Contains(miss, "differs in method") {
		t.Errorf("near miss %q, want the stub's id, method and path and what differs", miss)
	}
	if detail := shown(tb, `#journal-detail`); !strings.Contains(detail, "first 8 KiB") {
		t.Errorf("a cut body is not marked as cut:\n%s", detail)
	}
	tb.do(click(`#journal-detail a[data-testid="stub-link"]`),
		until(`document.querySelector('tr[data-testid="stub-row"][data-id="`+st.ID+`"]').classList.contains("flash")`))
}
