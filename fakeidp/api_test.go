package fakeidp_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/internal/wiretest"
	"github.com/fakeidp/fakeidp/fakeidp/stub"
)

var apiEpoch = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

// konturToken gets an access token from the Kontur site with a form POST.
func konturToken(t *testing.T, srv *fakeidp.Server, form url.Values) string {
	t.Helper()
	req, _ := http.NewRequest("POST", srv.SiteURL("kontur")+"/connect/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rep := wiretest.Do(t, nil, req)
	tok, _ := rep.Object(t)["access_token"].(string)
	if rep.Status != 200 || tok == "" {
		t.Fatalf("token: %d %s", rep.Status, rep.Body)
	}
	return tok
}

func getMediToken(t *testing.T, srv *fakeidp.Server) string {
	return konturToken(t, srv, url.Values{"grant_type": {"client_credentials"}, "scope": {"medi_api"},
		"client_id": {mediID}, "client_secret": {mediSecret}})
}

func externToken(t *testing.T, srv *fakeidp.Server) string {
	return konturToken(t, srv, url.Values{"grant_type": {"password"}, "scope": {"extern.api"},
		"client_id": {"extern.api"}, "client_secret": {"extern.api-secret"},
		"username": {"user@login.ru"}, "password": {"password"}})
}

// apiCall calls path on an API site, by prefix (host == "") or by the real
// host name.
func apiCall(t *testing.T, srv *fakeidp.Server, siteName, host, method, path, token string) wiretest.Reply {
	t.Helper()
	target := srv.SiteURL(siteName) + path
	if host != "" {
		target = srv.URL() + path
	}
	req, _ := http.NewRequest(method, target, nil)
	if host != "" {
		req.Host = host
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	return wiretest.Do(t, nil, req)
}

func addStub(t *testing.T, srv *fakeidp.Server, body string) (int, map[string]any) {
	t.Helper()
	return control(t, srv, "POST", "/stubs", body)
}

const policyStub = `{"site": "medi-api", "method": "GET", "path": "/V2/policies/{id}",
	"require": {"scope": "medi_api", "token": "any"},
	"response": {"status": 200, "headers": {"X-Request-Id": "r-1"},
	             "json": {"id": "${path.id}", "client": "${token.client_id}", "user": "${token.sub}"}}}`

func TestKonturAPITokenChecks(t *testing.T) {
	t.Parallel()
	for _, host := range []string{"", "medi-api.testkontur.ru", "MEDI-API.kontur.ru:443"} {
		t.Run("host="+host, func(t *testing.T) {
			t.Parallel()
			srv := startAt(t, apiEpoch)
			if code, body := addStub(t, srv, policyStub); code != 201 || body["id"] != "s1" {
				t.Fatalf("add stub: %d %v", code, body)
			}
			call := func(token string) wiretest.Reply {
				return apiCall(t, srv, "medi-api", host, "GET", "/V2/policies/p-1", token)
			}
			want := func(rep wiretest.Reply, status int, challenge string) {
				t.Helper()
				if rep.Status != status || rep.Header.Get("WWW-Authenticate") != challenge {
					t.Fatalf("got %d %q %s, want %d %q", rep.Status, rep.Header.Get("WWW-Authenticate"), rep.Body, status, challenge)
				}
				if status >= 400 && len(rep.Body) != 0 {
					t.Errorf("a refusal has a body: %s", rep.Body)
				}
			}
			want(call(""), 401, "Bearer")
			want(call("garbage"), 401, `Bearer error="invalid_token"`)
			want(call("a.b.c"), 401, `Bearer error="invalid_token"`)
			// A reference token without medi_api: introspection calls it
			// inactive for this API, so 401 (IdentityServer4).
			want(call(externToken(t, srv)), 401, `Bearer error="invalid_token"`)

			tok := getMediToken(t, srv)
			rep := call(tok)
			want(rep, 200, "")
			if got := string(rep.Body); got != `{"id":"p-1","client":"medi_test_client","user":""}` {
				t.Errorf("body = %s", got)
			}
			if rep.Header.Get("X-Request-Id") != "r-1" || rep.Header.Get("Content-Type") != "application/json; charset=utf-8" {
				t.Errorf("headers = %v", rep.Header)
			}
			want(apiCall(t, srv, "medi-api", host, "GET", "/V2/unstubbed", tok), 404, "")
			want(apiCall(t, srv, "medi-api", host, "GET", "/V2/unstubbed", ""), 401, "Bearer") // the token comes first

			srv.Clock().Advance(86400*time.Second - time.Second)
			want(call(tok), 200, "")
			srv.Clock().Advance(time.Second)
			want(call(tok), 401, `Bearer error="invalid_token"`)
		})
	}
}

func TestKonturAPIRevocationAndReset(t *testing.T) {
	t.Parallel()
	srv := startAt(t, apiEpoch)
	if _, err := srv.AddStub(stub.Stub{Site: "extern-api", Path: "/v1/accounts", Response: stub.Response{JSON: json.RawMessage(`{"sub":"${token.sub}","scope":"${token.scope}"}`)}}); err != nil {
		t.Fatal(err)
	}
	tok := externToken(t, srv)
	rep := apiCall(t, srv, "extern-api", "extern-api.testkontur.ru", "GET", "/v1/accounts", tok)
	if rep.Status != 200 || string(rep.Body) != `{"sub":"6c1e7d4a-2f0b-4b1e-9a43-5d2b8f0c7e11","scope":"extern.api"}` {
		t.Fatalf("got %d %s", rep.Status, rep.Body)
	}
	if rep := apiCall(t, srv, "medi-api", "", "GET", "/v1/accounts", tok); rep.Status != 401 {
		t.Errorf("an extern.api reference token on medi-api: %d, want 401", rep.Status)
	}
	form := url.Values{"token": {tok}, "client_id": {"extern.api"}, "client_secret": {"extern.api-secret"}}
	req, _ := http.NewRequest("POST", srv.SiteURL("kontur")+"/connect/revocation", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if rep := wiretest.Do(t, nil, req); rep.Status != 200 {
		t.Fatalf("revocation: %d", rep.Status)
	}
	if rep := apiCall(t, srv, "extern-api", "", "GET", "/v1/accounts", tok); rep.Status != 401 {
		t.Errorf("revoked token: %d, want 401", rep.Status)
	}
	tok = externToken(t, srv)
	srv.Reset()
	if rep := apiCall(t, srv, "extern-api", "", "GET", "/v1/accounts", tok); rep.Status != 401 {
		t.Errorf("token issued before reset: %d, want 401", rep.Status)
	}
	tok = externToken(t, srv)
	if rep := apiCall(t, srv, "extern-api", "", "GET", "/v1/accounts", tok); rep.Status != 404 {
		t.Errorf("after reset the Go API's stub should be gone: %d", rep.Status)
	}
}

func TestKonturAPIJWTAccessTokens(t *testing.T) {
	t.Parallel()
	srv := startAt(t, apiEpoch)
	if code, _ := addStub(t, srv, policyStub); code != 201 {
		t.Fatal(code)
	}
	jwtToken := func() string {
		return konturToken(t, srv, url.Values{"grant_type": {"client_credentials"}, "scope": {"medi_api"},
			"client_id": {"jwt-client"}, "client_secret": {"jwt-client-secret"}})
	}
	tok := jwtToken()
	if strings.Count(tok, ".") != 2 {
		t.Fatalf("not a JWT: %s", tok)
	}
	rep := apiCall(t, srv, "medi-api", "", "GET", "/V2/policies/7", tok)
	if rep.Status != 200 || !strings.Contains(string(rep.Body), `"client":"jwt-client"`) {
		t.Fatalf("got %d %s", rep.Status, rep.Body)
	}
	// A JWT is checked by signature: dropping its key from the JWKS ends it.
	if code, _ := control(t, srv, "POST", "/keys/rotate", `{"keep_old":false}`); code != 200 {
		t.Fatal(code)
	}
	if rep := apiCall(t, srv, "medi-api", "", "GET", "/V2/policies/7", tok); rep.Status != 401 {
		t.Errorf("JWT signed by a dropped key: %d, want 401", rep.Status)
	}
	tok = jwtToken()
	tampered := tok[:len(tok)-4] + "AAAA"
	if rep := apiCall(t, srv, "medi-api", "", "GET", "/V2/policies/7", tampered); rep.Status != 401 {
		t.Errorf("tampered JWT: %d, want 401", rep.Status)
	}
	srv.Clock().Advance(3600 * time.Second)
	if rep := apiCall(t, srv, "medi-api", "", "GET", "/V2/policies/7", tok); rep.Status != 401 {
		t.Errorf("expired JWT: %d, want 401", rep.Status)
	}
}

func TestStubControlAPI(t *testing.T) {
	t.Parallel()
	srv := startWith(t, apiEpoch, func(cfg *config.Config) {
		if err := yaml.Unmarshal([]byte(`
- site: medi-api
  path: /V2/ping
  response: {json: {pong: true}}
`), &cfg.Stubs); err != nil {
			t.Fatal(err)
		}
	})
	tok := getMediToken(t, srv)
	if rep := apiCall(t, srv, "medi-api", "", "GET", "/V2/ping", tok); rep.Status != 200 || string(rep.Body) != `{"pong":true}` {
		t.Fatalf("fixtures stub: %d %s", rep.Status, rep.Body)
	}
	code, body := addStub(t, srv, `{"stubs":[`+policyStub+`,{"site":"extern-api","path":"/x"}]}`)
	list, _ := body["stubs"].([]any)
	if code != 201 || len(list) != 2 || list[0].(map[string]any)["id"] != "s2" || list[1].(map[string]any)["id"] != "s3" {
		t.Fatalf("add list: %d %v", code, body)
	}
	if code, body := control(t, srv, "GET", "/stubs", ""); code != 200 || len(body["stubs"].([]any)) != 3 {
		t.Fatalf("list: %d %v", code, body)
	}
	if code, body := control(t, srv, "GET", "/stubs/s2", ""); code != 200 || body["path"] != "/V2/policies/{id}" {
		t.Fatalf("get: %d %v", code, body)
	}
	if code, _ := control(t, srv, "DELETE", "/stubs/s2", ""); code != 204 {
		t.Fatalf("delete: %d", code)
	}
	if code, body := control(t, srv, "DELETE", "/stubs/s2", ""); code != 404 || body["error"] != `no stub "s2"` {
		t.Fatalf("delete again: %d %v", code, body)
	}
	if code, _ := control(t, srv, "DELETE", "/stubs", ""); code != 204 {
		t.Fatalf("delete all: %d", code)
	}
	if rep := apiCall(t, srv, "medi-api", "", "GET", "/V2/ping", tok); rep.Status != 404 {
		t.Fatalf("after DELETE /stubs: %d", rep.Status)
	}
	if code, _ := control(t, srv, "POST", "/reset", ""); code != 200 {
		t.Fatal(code)
	}
	if code, body := control(t, srv, "GET", "/stubs", ""); code != 200 || len(body["stubs"].([]any)) != 1 {
		t.Fatalf("reset should bring back the fixtures' stub: %v", body)
	}
}

func TestStubControlAPIRefusals(t *testing.T) {
	t.Parallel()
	srv := startAt(t, apiEpoch)
	code, body := addStub(t, srv, `{"site":"nope","path":"x","response":{"status":700,"json":{"a":"${token.nope}"}}}`)
	problems, _ := body["problems"].([]any)
	if code != 400 || body["error"] != "invalid stub" || len(problems) != 4 {
		t.Fatalf("got %d %v", code, body)
	}
	for _, bad := range []string{`{"site":`, `{"site":"medi-api","path":"/x","extra":1}`, `[]`, `{"stubs":{}}`} {
		if code, body := addStub(t, srv, bad); code != 400 || body["error"] == "" {
			t.Errorf("%s: got %d %v", bad, code, body)
		}
	}
	// 10,000 stubs in one request: a clear refusal, whether the body
	// meets the control API's body cap (413) or the stub cap (400).
	var b strings.Builder
	b.WriteString(`{"stubs":[`)
	for i := range 10000 {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`{"site":"medi-api","path":"/p"}`)
	}
	b.WriteString(`]}`)
	code, body = addStub(t, srv, b.String())
	msg := string(mustJSON(body))
	if !(code == 413 && strings.Contains(msg, "larger than")) && !(code == 400 && strings.Contains(msg, "at most 5000 stubs")) {
		t.Fatalf("10,000 stubs: %d %s", code, msg)
	}
	if code, body := control(t, srv, "GET", "/stubs", ""); code != 200 || len(body["stubs"].([]any)) != 0 {
		t.Errorf("a refused request stored stubs: %v", body)
	}
}

// The cap holds through the Go API too, and says what it is.
func TestStubCap(t *testing.T) {
	t.Parallel()
	srv := startAt(t, apiEpoch)
	many := make([]stub.Stub, stub.DefaultMax+1)
	for i := range many {
		many[i] = stub.Stub{Site: "medi-api", Path: "/p/" + strconv.Itoa(i)}
	}
	if _, err := srv.Stubs().Add(many...); err == nil || !strings.Contains(err.Error(), "at most 5000 stubs") {
		t.Fatalf("5001 stubs: %v", err)
	}
	if _, err := srv.Stubs().Add(many[:stub.DefaultMax]...); err != nil {
		t.Fatal(err)
	}
	if _, err := srv.AddStub(many[stub.DefaultMax]); err == nil {
		t.Fatal("stub 5001 accepted")
	}
}

func TestFaultRulesMatchAPISites(t *testing.T) {
	t.Parallel()
	srv := startAt(t, apiEpoch)
	if code, _ := control(t, srv, "POST", "/faults", `{"match":{"site":"medi-api"},"effect":{"type":"response","status":503,"body":"down"}}`); code != 201 {
		t.Fatal(code)
	}
	if rep := apiCall(t, srv, "medi-api", "medi-api.testkontur.ru", "GET", "/V2/anything", ""); rep.Status != 503 || string(rep.Body) != "down" {
		t.Fatalf("got %d %s", rep.Status, rep.Body)
	}
	if rep := apiCall(t, srv, "extern-api", "", "GET", "/V2/anything", ""); rep.Status != 401 {
		t.Fatalf("extern-api is not medi-api: %d", rep.Status)
	}
}

func TestIndexListsAPISites(t *testing.T) {
	t.Parallel()
	srv := startAt(t, apiEpoch)
	code, body := control(t, srv, "GET", "/", "")
	sites, _ := body["sites"].(map[string]any)
	if code != 200 || sites["medi-api"] != srv.URL()+"/medi-api" || sites["extern-api"] != srv.URL()+"/extern-api" {
		t.Fatalf("got %d %v", code, body)
	}
	if !strings.Contains(string(mustJSON(body["endpoints"])), "/_fakeidp/stubs") {
		t.Errorf("endpoints lack the stubs: %v", body["endpoints"])
	}
}

func TestConfiguredExternHost(t *testing.T) {
	t.Parallel()
	srv := startWith(t, apiEpoch, func(cfg *config.Config) {
		cfg.Sites = map[string]config.Site{"extern-api": {Hosts: []string{"extern.example.test"}}}
	})
	if rep := apiCall(t, srv, "extern-api", "extern.example.test", "GET", "/x", ""); rep.Status != 401 || rep.Header.Get("WWW-Authenticate") != "Bearer" {
		t.Fatalf("got %d %v", rep.Status, rep.Header)
	}
	bad := config.Config{Sites: map[string]config.Site{"extern-api": {Hosts: []string{"http://x:1"}}}}
	bad.Defaults()
	if err := bad.Validate(); err == nil || !strings.Contains(err.Error(), "sites.extern-api.hosts[0]") {
		t.Errorf("a host with a scheme: %v", err)
	}
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

func TestJournalRecordsAPICallers(t *testing.T) {
	t.Parallel()
	srv := startAt(t, apiEpoch)
	tok := externToken(t, srv)
	if rep := apiCall(t, srv, "extern-api", "", "GET", "/v1/nothing?x=1", tok); rep.Status != 404 {
		t.Fatal(rep.Status)
	}
	code, body := control(t, srv, "GET", "/journal?site=extern-api", "")
	entries, _ := body["entries"].([]any)
	if code != 200 || len(entries) != 1 {
		t.Fatalf("got %d %v", code, body)
	}
	e := entries[0].(map[string]any)
	if e["client_id"] != "extern.api" || e["subject"] != "6c1e7d4a-2f0b-4b1e-9a43-5d2b8f0c7e11" || e["status"] != 404.0 || e["path"] != "/v1/nothing" {
		t.Errorf("entry = %v", e)
	}
	if raw := string(mustJSON(e)); strings.Contains(raw, tok) || strings.Contains(raw, tok[8:]) {
		t.Errorf("the token is in the journal: %s", raw)
	}
}

// startAt runs a server for one test with its clock frozen at at.
func startAt(t testing.TB, at time.Time) *fakeidp.Server {
	t.Helper()
	return fakeidp.StartTest(t, fakeidp.Options{Now: wiretest.At(at)})
}

// startWith is startAt on the default fixtures as change leaves them.
func startWith(t testing.TB, at time.Time, change func(cfg *config.Config)) *fakeidp.Server {
	t.Helper()
	return fakeidp.StartTest(t, fakeidp.Options{Config: wiretest.Config(t, change), Now: wiretest.At(at)})
}
