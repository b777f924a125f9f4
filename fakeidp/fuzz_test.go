package fakeidp_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// Every site endpoint, as a client would address it.
var fuzzPaths = []string{
	"/kontur/connect/token", "/kontur/connect/authorize", "/kontur/connect/userinfo",
	"/kontur/connect/introspect", "/kontur/connect/revocation", "/kontur/connect/endsession",
	"/kontur/.well-known/openid-configuration",
	"/doktornarabote-api/api/v1/access/validation-code", "/doktornarabote-auth/token",
	"/livedigital/v1/auth/token", "/livedigital/v1/spaces/",
	// The APIs behind the tokens: the token check comes first.
	"/medi-api/V2/policies/p-1", "/extern-api/v1/a/drafts", "/doktornarabote-api/api/v1/profile",
	"/livedigital/v1/rooms", "/livedigital/v1/spaces/s-1/rooms",
}

var fuzzMethods = []string{http.MethodGet, http.MethodPost, http.MethodPut, http.MethodDelete}

var fuzzTypes = []string{"application/x-www-form-urlencoded", "application/json", "text/plain", "", "multipart/form-data; boundary=x"}

// FuzzSites sends arbitrary bodies, queries and Authorization headers to
// every site endpoint. None may answer 5xx or panic: bad input gets a 4xx
// in the provider's own format. The seed corpus runs in every go test.
func FuzzSites(f *testing.F) {
	seeds := []struct {
		query, body, auth string
	}{
		{"", "grant_type=client_credentials&scope=medi_api", "Basic bWVkaV90ZXN0X2NsaWVudDpiMjlkMGQ5ZS04NzJjLTRlYTUtYTkyYS03MWIzYWJkZWEwOTE="},
		{"code=1&number=1111111111", "grant_type=password&client_id=98483c47f17f4888b0bf695d1165062e&username=11111111111&password=7654", ""},
		{"", `{"client_id":"john-smith-livedigital","client_secret":"VTytkTR7ZHH5nLhoWCLjymrUJjKBzfs4","grant_type":"client_credentials"}`, ""},
		{"response_type=code&client_id=yourClientId&redirect_uri=http://www.example.com/&scope=openid", "button=login&username=user@login.ru&password=password", ""},
		{"code=%zz&number=1e9", `{"a":[[[[[[[[[[]]]]]]]]]]}`, "Bearer eyJhbGciOiJub25lIn0.e30."},
		{"", "\xff\xfe=\x00&&==", "Basic %%%"},
	}
	for i, s := range seeds {
		f.Add(uint8(i), uint8(i), uint8(i), s.query, []byte(s.body), s.auth)
	}
	srv, err := fakeidp.New(fakeidp.Options{})
	if err != nil {
		f.Fatal(err)
	}
	h := srv.Handler()
	f.Fuzz(func(t *testing.T, pathIdx, methodIdx, typeIdx uint8, query string, body []byte, auth string) {
		path := fuzzPaths[int(pathIdx)%len(fuzzPaths)]
		req := httptest.NewRequest(fuzzMethods[int(methodIdx)%len(fuzzMethods)], path, strings.NewReader(string(body)))
		req.URL.RawQuery = query
		if ct := fuzzTypes[int(typeIdx)%len(fuzzTypes)]; ct != "" {
			req.Header.Set("Content-Type", ct)
		}
		if auth != "" {
			req.Header["Authorization"] = []string{auth}
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 {
			t.Fatalf("%s %s?%q body %q auth %q: status %d %s", req.Method, path, query, body, auth, rec.Code, rec.Body)
		}
	})
}

var fuzzControl = []string{
	"/_fakeidp/faults", "/_fakeidp/faults/f1", "/_fakeidp/stubs", "/_fakeidp/stubs/s1", "/_fakeidp/presets/kontur-slow-token", "/_fakeidp/clock",
	"/_fakeidp/keys/rotate", "/_fakeidp/journal", "/_fakeidp/sms", "/_fakeidp/livedigital/users/test_user@test.test/tokens",
	"/_fakeidp/livedigital/users/test_user@test.test/client", "/_fakeidp/reset",
}

// FuzzControl sends arbitrary JSON to the control API: junk gets a 4xx
// that says what is wrong, never a 5xx.
func FuzzControl(f *testing.F) {
	for i, body := range []string{
		`{"match":{"site":"kontur"},"effect":{"type":"latency","delay":"1ms"},"times":1}`,
		`{"advance":"25h"}`, `{"set":"2030-01-01T00:00:00Z"}`, `{"keep_old":true}`, `{"rules":[{}]}`,
		`{"effect":{"type":"error","fields":{"a":[1,{"b":null}]}}}`, `nul`, `[`, "\x00",
	} {
		f.Add(uint8(i), uint8(i), []byte(body))
	}
	srv, err := fakeidp.New(fakeidp.Options{})
	if err != nil {
		f.Fatal(err)
	}
	h := srv.Handler()
	f.Fuzz(func(t *testing.T, pathIdx, methodIdx uint8, body []byte) {
		path := fuzzControl[int(pathIdx)%len(fuzzControl)]
		req := httptest.NewRequest(fuzzMethods[int(methodIdx)%len(fuzzMethods)], path, strings.NewReader(string(body)))
		req.Header.Set("Content-Type", "application/json")
		req.Host = "127.0.0.1" // not httptest's example.com, which the control API refuses
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code >= 500 || rec.Code == http.StatusForbidden || rec.Code == http.StatusUnsupportedMediaType {
			t.Fatalf("%s %s %q: status %d %s", req.Method, path, body, rec.Code, rec.Body)
		}
		// Keep the server usable between runs: no rule may linger and
		// slow the next ones down.
		srv.Faults().Clear()
	})
}
