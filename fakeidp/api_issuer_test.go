package fakeidp_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/internal/wiretest"
)

// jwtForm is a jwt-client client-credentials request for scope.
func jwtForm(scope string) string {
	return url.Values{"grant_type": {"client_credentials"}, "scope": {scope},
		"client_id": {"jwt-client"}, "client_secret": {"jwt-client-secret"}}.Encode()
}

// jwtAt gets a jwt-client access token from the Kontur site at base (hdr:
// header pairs, "Host" included).
func jwtAt(t *testing.T, base, scope string, hdr ...string) string {
	t.Helper()
	r := wire(t, http.MethodPost, base+"/connect/token", jwtForm(scope),
		append([]string{"Content-Type", "application/x-www-form-urlencoded"}, hdr...)...)
	tok, _ := r.JSON["access_token"].(string)
	if r.Status != 200 || strings.Count(tok, ".") != 2 {
		t.Fatalf("token at %s: %d %s", base, r.Status, r.Body)
	}
	return tok
}

const accountsStub = `{"site":"extern-api","path":"/v1/accounts","response":{"json":{"sub":"${token.client_id}"}}}`

// A Kontur JWT is accepted only by the instance that issued it (issue 19,
// item 1): the fixture keys sign the tokens of the root and of every
// sandbox alike, so the API must check iss against its own issuer, as
// ASP.NET's JwtBearer does. Reproduction: a sandbox's token on the root's
// Extern API, before and after the sandbox is deleted.
func TestKonturAPIRefusesAnotherInstancesJWT(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	a, b := newSandbox(t, srv, ""), newSandbox(t, srv, "")
	for _, ctl := range []string{srv.URL() + "/_fakeidp", a.Control, b.Control} {
		if r := wire(t, http.MethodPost, ctl+"/stubs", accountsStub, "Content-Type", jsonType); r.Status != 201 {
			t.Fatalf("stub at %s: %d %s", ctl, r.Status, r.Body)
		}
	}
	tok := jwtAt(t, a.Sites["kontur"], "extern.api")
	call := func(base string) wireReply {
		return wire(t, http.MethodGet, base+"/v1/accounts", "", "Authorization", "Bearer "+tok)
	}
	if r := call(a.Sites["extern-api"]); r.Status != 200 {
		t.Fatalf("A's token on A's API: %d %s", r.Status, r.Body)
	}
	wantChallenge := `Bearer error="invalid_token", error_description="The issuer '` + a.Sites["kontur"] + `' is invalid"`
	refused := func(where string, r wireReply) {
		t.Helper()
		if r.Status != 401 || r.Header.Get("WWW-Authenticate") != wantChallenge || r.Body != "" {
			t.Errorf("A's token on %s: %d %q %s, want 401 %q", where, r.Status, r.Header.Get("WWW-Authenticate"), r.Body, wantChallenge)
		}
	}
	refused("the root's API", call(srv.SiteURL("extern-api")))
	refused("B's API", call(b.Sites["extern-api"]))
	if r := wire(t, http.MethodDelete, srv.URL()+"/_fakeidp/sandboxes/"+a.ID, ""); r.Status != 204 {
		t.Fatalf("delete A: %d %s", r.Status, r.Body)
	}
	refused("the root's API after A is gone", call(srv.SiteURL("extern-api")))
	if r := wire(t, http.MethodGet, srv.SiteURL("extern-api")+"/v1/accounts", "",
		"Authorization", "Bearer "+jwtAt(t, srv.SiteURL("kontur"), "extern.api")); r.Status != 200 {
		t.Errorf("the root's own JWT: %d %s", r.Status, r.Body)
	}
}

// The issuer is the one the request's way in gives: a token issued by
// prefix names http://127.0.0.1:PORT/kontur and is refused by host name,
// and the other way round, as a real API configured with one Authority
// refuses any other issuer string. By host name every identity host name
// of the instance is its own (same scheme and port).
func TestKonturAPIIssuerByPrefixAndHost(t *testing.T) {
	t.Parallel()
	srv := startAt(t, apiEpoch)
	if code, body := addStub(t, srv, accountsStub); code != 201 {
		t.Fatal(code, body)
	}
	_, port, _ := strings.Cut(strings.TrimPrefix(srv.URL(), "http://"), ":")
	byPrefix := jwtAt(t, srv.SiteURL("kontur"), "extern.api")
	byHost := jwtAt(t, srv.URL(), "extern.api", "Host", "identity.testkontur.ru:"+port)
	byProdHost := jwtAt(t, srv.URL(), "extern.api", "Host", "identity.kontur.ru:"+port)
	for _, c := range []struct {
		name, token, host string
		want              int
	}{
		{"prefix token by prefix", byPrefix, "", 200},
		{"prefix token by host", byPrefix, "extern-api.testkontur.ru:" + port, 401},
		{"host token by host", byHost, "extern-api.testkontur.ru:" + port, 200},
		{"host token by host, other port", byHost, "extern-api.testkontur.ru:1", 401},
		{"host token by prefix", byHost, "", 401},
		{"identity.kontur.ru token by host", byProdHost, "EXTERN-API.testkontur.ru:" + port, 200},
	} {
		rep := apiCall(t, srv, "extern-api", c.host, "GET", "/v1/accounts", c.token)
		if rep.Status != c.want {
			t.Errorf("%s: %d %s %s, want %d", c.name, rep.Status, rep.Header.Get("WWW-Authenticate"), rep.Body, c.want)
		}
		if c.want == 401 && !strings.Contains(rep.Header.Get("WWW-Authenticate"), `error_description="The issuer '`) {
			t.Errorf("%s: challenge %q does not name the issuer", c.name, rep.Header.Get("WWW-Authenticate"))
		}
	}
	// Userinfo and introspection check a JWT's issuer against their own,
	// as IdentityServer4's TokenValidator does.
	hostHdr := []string{"Host", "identity.testkontur.ru:" + port}
	prefixTok := konturPassword(t, srv.SiteURL("kontur"), "user@login.ru", "password")
	if got := userinfoStatus(t, srv.SiteURL("kontur"), prefixTok); got != 200 {
		t.Errorf("userinfo by prefix, prefix token: %d", got)
	}
	if got := userinfoStatus(t, srv.URL(), prefixTok, hostHdr...); got != 401 {
		t.Errorf("userinfo by host, prefix token: %d, want 401", got)
	}
	if !introspectActive(t, srv.SiteURL("kontur"), prefixTok) {
		t.Error("introspection by prefix, prefix token: inactive")
	}
	if introspectActive(t, srv.URL(), prefixTok, hostHdr...) {
		t.Error("introspection by host, prefix token: active")
	}
}

// Scope (items 10 and 11): a reference token without the API's scope is
// inactive for the API, as IdentityServer4's introspection reports it, so
// 401; a JWT without it authenticates and is refused by authorization,
// 403; an expired JWT's challenge says when it expired, in .NET's
// invariant format.
func TestKonturAPIScopeAndExpiry(t *testing.T) {
	t.Parallel()
	srv := startAt(t, apiEpoch)
	if code, _ := addStub(t, srv, policyStub); code != 201 {
		t.Fatal(code)
	}
	call := func(tok string) wiretest.Reply {
		return apiCall(t, srv, "medi-api", "", "GET", "/V2/policies/1", tok)
	}
	if rep := call(externToken(t, srv)); rep.Status != 401 || rep.Header.Get("WWW-Authenticate") != `Bearer error="invalid_token"` {
		t.Errorf("reference token without medi_api: %d %q", rep.Status, rep.Header.Get("WWW-Authenticate"))
	}
	jwtExtern := jwtAt(t, srv.SiteURL("kontur"), "extern.api")
	if rep := call(jwtExtern); rep.Status != 403 || rep.Header.Get("WWW-Authenticate") != "" || len(rep.Body) != 0 {
		t.Errorf("JWT without medi_api: %d %q %s, want a bare 403", rep.Status, rep.Header.Get("WWW-Authenticate"), rep.Body)
	}
	jwtMedi := jwtAt(t, srv.SiteURL("kontur"), "medi_api")
	srv.Clock().Advance(3600 * time.Second) // jwt-client tokens live 3600 s
	want := `Bearer error="invalid_token", error_description="The token expired at '01/01/2030 01:00:00'"`
	if rep := call(jwtMedi); rep.Status != 401 || rep.Header.Get("WWW-Authenticate") != want {
		t.Errorf("expired JWT: %d %q, want %q", rep.Status, rep.Header.Get("WWW-Authenticate"), want)
	}
}

// Items 12 and 13: a stubbed path called with another method is 405 with
// Allow, and every answer of a Kontur API, a stub's 200 included, carries
// X-Kontur-Trace-Id.
func TestKonturAPIMethodNotAllowedAndTraceID(t *testing.T) {
	t.Parallel()
	srv := startAt(t, apiEpoch)
	for _, s := range []string{policyStub,
		`{"site":"medi-api","method":"PUT","path":"/V2/policies/special","response":{"status":204}}`,
		`{"site":"medi-api","method":"POST","path":"/V2/policies","response":{"status":201}}`} {
		if code, body := addStub(t, srv, s); code != 201 {
			t.Fatal(code, body)
		}
	}
	tok := getMediToken(t, srv)
	for _, c := range []struct {
		method, path, token string
		status              int
		allow               string
	}{
		{"GET", "/V2/policies/1", tok, 200, ""},
		{"DELETE", "/V2/policies/1", tok, 405, "GET, HEAD"},
		{"DELETE", "/V2/policies/special", tok, 405, "GET, HEAD, PUT"},
		{"GET", "/V2/policies", tok, 405, "POST"},
		{"GET", "/V2/other", tok, 404, ""},
		{"GET", "/V2/policies/1", "", 401, ""},
		{"GET", "/V2/policies/1", externToken(t, srv), 401, ""},
		{"GET", "/V2/policies/1", jwtAt(t, srv.SiteURL("kontur"), "extern.api"), 403, ""},
	} {
		rep := apiCall(t, srv, "medi-api", "", c.method, c.path, c.token)
		if rep.Status != c.status || rep.Header.Get("Allow") != c.allow {
			t.Errorf("%s %s: %d Allow %q, want %d %q", c.method, c.path, rep.Status, rep.Header.Get("Allow"), c.status, c.allow)
		}
		if trace := rep.Header.Values("X-Kontur-Trace-Id"); len(trace) != 1 || len(trace[0]) != 32 {
			t.Errorf("%s %s (%d): X-Kontur-Trace-Id %q", c.method, c.path, rep.Status, trace)
		}
	}
}
