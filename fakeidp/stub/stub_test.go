package stub

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

var testSites = []SiteRule{{Name: "medi-api", Scoped: true}, {Name: "livedigital"}}

func newTestSet(t testing.TB, max int) *Set {
	t.Helper()
	s, err := NewSet(Options{Sites: testSites, MaxBody: 1024, Max: max})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func mustAdd(t testing.TB, s *Set, js string) Stub {
	t.Helper()
	stubs, _, err := DecodeJSON([]byte(js))
	if err == nil {
		stubs, err = s.Add(stubs...)
	}
	if err != nil {
		t.Fatalf("add %s: %v", js, err)
	}
	return stubs[0]
}

// serve runs a request through the set's matcher and writer, as API does
// after the token check.
func serve(s *Set, site, method, target string, tok Token) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, target, nil)
	w := httptest.NewRecorder()
	a := API{
		Site: site, Stubs: s,
		Authenticate: func(http.ResponseWriter, *http.Request) (Token, bool) { return tok, true },
		Forbidden: func(w http.ResponseWriter, _ *http.Request, reason string) {
			w.WriteHeader(http.StatusForbidden)
			_, _ = w.Write([]byte(reason))
		},
		NotFound: func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNotFound) },
	}
	a.ServeHTTP(w, r)
	return w
}

func TestIssueExampleStub(t *testing.T) {
	s := newTestSet(t, 0)
	st := mustAdd(t, s, `{"site": "medi-api", "method": "GET", "path": "/V2/policies/{id}",
	 "require": {"scope": "medi_api", "token": "any"},
	 "response": {"status": 200, "headers": {"X-Request-Id": "r-1"},
	              "json": {"id": "${path.id}", "client": "${token.client_id}", "user": "${token.sub}"}}}`)
	if st.ID != "s1" {
		t.Errorf("id = %q, want s1", st.ID)
	}
	w := serve(s, "medi-api", "GET", "/V2/policies/p-42", Token{ClientID: "medi_test_client", Scopes: []string{"medi_api"}})
	if w.Code != 200 || w.Header().Get("X-Request-Id") != "r-1" || w.Header().Get("Content-Type") != "application/json; charset=utf-8" {
		t.Fatalf("got %d %v", w.Code, w.Header())
	}
	if got, want := w.Body.String(), `{"id":"p-42","client":"medi_test_client","user":""}`; got != want {
		t.Errorf("body = %s, want %s", got, want)
	}
}

func TestPlaceholders(t *testing.T) {
	s := newTestSet(t, 0)
	mustAdd(t, s, `{"site":"medi-api","path":"/a/{x}/b","response":{
		"headers":{"X-Who":"${token.sub}/${query.q}","X-Lit":"$${token.sub}"},
		"json":{"n":1.50,"t":true,"z":null,"s":"${token.scope}|${query.q}|${query.none}|${path.x}","l":["${token.client_id}",{"k${token.sub}":"v"}]}}}`)
	tok := Token{Subject: "u\"1\n", ClientID: "c<1>", Scopes: []string{"medi_api", "openid"}}
	w := serve(s, "medi-api", "GET", "/a/%C3%A9/b?q=%0D%0Ainjected", tok)
	want := `{"n":1.50,"t":true,"z":null,"s":"medi_api openid|\r\ninjected||é","l":["c<1>",{"k${token.sub}":"v"}]}`
	if got := w.Body.String(); got != want {
		t.Errorf("body\n got %s\nwant %s", got, want)
	}
	var v any
	if err := json.Unmarshal(w.Body.Bytes(), &v); err != nil {
		t.Errorf("body is not JSON: %v", err)
	}
	if got := w.Header().Get("X-Who"); got != "u\"1 /  injected" {
		t.Errorf("X-Who = %q: CR and LF must become spaces", got)
	}
	if got := w.Header().Get("X-Lit"); got != "${token.sub}" {
		t.Errorf("X-Lit = %q, want the literal", got)
	}
}

func TestRawBody(t *testing.T) {
	s := newTestSet(t, 0)
	mustAdd(t, s, `{"site":"livedigital","method":"post","path":"/v1/x","response":{"status":202,"body":"<ok/>","content_type":"application/xml"}}`)
	w := serve(s, "livedigital", "POST", "/v1/x/", Token{User: true})
	if w.Code != 202 || w.Body.String() != "<ok/>" || w.Header().Get("Content-Type") != "application/xml" {
		t.Fatalf("got %d %q %v", w.Code, w.Body, w.Header())
	}
}

func TestMatchPrecedence(t *testing.T) {
	s := newTestSet(t, 0)
	mustAdd(t, s, `{"site":"medi-api","path":"/p/{id}","response":{"body":"param"}}`)
	mustAdd(t, s, `{"site":"medi-api","path":"/p/special","response":{"body":"literal"}}`)
	mustAdd(t, s, `{"site":"medi-api","path":"/p/{id}/x","response":{"body":"deep"}}`)
	mustAdd(t, s, `{"site":"medi-api","method":"POST","path":"/p/special","response":{"body":"post"}}`)
	later := mustAdd(t, s, `{"site":"medi-api","path":"/p/{other}","response":{"body":"newer"}}`)
	mustAdd(t, s, `{"site":"medi-api","path":"/u","require":{"token":"user"},"response":{"body":"user"}}`)
	mustAdd(t, s, `{"site":"medi-api","path":"/s","require":{"scope":"extra"},"response":{"body":"scoped"}}`)
	cases := []struct {
		method, path string
		tok          Token
		code         int
		body         string
	}{
		{"GET", "/p/special", Token{}, 200, "literal"},
		{"HEAD", "/p/special", Token{}, 200, "literal"}, // net/http drops a HEAD body; the recorder keeps it
		{"GET", "/p/7", Token{}, 200, "newer"},
		{"GET", "/p/special/x", Token{}, 200, "deep"},
		{"POST", "/p/special", Token{}, 200, "post"},
		{"POST", "/p/7", Token{}, 404, ""},
		{"GET", "/p", Token{}, 404, ""},
		{"GET", "/p//x", Token{}, 404, ""},
		{"GET", "/u", Token{}, 403, "this method needs a user token"},
		{"GET", "/u", Token{User: true}, 200, "user"},
		{"GET", "/s", Token{Scopes: []string{"medi_api"}}, 403, "the token lacks the scope extra"},
		{"GET", "/other", Token{}, 404, ""},
	}
	for _, c := range cases {
		w := serve(s, "medi-api", c.method, c.path, c.tok)
		if w.Code != c.code || w.Body.String() != c.body {
			t.Errorf("%s %s: got %d %q, want %d %q", c.method, c.path, w.Code, w.Body, c.code, c.body)
		}
	}
	if w := serve(s, "livedigital", "GET", "/p/special", Token{}); w.Code != 404 {
		t.Errorf("a stub of another site answered: %d", w.Code)
	}
	if !s.Delete(later.ID) || s.Delete(later.ID) {
		t.Fatal("Delete should succeed once")
	}
	if w := serve(s, "medi-api", "GET", "/p/7", Token{}); w.Body.String() != "param" {
		t.Errorf("after deleting the newer stub: %q", w.Body)
	}
}

func TestInvalidStubsNameEveryProblem(t *testing.T) {
	s := newTestSet(t, 0)
	big := strings.Repeat("x", 2000)
	stubs, _, err := DecodeJSON([]byte(`{"stubs":[
		{"site":"nope","path":"V2/{a}/{a}/x{y}","method":"G T","require":{"token":"robot"},
		 "response":{"status":99,"json":{"a":"${token.foo}","b":"${path.zz}","c":"${query.q"},"headers":{"Content-Length":"1","Bad Name":"x"}}},
		{"site":"livedigital","path":"/x","require":{"scope":"s"},"response":{"body":"` + big + `"}},
		{"site":"medi-api","path":"/x","response":{"status":204,"body":"no"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.Add(stubs...)
	pe, ok := err.(*ProblemsError)
	if !ok {
		t.Fatalf("want ProblemsError, got %v", err)
	}
	all := strings.Join(pe.Problems, "\n")
	for _, want := range []string{
		`stubs[0].method: "G T" is not an HTTP method`,
		`stubs[0].site: "nope" is not an API site; known: medi-api, livedigital`,
		`stubs[0].path: must start with /`,
		`stubs[0].require.token: "robot"`,
		`stubs[0].response.status: 99 is outside 200–599`,
		`stubs[0].response.headers.Content-Length: is set by the server`,
		`stubs[0].response.headers.Bad Name: is not a valid header name`,
		`stubs[0].response.json.a: unknown placeholder "${token.foo}"`,
		`stubs[0].response.json.b: unknown placeholder "${path.zz}"`,
		`stubs[0].response.json.c: unterminated placeholder`,
		`stubs[1].require.scope: livedigital tokens carry no scopes`,
		`stubs[1].response.body: larger than the limit of 1024 bytes`,
		`stubs[2].response: a 204 answer has no body`,
	} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q:\n%s", want, all)
		}
	}
	if s.Len() != 0 {
		t.Errorf("a refused batch stored %d stubs", s.Len())
	}
	if _, _, err := DecodeJSON([]byte(`{"site":"medi-api","path":"/x","respons":{}}`)); err == nil || !strings.Contains(err.Error(), `unknown field "respons"`) {
		t.Errorf("unknown field: %v", err)
	}
	if _, _, err := DecodeJSON([]byte(`{"site":`)); err == nil {
		t.Error("malformed JSON accepted")
	}
	if _, _, err := DecodeJSON([]byte(`{"stubs":[],"x":1}`)); err == nil {
		t.Error("a list with another field accepted")
	}
}

func TestCapAndProblemCap(t *testing.T) {
	s := newTestSet(t, 10)
	var many []Stub
	for i := range 11 {
		many = append(many, Stub{Site: "medi-api", Path: fmt.Sprintf("/p/%d", i)})
	}
	_, err := s.Add(many...)
	if err == nil || !strings.Contains(err.Error(), "at most 10 stubs: the server holds 0 and this adds 11") {
		t.Fatalf("cap: %v", err)
	}
	if _, err := s.Add(many[:10]...); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(many[10]); err == nil {
		t.Fatal("the 11th stub was accepted")
	}
	bad := make([]Stub, 10000)
	_, err = s.Add(bad...)
	pe := err.(*ProblemsError)
	if len(pe.Problems) != maxProblems+1 || !strings.Contains(pe.Problems[maxProblems], "more problems") {
		t.Fatalf("%d problems listed, want %d and a count of the rest", len(pe.Problems), maxProblems+1)
	}
}

func TestFixturesAndReset(t *testing.T) {
	src := `
- site: medi-api
  path: /V2/ping
  response:
    headers: {X-A: "${token.client_id}"}
    json: {z: 1, a: [x, "${path.none}"], ok: true}
`
	fixtures, err := DecodeYAML(yamlNodes(t, src))
	if err != nil {
		t.Fatal(err) // decoding is fine; ${path.none} is a compile problem
	}
	if _, err := NewSet(Options{Sites: testSites, Fixtures: fixtures}); err == nil || !strings.Contains(err.Error(), `stubs[0].response.json.a[1]: unknown placeholder "${path.none}"`) {
		t.Fatalf("want the fixtures problem named, got %v", err)
	}
	fixtures[0].Response.JSON = json.RawMessage(`{"z":1,"a":["x"],"ok":true}`)
	s, err := NewSet(Options{Sites: testSites, Fixtures: fixtures})
	if err != nil {
		t.Fatal(err)
	}
	mustAdd(t, s, `{"site":"medi-api","path":"/extra"}`)
	s.Clear()
	if s.Len() != 0 {
		t.Fatal("Clear left stubs")
	}
	if err := s.Reset(); err != nil || s.Len() != 1 || s.List()[0].ID != "s1" {
		t.Fatalf("Reset: %v, %v", err, s.List())
	}
	if w := serve(s, "medi-api", "GET", "/V2/ping", Token{ClientID: "c"}); w.Body.String() != `{"z":1,"a":["x"],"ok":true}` || w.Header().Get("X-A") != "c" {
		t.Errorf("fixture stub answered %q %v", w.Body, w.Header())
	}
}

func TestYAMLKeepsKeyOrder(t *testing.T) {
	stubs, err := DecodeYAML(yamlNodes(t, "- {site: medi-api, path: /o, response: {json: {b: 1, a: \"x\", c: [true, null]}}}"))
	if err != nil {
		t.Fatal(err)
	}
	if got := string(stubs[0].Response.JSON); got != `{"b":1,"a":"x","c":[true,null]}` {
		t.Errorf("json = %s", got)
	}
}

func yamlNodes(t *testing.T, src string) []yaml.Node {
	t.Helper()
	var nodes []yaml.Node
	if err := yaml.Unmarshal([]byte(src), &nodes); err != nil {
		t.Fatal(err)
	}
	return nodes
}

func jsonValid(b []byte) bool { return json.Valid(b) }
