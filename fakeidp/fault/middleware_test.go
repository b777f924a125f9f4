package fault

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/fakeidp/fakeidp/fakeidp/oauth"
	"github.com/fakeidp/fakeidp/fakeidp/reqinfo"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

const tokenBody = `{"access_token":"0123456789abcdef","expires_in":86400,"token_type":"Bearer"}`

// tokenHandler stands in for a real token endpoint; it reads the body as
// the real one does, to prove the middlewares leave it intact.
var tokenHandler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=UTF-8")
	w.Header().Set("X-Real", r.PostForm.Get("grant_type"))
	_, _ = io.WriteString(w, tokenBody)
})

// kontur400 is a dialect that, like Kontur's token endpoint, turns every
// error into a 400; DialectRenderer must not let it hide an injected 503.
var kontur400 = oauth.Dialect{
	ContentType: "application/json; charset=UTF-8",
	Headers:     func(h http.Header, _ *http.Request) { h.Set("Dont-Retry", "True") },
	Status:      func(*oauth.Error) int { return 400 },
}

// serve runs the chain the root uses: site → reqinfo → fault → handler.
// Like the root, it takes the first path segment as the site and hands
// the chain the path below it.
func serve(t *testing.T, e *Engine, stop <-chan struct{}) *httptest.Server {
	t.Helper()
	chain := reqinfo.Middleware(1 << 16)(e.Middleware(DialectRenderer(kontur400), stop)(tokenHandler))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, rest, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
		r = site.WithBase(r, name, "http://"+r.Host+"/"+name)
		r.URL.Path, r.URL.RawPath = "/"+rest, ""
		chain.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv
}

// client has its own transport: a request on a fresh connection is never
// retried by net/http, so a dropped connection reaches the test as an error.
func client(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{}}
}

func postToken(c *http.Client, base string, form url.Values) (*http.Response, string, error) {
	resp, err := c.PostForm(base+"/kontur/connect/token", form)
	if err != nil {
		return nil, "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	return resp, string(body), err
}

var ccForm = url.Values{"grant_type": {"client_credentials"}, "client_id": {"medi_test_client"}}

func withRule(t *testing.T, r Rule) (*Engine, *httptest.Server) {
	t.Helper()
	e := NewEngine()
	mustAdd(t, e, r)
	return e, serve(t, e, nil)
}

func TestErrorEffect(t *testing.T) {
	_, srv := withRule(t, Rule{Match: Match{Site: "kontur", Path: "/connect/token", GrantType: "client_credentials"},
		Effect: Effect{Type: TypeError, Error: "invalid_grant", Description: "second factor", Status: 503,
			Value: "number", Headers: map[string]string{"Retry-After": "7"},
			Fields: Fields{{"partial_factor_token", json.RawMessage(`"pft"`)},
				{"required_factors", json.RawMessage(`[{"grant_type":"sms","identity":"+7"}]`)}}}})
	resp, body, err := postToken(client(time.Second), srv.URL, ccForm)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"error":"invalid_grant","error_description":"second factor","value":"number",` +
		`"partial_factor_token":"pft","required_factors":[{"grant_type":"sms","identity":"+7"}]}`
	if resp.StatusCode != 503 || body != want {
		t.Errorf("got %d %s\nwant 503 %s", resp.StatusCode, body, want)
	}
	if resp.Header.Get("Retry-After") != "7" || resp.Header.Get("Dont-Retry") != "True" ||
		resp.Header.Get("X-Real") != "" {
		t.Errorf("headers = %v", resp.Header)
	}
	// Not matched: a password grant reaches the handler.
	resp, body, err = postToken(client(time.Second), srv.URL, url.Values{"grant_type": {"password"}})
	if err != nil || resp.StatusCode != 200 || body != tokenBody {
		t.Errorf("unmatched request: %v %v %s", err, resp, body)
	}
}

// A real OAuth client sees the injected error code.
func TestErrorEffectWithOAuth2Client(t *testing.T) {
	_, srv := withRule(t, Rule{Match: Match{ClientID: "medi_test_client"},
		Effect: Effect{Type: TypeError, Error: "invalid_client"}})
	cfg := clientcredentials.Config{ClientID: "medi_test_client", ClientSecret: "s",
		TokenURL: srv.URL + "/kontur/connect/token", AuthStyle: oauth2.AuthStyleInHeader}
	_, err := cfg.Token(context.Background())
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_client" || re.Response.StatusCode != 400 {
		t.Errorf("Token error = %v", err)
	}
}

func TestResponseEffect(t *testing.T) {
	page := "<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>"
	_, srv := withRule(t, Rule{Effect: Effect{Type: TypeResponse, Status: 429, Body: page,
		Headers: map[string]string{"retry-after": "120", "Server": "nginx"}}})
	resp, body, err := postToken(client(time.Second), srv.URL, ccForm)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 429 || body != page || resp.Header.Get("Retry-After") != "120" ||
		resp.Header.Get("Server") != "nginx" || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Errorf("got %d %v %q", resp.StatusCode, resp.Header, body)
	}
}

func TestLatencyEffect(t *testing.T) {
	_, srv := withRule(t, Rule{Effect: Effect{Type: TypeLatency, Delay: "300ms"}})
	start := time.Now()
	resp, body, err := postToken(client(2*time.Second), srv.URL, ccForm)
	if err != nil || resp.StatusCode != 200 || body != tokenBody {
		t.Fatalf("got %v %v %q", err, resp, body)
	}
	if d := time.Since(start); d < 300*time.Millisecond {
		t.Errorf("answered after %v, want at least 300ms", d)
	}
}

// Shutting down cuts the delay short, and the request is still served.
func TestLatencyEndsOnStop(t *testing.T) {
	e := NewEngine()
	mustAdd(t, e, Rule{Effect: Effect{Type: TypeLatency, Delay: "1h"}})
	stop := make(chan struct{})
	srv := serve(t, e, stop)
	time.AfterFunc(100*time.Millisecond, func() { close(stop) })
	resp, body, err := postToken(client(5*time.Second), srv.URL, ccForm)
	if err != nil || resp.StatusCode != 200 || body != tokenBody {
		t.Errorf("got %v %v %q", err, resp, body)
	}
}

func TestHangUntilClientGivesUp(t *testing.T) {
	_, srv := withRule(t, Rule{Effect: Effect{Type: TypeHang}})
	start := time.Now()
	_, _, err := postToken(client(time.Second), srv.URL, ccForm)
	var ue *url.Error
	if !errors.As(err, &ue) || !ue.Timeout() {
		t.Fatalf("err = %v, want a client timeout", err)
	}
	if d := time.Since(start); d < time.Second {
		t.Errorf("gave up after %v", d)
	}
	// srv.Close in Cleanup blocks until the handler returns: the hang
	// ended when the client went away, or the test would time out.
}

func TestHangEndsOnStop(t *testing.T) {
	e := NewEngine()
	mustAdd(t, e, Rule{Effect: Effect{Type: TypeHang}})
	stop := make(chan struct{})
	srv := serve(t, e, stop)
	time.AfterFunc(100*time.Millisecond, func() { close(stop) })
	start := time.Now()
	_, _, err := postToken(client(10*time.Second), srv.URL, ccForm)
	if err == nil || time.Since(start) > 5*time.Second {
		t.Errorf("err = %v after %v, want a dropped connection soon after stop", err, time.Since(start))
	}
}

func TestCloseEffect(t *testing.T) {
	_, srv := withRule(t, Rule{Effect: Effect{Type: TypeClose}})
	_, _, err := postToken(client(time.Second), srv.URL, ccForm)
	if !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("err = %v, want EOF", err)
	}
}

func TestResetEffect(t *testing.T) {
	_, srv := withRule(t, Rule{Effect: Effect{Type: TypeReset}})
	_, _, err := postToken(client(time.Second), srv.URL, ccForm)
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Errorf("err = %v, want ECONNRESET", err)
	}
}

func TestBodyEffects(t *testing.T) {
	half := tokenBody[:len(tokenBody)/2]
	tests := []struct {
		effect   Effect
		wantBody string
		wantCT   string
	}{
		{Effect{Type: TypeTruncate}, half, "application/json; charset=UTF-8"},
		{Effect{Type: TypeMalformed}, tokenBody[:len(tokenBody)-1] + `,"`, "application/json; charset=UTF-8"},
		{Effect{Type: TypeContentType}, tokenBody, "text/html; charset=utf-8"},
		{Effect{Type: TypeContentType, ContentType: "text/plain"}, tokenBody, "text/plain"},
	}
	for _, tt := range tests {
		t.Run(tt.effect.Type+tt.effect.ContentType, func(t *testing.T) {
			_, srv := withRule(t, Rule{Effect: tt.effect})
			resp, body, err := postToken(client(time.Second), srv.URL, ccForm)
			if err != nil {
				t.Fatal(err)
			}
			if resp.StatusCode != 200 || body != tt.wantBody || resp.Header.Get("Content-Type") != tt.wantCT {
				t.Errorf("got %d %q %q\nwant 200 %q %q", resp.StatusCode, resp.Header.Get("Content-Type"), body, tt.wantCT, tt.wantBody)
			}
			if resp.Header.Get("X-Real") != "client_credentials" {
				t.Error("the real handler's headers were lost")
			}
			if cl := resp.Header.Get("Content-Length"); cl != "" && cl != strconv.Itoa(len(body)) {
				t.Errorf("Content-Length %s for %d bytes", cl, len(body))
			}
			if tt.effect.Type != TypeContentType && json.Valid([]byte(body)) {
				t.Errorf("body is valid JSON: %s", body)
			}
		})
	}
}

func TestBrokenJSONIsNeverValid(t *testing.T) {
	for _, body := range []string{``, `{}`, `[]`, `{"a":1}`, " {\"a\":[1]} \n", `"s"`, `12`, `null`, `<html>`} {
		if out := brokenJSON([]byte(body)); json.Valid(out) {
			t.Errorf("brokenJSON(%q) = %q is valid JSON", body, out)
		}
	}
}

// Under 50 concurrent real clients, "after 10, times 5" lets exactly ten
// through, fires exactly five times, then lets the rest through.
func TestAfterAndTimesOverHTTP(t *testing.T) {
	const n = 50
	e, srv := withRule(t, Rule{Match: Match{Path: "/connect/token", Method: "post"}, After: 10, Times: 5,
		Effect: Effect{Type: TypeError, Error: "temporarily_unavailable", Status: 503}})
	c := &http.Client{Timeout: 5 * time.Second}
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			resp, _, err := postToken(c, srv.URL, ccForm)
			if err != nil {
				t.Error(err)
				return
			}
			statuses <- resp.StatusCode
		})
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[200] != n-5 || count[503] != 5 {
		t.Errorf("statuses %v, want %d×200 and 5×503", count, n-5)
	}
	if r, _ := e.Get("f1"); r.Seen < 15 || r.Fired != 5 {
		t.Errorf("counters seen %d fired %d", r.Seen, r.Fired)
	}
}

func TestMatchOnPhoneQuery(t *testing.T) {
	_, srv := withRule(t, Rule{Match: Match{Site: "doktornarabote-api", Phone: "11111111111"},
		Effect: Effect{Type: TypeError, Error: "limit_exceeded", Status: 400}})
	c := client(time.Second)
	for _, tt := range []struct {
		query string
		want  int
	}{{"code=1&number=1111111111", 400}, {"code=7&number=1111111111", 200}} {
		resp, err := c.Get(srv.URL + "/doktornarabote-api/api/v1/access/validation-code?" + tt.query)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.want {
			t.Errorf("%s: status %d, want %d", tt.query, resp.StatusCode, tt.want)
		}
	}
}
