package journal_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/gorilla/mux"

	"github.com/fakeidp/fakeidp/fakeidp/fault"
	"github.com/fakeidp/fakeidp/fakeidp/internal/route"
	"github.com/fakeidp/fakeidp/fakeidp/journal"
	"github.com/fakeidp/fakeidp/fakeidp/reqinfo"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// explained serves handler as a site request through reqinfo, the journal
// and the fault rules, as the root chains them.
func explained(t *testing.T, handler http.HandlerFunc) (*fault.Engine, *journal.Journal, *httptest.Server) {
	t.Helper()
	faults, j := fault.NewEngine(), journal.New(10, nil)
	chain := reqinfo.Middleware(1 << 16)(j.Middleware()(faults.Middleware(nil, nil)(handler)))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chain.ServeHTTP(w, site.WithBase(r, "kontur", "http://"+r.Host))
	}))
	t.Cleanup(srv.Close)
	return faults, j, srv
}

func post(t *testing.T, u string, form url.Values) {
	t.Helper()
	resp, err := http.PostForm(u, form)
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
}

func TestResponseIsJournalledWithSecretsCut(t *testing.T) {
	const (
		access  = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"
		refresh = "0123456789ABCDEF0123456789ABCDEF"
	)
	_, j, srv := explained(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json; charset=UTF-8")
		w.Header().Set("Set-Cookie", "idsrv.session=SESSIONVALUE123456")
		_, _ = io.WriteString(w, `{"access_token" : "`+access+`","expires_in":3600,"token_type":"Bearer","refresh_token":"`+refresh+`",`+
			`"cabinet":{"clientSecret":"cabinet-secret-value","personalTokens":[{"token":"personal-token-value"}]}}`)
	})
	post(t, srv.URL+"/connect/token", url.Values{"grant_type": {"client_credentials"}})
	e, ok := j.Last()
	if !ok || e.Response == nil {
		t.Fatalf("Last: %+v %v", e, ok)
	}
	resp := e.Response
	if resp.Status != 200 || resp.Truncated || e.Reason != nil {
		t.Errorf("response %+v, reason %+v", resp, e.Reason)
	}
	for _, secret := range []string{access, refresh, "cabinet-secret-value", "personal-token-value", "SESSIONVALUE123456"} {
		if strings.Contains(resp.Body, secret) || strings.Contains(resp.Headers["Set-Cookie"], secret) {
			t.Errorf("secret %q journalled: body %s, headers %v", secret, resp.Body, resp.Headers)
		}
	}
	for _, want := range []string{`"access_token" : "eyJh…"`, `"refresh_token":"0123…"`, `"token_type":"Bearer"`,
		`"clientSecret":"cabi…"`, `"token":"pers…"`, `"expires_in":3600`} {
		if !strings.Contains(resp.Body, want) {
			t.Errorf("body %s lacks %s", resp.Body, want)
		}
	}
	if resp.Headers["Content-Type"] != "application/json; charset=UTF-8" {
		t.Errorf("headers %v", resp.Headers)
	}
}

func TestLocationCodeIsCut(t *testing.T) {
	_, j, srv := explained(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "https://app.example/cb?code=ABCDEF0123456789ABCDEF&state=xyz", http.StatusFound)
	})
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(srv.URL + "/connect/authorize")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	e, _ := j.Last()
	if got, want := e.Response.Headers["Location"], "https://app.example/cb?code=ABCD…&state=xyz"; got != want {
		t.Errorf("Location %q, want %q", got, want)
	}
}

func TestLargeBodyIsTruncated(t *testing.T) {
	_, j, srv := explained(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		for range 10 {
			_, _ = io.WriteString(w, strings.Repeat("x", 1000))
		}
	})
	post(t, srv.URL+"/x", nil)
	e, _ := j.Last()
	if !e.Response.Truncated || len(e.Response.Body) != journal.MaxBody {
		t.Errorf("truncated %v, %d bytes; want true, %d", e.Response.Truncated, len(e.Response.Body), journal.MaxBody)
	}
	raw, _ := json.Marshal(e.Response)
	if !strings.Contains(string(raw), `"truncated":true`) {
		t.Errorf("JSON %s", raw[len(raw)-40:])
	}
	// A body that fits says nothing of truncation.
	e.Response.Truncated = false
	raw, _ = json.Marshal(e.Response)
	if strings.Contains(string(raw), "truncated") {
		t.Errorf("JSON of a whole body mentions truncated")
	}
}

func TestReasonRecordedWhereDecided(t *testing.T) {
	_, j, srv := explained(t, func(w http.ResponseWriter, r *http.Request) {
		site.Refuse(r, "client_secret_mismatch", `client "a" is known, but the client_secret sent in the body is not its secret`)
		site.Refuse(r, "unknown_client", "a caller further out repeats the refusal")
		w.WriteHeader(http.StatusBadRequest)
	})
	post(t, srv.URL+"/connect/token", url.Values{"client_id": {"a"}})
	e, _ := j.Last()
	if e.Reason == nil || e.Reason.Code != "client_secret_mismatch" || !strings.Contains(e.Reason.Message, `client "a"`) {
		t.Errorf("reason %+v", e.Reason)
	}
	if e.Fault != nil || e.NearMisses != nil {
		t.Errorf("fault %+v, near misses %+v", e.Fault, e.NearMisses)
	}
}

func TestNearMissesJournalled(t *testing.T) {
	_, j, srv := explained(t, func(w http.ResponseWriter, r *http.Request) {
		near := []site.NearMiss{
			{ID: "s1", Method: "GET", Path: "/v1/x", Differs: []string{"method"}},
			{ID: "s2", Method: "POST", Path: "/v1/y", Differs: []string{"path", "scope"}},
			{ID: "s3", Method: "POST", Path: "/v2", Differs: []string{"path"}},
			{ID: "s4", Method: "PUT", Path: "/v3", Differs: []string{"path"}},
		}
		site.RefuseNoStub(r, "no stub answers POST /v1/x", near)
		w.WriteHeader(http.StatusNotFound)
	})
	post(t, srv.URL+"/v1/x", nil)
	e, _ := j.Last()
	if e.Reason == nil || e.Reason.Code != "no_stub" || len(e.NearMisses) != 3 {
		t.Fatalf("reason %+v, near misses %+v", e.Reason, e.NearMisses)
	}
	got := e.NearMisses[1]
	if got.ID != "s2" || got.Method != "POST" || got.Path != "/v1/y" || strings.Join(got.Differs, ",") != "path,scope" {
		t.Errorf("near miss %+v", got)
	}
}

func TestFaultRuleIsTheReason(t *testing.T) {
	faults, j, srv := explained(t, func(w http.ResponseWriter, r *http.Request) {
		site.Refuse(r, "client_secret_mismatch", "the handler's own reason")
		w.WriteHeader(http.StatusBadRequest)
	})
	rule, err := faults.Add(fault.Rule{Match: fault.Match{ClientID: "f"}, Effect: fault.Effect{Type: fault.TypeError, Error: "invalid_client", Status: 401}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := faults.Add(fault.Rule{Match: fault.Match{ClientID: "t"}, Effect: fault.Effect{Type: fault.TypeTruncate}}); err != nil {
		t.Fatal(err)
	}
	// A rule that lets the request through (after) leaves no trace.
	if _, err := faults.Add(fault.Rule{After: 1, Match: fault.Match{ClientID: "late"}, Effect: fault.Effect{Type: fault.TypeClose}}); err != nil {
		t.Fatal(err)
	}
	post(t, srv.URL+"/connect/token", url.Values{"client_id": {"f"}})
	e, _ := j.Last()
	if e.Reason == nil || e.Reason.Code != "fault" || e.Fault == nil || e.Fault.ID != rule.ID || e.Fault.Preset != "" {
		t.Errorf("error rule: reason %+v, fault %+v", e.Reason, e.Fault)
	}
	if e.Response.Status != 401 || !strings.Contains(e.Response.Body, "invalid_client") {
		t.Errorf("response %+v", e.Response)
	}
	if raw, _ := json.Marshal(e.Fault); string(raw) != `{"id":"`+rule.ID+`"}` {
		t.Errorf("fault JSON %s: preset must be absent", raw)
	}
	post(t, srv.URL+"/connect/token", url.Values{"client_id": {"t"}})
	if e, _ := j.Last(); e.Reason == nil || e.Reason.Code != "fault" || !strings.Contains(e.Reason.Message, "cut") {
		t.Errorf("truncate rule: reason %+v", e.Reason)
	}
	post(t, srv.URL+"/connect/token", url.Values{"client_id": {"late"}})
	if e, _ := j.Last(); e.Fault != nil || e.Reason == nil || e.Reason.Code != "client_secret_mismatch" {
		t.Errorf("a rule that let the request through: reason %+v, fault %+v", e.Reason, e.Fault)
	}
}

func TestFilterByReasonAndStatus(t *testing.T) {
	_, j, srv := explained(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/a":
			site.Refuse(r, "unknown_client", "no such client")
			w.WriteHeader(http.StatusUnauthorized)
		case "/b":
			site.Refuse(r, "token_expired", "expired")
			w.WriteHeader(http.StatusUnauthorized)
		case "/c":
			site.Refuse(r, "no_stub", "none")
			w.WriteHeader(http.StatusNotFound)
		}
	})
	for _, p := range []string{"/a", "/b", "/c", "/ok"} {
		post(t, srv.URL+p, nil)
	}
	tests := []struct {
		f    journal.Filter
		want string
	}{
		{journal.Filter{Reason: "token_expired"}, "/b"},
		{journal.Filter{StatusClass: 4}, "/c /b /a"},
		{journal.Filter{Status: 401}, "/b /a"},
		{journal.Filter{StatusClass: 2}, "/ok"},
		{journal.Filter{Reason: "unknown_client", Status: 404}, ""},
	}
	for _, tt := range tests {
		var paths []string
		for _, e := range j.List(tt.f) {
			paths = append(paths, e.Path)
		}
		if got := strings.Join(paths, " "); got != tt.want {
			t.Errorf("%+v: %q, want %q", tt.f, got, tt.want)
		}
	}
}

func TestControlFiltersByReasonAndStatus(t *testing.T) {
	j := journal.New(10, nil)
	for _, code := range []string{"a", "b", "a"} {
		j.Record(journal.Entry{Site: "kontur", Status: 401, Reason: &journal.Reason{Code: code, Message: "m"}})
	}
	j.Record(journal.Entry{Site: "kontur", Status: 200})
	router := mux.NewRouter()
	j.MountControl(route.Mux{R: router})
	tests := []struct {
		query  string
		status int
		count  int
	}{
		{"reason=a", 200, 2},
		{"status=4xx", 200, 3},
		{"status=4XX&reason=b", 200, 1},
		{"status=401", 200, 3},
		{"status=200", 200, 1},
		{"status=5xx", 200, 0},
		{"status=4", 400, 0},
		{"status=6xx", 400, 0},
		{"status=abc", 400, 0},
	}
	for _, tt := range tests {
		w := httptest.NewRecorder()
		router.ServeHTTP(w, httptest.NewRequest("GET", "/journal?"+tt.query, nil))
		if w.Code != tt.status {
			t.Errorf("%s: status %d %s", tt.query, w.Code, w.Body)
			continue
		}
		if w.Code != 200 {
			continue
		}
		var l struct{ Entries []journal.Entry }
		if err := json.Unmarshal(w.Body.Bytes(), &l); err != nil || len(l.Entries) != tt.count {
			t.Errorf("%s: %d entries, want %d (%v)", tt.query, len(l.Entries), tt.count, err)
		}
	}
}

func TestRecordKeepsTheNewFields(t *testing.T) {
	j := journal.New(10, nil)
	in := journal.Entry{
		Site: "medi-api", Method: "GET", Path: "/v1/x", Status: 404,
		Reason:     &journal.Reason{Code: "no_stub", Message: "no stub answers GET /v1/x"},
		NearMisses: []journal.NearMiss{{ID: "s1", Method: "POST", Path: "/v1/x", Differs: []string{"method"}}},
		Response:   &journal.Response{Status: 404, Headers: map[string]string{"Www-Authenticate": "Bearer"}, Body: `{"access_token":"abcdefghijkl"}`},
	}
	j.Record(in)
	got, _ := j.Last()
	if got.Reason == nil || *got.Reason != *in.Reason || len(got.NearMisses) != 1 || got.NearMisses[0].ID != "s1" {
		t.Errorf("reason %+v, near misses %+v", got.Reason, got.NearMisses)
	}
	if got.Response == nil || got.Response.Body != `{"access_token":"abc…"}` || got.Response.Headers["Www-Authenticate"] != "Bearer" {
		t.Errorf("response %+v", got.Response)
	}
}
