package fakeidp_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"log/slog"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/stub"
)

const formType = "application/x-www-form-urlencoded"

// explainWorld is one case's server and the calls a case makes on it.
type explainWorld struct {
	t   *testing.T
	srv *fakeidp.Server
}

func (x explainWorld) kontur() string { return x.srv.SiteURL("kontur") }

// token posts a form to Kontur's token endpoint.
func (x explainWorld) token(f url.Values, hdr ...string) wireReply {
	return wire(x.t, "POST", x.kontur()+"/connect/token", f.Encode(), append([]string{"Content-Type", formType}, hdr...)...)
}

func (x explainWorld) mediToken() string {
	r := x.token(url.Values{"grant_type": {"client_credentials"}, "client_id": {mediID}, "client_secret": {mediSecret}, "scope": {"medi_api"}})
	tok, _ := r.JSON["access_token"].(string)
	if tok == "" {
		x.t.Fatalf("medi token: %d %s", r.Status, r.Body)
	}
	return tok
}

// code signs the fixture user in at authorize and returns the code.
func (x explainWorld) code(extra url.Values) string {
	f := url.Values{"response_type": {"code"}, "client_id": {"yourClientId"}, "redirect_uri": {"http://127.0.0.1/callback"},
		"scope": {"openid"}, "button": {"login"}, "username": {"user@login.ru"}, "password": {"password"}}
	for k, v := range extra {
		f[k] = v
	}
	r := wire(x.t, "POST", x.kontur()+"/connect/authorize", f.Encode(), "Content-Type", formType)
	u, err := url.Parse(r.Header.Get("Location"))
	if err != nil || u.Query().Get("code") == "" {
		x.t.Fatalf("authorize: %d %v %s", r.Status, r.Header, r.Body)
	}
	return u.Query().Get("code")
}

func (x explainWorld) exchange(code string, extra url.Values) wireReply {
	f := url.Values{"grant_type": {"authorization_code"}, "client_id": {"yourClientId"}, "client_secret": {"yourClientSecret"},
		"code": {code}, "redirect_uri": {"http://127.0.0.1/callback"}}
	for k, v := range extra {
		f[k] = v
	}
	return x.token(f)
}

func (x explainWorld) api(site, method, path, token string) wireReply {
	var hdr []string
	if token != "" {
		hdr = []string{"Authorization", "Bearer " + token}
	}
	return wire(x.t, method, x.srv.SiteURL(site)+path, "", hdr...)
}

func (x explainWorld) stub(s stub.Stub) string {
	id, err := x.srv.AddStub(s)
	if err != nil {
		x.t.Fatal(err)
	}
	return id
}

func (x explainWorld) smsCode() {
	if r := x.api("doktornarabote-api", "GET", "/api/v1/access/validation-code?code=1&number=1111111111", ""); r.Status != 200 {
		x.t.Fatalf("validation code: %d %s", r.Status, r.Body)
	}
}

func (x explainWorld) dnrToken(password string) wireReply {
	f := url.Values{"grant_type": {"password"}, "client_id": {"98483c47f17f4888b0bf695d1165062e"}, "username": {"11111111111"}, "password": {password}}
	return wire(x.t, "POST", x.srv.SiteURL("doktornarabote-auth")+"/token", f.Encode(), "Content-Type", formType)
}

// TestEveryCodeOverHTTP triggers each fixed reason code of issue 17 over
// HTTP and reads it back from the journal entry of the refused request.
func TestEveryCodeOverHTTP(t *testing.T) {
	t.Parallel()
	pkce := strings.Repeat("v", 43)
	sum := sha256.Sum256([]byte(pkce))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	tests := []struct {
		code string
		// do makes the refused request last; want are words its message
		// must hold.
		do   func(x explainWorld)
		want []string
	}{
		{"unknown_client", func(x explainWorld) {
			x.token(url.Values{"grant_type": {"client_credentials"}, "client_id": {"nobody"}, "client_secret": {"s"}})
		}, []string{`"nobody"`}},
		{"client_secret_mismatch", func(x explainWorld) {
			x.token(url.Values{"grant_type": {"client_credentials"}, "client_id": {mediID}, "client_secret": {"wrong-secret-value"}})
		}, []string{mediID, "in the body"}},
		{"redirect_uri_mismatch", func(x explainWorld) {
			x.exchange(x.code(nil), url.Values{"redirect_uri": {"http://127.0.0.1/other"}})
		}, []string{"http://127.0.0.1/other", "http://127.0.0.1/callback"}},
		{"grant_type_not_allowed", func(x explainWorld) {
			x.token(url.Values{"grant_type": {"password"}, "client_id": {mediID}, "client_secret": {mediSecret}, "username": {"u"}, "password": {"p"}})
		}, []string{"password", "client_credentials"}},
		{"scope_not_allowed", func(x explainWorld) {
			x.token(url.Values{"grant_type": {"client_credentials"}, "client_id": {mediID}, "client_secret": {mediSecret}, "scope": {"extern.api"}})
		}, []string{`"extern.api"`}},
		{"user_credentials", func(x explainWorld) {
			x.token(url.Values{"grant_type": {"password"}, "client_id": {"extern.api"}, "client_secret": {"extern.api-secret"},
				"username": {"user@login.ru"}, "password": {"wrong-password"}})
		}, []string{"user@login.ru", "password"}},
		{"code_used", func(x explainWorld) {
			c := x.code(nil)
			x.exchange(c, nil)
			x.exchange(c, nil)
		}, []string{"already used"}},
		{"code_expired", func(x explainWorld) {
			c := x.code(nil)
			x.srv.Clock().Advance(time.Hour)
			x.exchange(c, nil)
		}, []string{"expired at", "clock reads"}},
		{"pkce_mismatch", func(x explainWorld) {
			c := x.code(url.Values{"code_challenge": {challenge}, "code_challenge_method": {"S256"}})
			x.exchange(c, url.Values{"code_verifier": {strings.Repeat("w", 43)}})
		}, []string{"S256"}},
		{"refresh_token_reused", func(x explainWorld) {
			r := x.token(url.Values{"grant_type": {"password"}, "client_id": {"extern.api"}, "client_secret": {"extern.api-secret"},
				"username": {"user@login.ru"}, "password": {"password"}, "scope": {"extern.api offline_access"}})
			rt, _ := r.JSON["refresh_token"].(string)
			f := url.Values{"grant_type": {"refresh_token"}, "client_id": {"extern.api"}, "client_secret": {"extern.api-secret"}, "refresh_token": {rt}}
			if r := x.token(f); r.Status != 200 {
				x.t.Fatalf("first refresh: %d %s", r.Status, r.Body)
			}
			x.token(f)
		}, []string{"already used"}},
		{"sms_code_mismatch", func(x explainWorld) {
			x.smsCode()
			x.dnrToken("0000")
		}, []string{"SMS code", "tries left"}},
		{"sms_code_expired", func(x explainWorld) {
			x.smsCode()
			x.srv.Clock().Advance(time.Hour)
			x.dnrToken("7654")
		}, []string{"expired at", "clock reads"}},
		{"token_missing", func(x explainWorld) {
			x.api("medi-api", "GET", "/V2/policies/1", "")
		}, []string{"Bearer"}},
		{"token_unknown", func(x explainWorld) {
			x.api("medi-api", "GET", "/V2/policies/1", "not-a-token")
		}, []string{"never issued"}},
		{"token_expired", func(x explainWorld) {
			tok := x.mediToken()
			x.srv.Clock().Advance(48 * time.Hour)
			x.api("medi-api", "GET", "/V2/policies/1", tok)
		}, []string{"expired at", "clock reads"}},
		{"token_revoked", func(x explainWorld) {
			tok := x.mediToken()
			f := url.Values{"token": {tok}, "client_id": {mediID}, "client_secret": {mediSecret}}
			if r := wire(x.t, "POST", x.kontur()+"/connect/revocation", f.Encode(), "Content-Type", formType); r.Status != 200 {
				x.t.Fatalf("revocation: %d %s", r.Status, r.Body)
			}
			x.api("medi-api", "GET", "/V2/policies/1", tok)
		}, []string{"revoked"}},
		{"token_wrong_issuer", func(x explainWorld) {
			sb, err := x.srv.NewSandbox(context.Background(), nil)
			if err != nil {
				x.t.Fatal(err)
			}
			defer sb.Close()
			f := url.Values{"grant_type": {"client_credentials"}, "client_id": {"jwt-client"}, "client_secret": {"jwt-client-secret"}, "scope": {"medi_api"}}
			r := wire(x.t, "POST", sb.SiteURL("kontur")+"/connect/token", f.Encode(), "Content-Type", formType)
			tok, _ := r.JSON["access_token"].(string)
			x.api("medi-api", "GET", "/V2/policies/1", tok)
		}, []string{"issuer", sandboxIssuerHint}},
		{"token_scope", func(x explainWorld) {
			x.stub(stub.Stub{Site: "medi-api", Method: "GET", Path: "/V2/extra", Require: stub.Require{Scope: "extra"}})
			x.api("medi-api", "GET", "/V2/extra", x.mediToken())
		}, []string{"extra"}},
		{"token_kind", func(x explainWorld) {
			x.stub(stub.Stub{Site: "medi-api", Method: "GET", Path: "/V2/me", Require: stub.Require{Token: stub.TokenUser}})
			x.api("medi-api", "GET", "/V2/me", x.mediToken())
		}, []string{"user token"}},
		{"no_stub", func(x explainWorld) {
			x.stub(stub.Stub{Site: "medi-api", Method: "GET", Path: "/V2/policies/{id}"})
			x.api("medi-api", "POST", "/V2/policies/1", x.mediToken())
		}, []string{"POST /V2/policies/1"}},
		{"fault", func(x explainWorld) {
			if _, err := x.srv.EnablePreset("kontur-invalid-client"); err != nil {
				x.t.Fatal(err)
			}
			x.mediToken2()
		}, []string{"preset kontur-invalid-client"}},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			t.Parallel()
			srv := fakeidp.StartTest(t, fakeidp.Options{Now: func() time.Time { return apiEpoch }})
			tt.do(explainWorld{t, srv})
			e, ok := srv.Journal().Last()
			if !ok || e.Reason == nil || e.Reason.Code != tt.code {
				t.Fatalf("last entry: %s %s %d, reason %+v; want %s", e.Method, e.Path, e.Status, e.Reason, tt.code)
			}
			for _, w := range tt.want {
				if !strings.Contains(e.Reason.Message, w) {
					t.Errorf("message %q lacks %q", e.Reason.Message, w)
				}
			}
			if e.Response == nil || e.Response.Status != e.Status {
				t.Errorf("response %+v, status %d", e.Response, e.Status)
			}
		})
	}
}

// sandboxIssuerHint is what the wrong-issuer message says of the cause.
const sandboxIssuerHint = "sandbox"

func (x explainWorld) mediToken2() wireReply {
	return x.token(url.Values{"grant_type": {"client_credentials"}, "client_id": {mediID}, "client_secret": {mediSecret}})
}

func TestNoStubNearMisses(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	x := explainWorld{t, srv}
	get := x.stub(stub.Stub{Site: "medi-api", Method: "GET", Path: "/V2/policies/{id}"})
	far := x.stub(stub.Stub{Site: "medi-api", Method: "GET", Path: "/V2/claims/{id}/files"})
	user := x.stub(stub.Stub{Site: "medi-api", Method: "POST", Path: "/V2/policy/{id}", Require: stub.Require{Token: stub.TokenUser}})
	x.stub(stub.Stub{Site: "extern-api", Method: "POST", Path: "/V2/policies/{id}"}) // another site's: never listed
	if r := x.api("medi-api", "POST", "/V2/policies/7", x.mediToken()); r.Status != 405 {
		t.Fatalf("status %d", r.Status)
	}
	e, _ := srv.Journal().Last()
	var got []string
	for _, n := range e.NearMisses {
		got = append(got, n.ID+" "+n.Method+" "+n.Path+" "+strings.Join(n.Differs, ","))
	}
	want := []string{get + " GET /V2/policies/{id} method", user + " POST /V2/policy/{id} path,token", far + " GET /V2/claims/{id}/files method,path"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Errorf("near misses\n got %q\nwant %q", got, want)
	}
}

func TestAuthorizeErrorPageExplains(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	tests := []struct {
		query url.Values
		code  string
		want  []string
	}{
		{url.Values{"client_id": {"yourClientId"}, "redirect_uri": {"http://evil.example/cb"}, "response_type": {"code"}, "scope": {"openid"}},
			"redirect_uri_mismatch", []string{"http://evil.example/cb", "http://www.example.com/", "http://127.0.0.1/callback", "http://localhost/callback"}},
		{url.Values{"client_id": {"no-such-client"}, "redirect_uri": {"http://127.0.0.1/callback"}},
			"unknown_client", []string{"no-such-client"}},
	}
	for _, tt := range tests {
		r := wire(t, "GET", srv.SiteURL("kontur")+"/connect/authorize?"+tt.query.Encode(), "")
		if r.Status != 400 || !strings.Contains(r.Body, "Sorry, there was an error") {
			t.Errorf("%s: %d %s", tt.code, r.Status, r.Body)
		}
		_, box, ok := strings.Cut(r.Body, `data-testid="fakeidp-explain"`)
		if !ok {
			t.Errorf("%s: no fakeidp-explain box in %s", tt.code, r.Body)
			continue
		}
		box, _, _ = strings.Cut(box, "</div>")
		for _, w := range append(tt.want, tt.code) {
			// html/template escapes quotes; the values themselves are plain.
			if !strings.Contains(box, w) {
				t.Errorf("%s: box %q lacks %q", tt.code, box, w)
			}
		}
	}
}

func TestExplainHeaderIsOptIn(t *testing.T) {
	t.Parallel()
	refused := url.Values{"grant_type": {"client_credentials"}, "client_id": {mediID}, "client_secret": {"nope"}}
	off := explainWorld{t, fakeidp.StartTest(t, fakeidp.Options{})}
	if h := off.token(refused).Header.Get("Fakeidp-Reason"); h != "" {
		t.Errorf("off by default, got Fakeidp-Reason %q", h)
	}
	cfg, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	cfg = cfg.Clone()
	cfg.Server.ExplainHeader = true
	on := explainWorld{t, fakeidp.StartTest(t, fakeidp.Options{Config: cfg})}
	r := on.token(refused)
	if h := r.Header.Get("Fakeidp-Reason"); !strings.HasPrefix(h, "client_secret_mismatch: client \"medi_test_client\" is known") || strings.Contains(h, "nope") {
		t.Errorf("Fakeidp-Reason %q", h)
	}
	if r.Status != 400 || r.Body != `{"error":"invalid_client"}` {
		t.Errorf("the wire changed beyond the header: %d %s", r.Status, r.Body)
	}
	e, _ := on.srv.Journal().Last()
	if !strings.HasPrefix(e.Response.Headers["Fakeidp-Reason"], "client_secret_mismatch") {
		t.Errorf("journalled response headers %v", e.Response.Headers)
	}
	if h := on.token(url.Values{"grant_type": {"client_credentials"}, "client_id": {mediID}, "client_secret": {mediSecret}}).Header.Get("Fakeidp-Reason"); h != "" {
		t.Errorf("a success got Fakeidp-Reason %q", h)
	}
	// A sandbox may turn it on for itself.
	sb, err := off.srv.NewSandbox(context.Background(), []byte("server: {explain_header: true}"))
	if err != nil {
		t.Fatal(err)
	}
	defer sb.Close()
	r = wire(t, "GET", sb.SiteURL("medi-api")+"/V2/x", "")
	if h := r.Header.Get("Fakeidp-Reason"); !strings.HasPrefix(h, "token_missing: ") {
		t.Errorf("sandbox overlay: Fakeidp-Reason %q", h)
	}
}

// syncBuffer is a log sink safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRefusalsAreLoggedOnce(t *testing.T) {
	t.Parallel()
	var logs syncBuffer
	srv := fakeidp.StartTest(t, fakeidp.Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	x := explainWorld{t, srv}
	const secret = "wrong-secret-4711"
	x.token(url.Values{"grant_type": {"client_credentials"}, "client_id": {mediID}, "client_secret": {secret}})
	x.mediToken()
	var refused []string
	for _, line := range strings.Split(logs.String(), "\n") {
		if strings.Contains(line, "msg=refused") {
			refused = append(refused, line)
		}
	}
	if len(refused) != 1 {
		t.Fatalf("want one refused line, got %q", refused)
	}
	for _, w := range []string{"level=INFO", "site=kontur", "method=POST", "path=/connect/token", "status=400", "reason=client_secret_mismatch", "message="} {
		if !strings.Contains(refused[0], w) {
			t.Errorf("line %q lacks %q", refused[0], w)
		}
	}
	if strings.Contains(logs.String(), secret) || strings.Contains(logs.String(), mediSecret) {
		t.Errorf("a secret reached the log: %s", logs.String())
	}
}

func TestJournalFiltersOverHTTP(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	x := explainWorld{t, srv}
	x.token(url.Values{"grant_type": {"client_credentials"}, "client_id": {"nobody"}})
	x.mediToken()
	x.api("medi-api", "GET", "/x", "")
	for q, want := range map[string]string{"reason=unknown_client": "/connect/token", "status=4xx&site=medi-api": "/x", "status=200": "/connect/token"} {
		code, body := control(t, srv, "GET", "/journal?"+q, "")
		entries, _ := body["entries"].([]any)
		if code != 200 || len(entries) != 1 {
			t.Errorf("%s: %d, %d entries", q, code, len(entries))
			continue
		}
		if e := entries[0].(map[string]any); e["path"] != want || e["response"] == nil {
			t.Errorf("%s: %v", q, e)
		}
	}
}
