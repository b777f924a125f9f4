package journal

import (
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp/reqinfo"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

func TestRedact(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", ""},
		{"a", "…"},
		{"abc", "…"},
		{"7654", "7…"},
		{"123456", "1…"},
		{"password", "pa…"},
		{"b29d0d9e-872c-4ea5-a92a-71b3abdea091", "b29d…"},
		{"пароль-пароль", "пар…"},
	}
	for _, tt := range tests {
		if got := Redact(tt.in); got != tt.want {
			t.Errorf("Redact(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestRedactHeader(t *testing.T) {
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("medi_test_client:b29d0d9e-872c"))
	tests := []struct{ name, in, want string }{
		{"Authorization", basic, "Basic bWVk…"},
		{"Authorization", "Bearer 0123456789abcdef0123", "Bearer 0123…"},
		{"Authorization", "opaque", "o…"},
		{"Proxy-Authorization", "Basic YWxhZGRpbjpvcGVuc2VzYW1l", "Basic YWxh…"},
		{"Cookie", "session=abcdefghijkl", "sess…"},
		{"Set-Cookie", "id=1234567890", "id=…"},
		{"X-Fakeidp-Control-Token", "supersecretvalue", "supe…"},
		{"X-Api-Key", "k-1234567890", "k-1…"},
		{"X-" + strings.Repeat("A", 70) + "-Token", "tokvalue12345678", "tokv…"},
		{"Accept", "application/json", "application/json"},
		{"User-Agent", strings.Repeat("u", 1000), strings.Repeat("u", maxValue) + "…"},
	}
	for _, tt := range tests {
		if got := redactHeader(tt.name, tt.in); got != tt.want {
			t.Errorf("%s: %q → %q, want %q", tt.name, tt.in, got, tt.want)
		}
	}
}

// The secrets of a real request never reach the journal in full, by any
// path: body fields, query, headers, or Record called directly.
func TestNothingSecretIsStored(t *testing.T) {
	secrets := map[string]string{
		"client_secret": "cs-b29d0d9e-872c-4ea5", "password": "pw-VTytkTR7ZHH5nLhoW",
		"code": "7654", "code_verifier": "cv-dBjftJeZ4CVP-mB92K27uhbUJU1p1r",
		"refresh_token": "rt-0123456789abcdef", "access_token": "at-0123456789abcdef",
		"token": "tk-fedcba9876543210", "id_token_hint": "ith-eyJhbGciOiJSUzI1NiJ9",
		"assertion": "as-eyJhbGciOiJSUzI1NiJ9", "Client_Secret": "cs2-mixed-case-name",
	}
	form := url.Values{"grant_type": {"authorization_code"}, "client_id": {"yourClientId"}}
	for k, v := range secrets {
		form.Set(k, v)
	}
	r := httptest.NewRequest("POST", "/connect/token?code=qc-1234567890&state=xyz", strings.NewReader(form.Encode()))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("yourClientId:basic-secret-123")))
	r.Header.Set("Cookie", "idsrv.session=cookie-secret-456")
	r.Header.Set("X-Fakeidp-Token", "control-secret-789")
	r = site.WithBase(r, "kontur", "http://x/kontur")
	r = reqinfo.WithInfo(r, reqinfo.Read(r, 1<<16))

	// A fixed clock, and durations left out below: a digits-only secret
	// such as the code must not be found in a timestamp by chance.
	j := New(10, func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) })
	j.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if string(body) != form.Encode() {
			t.Error("handler did not get the body")
		}
	})).ServeHTTP(httptest.NewRecorder(), r)
	j.Record(Entry{Fields: map[string]string{"password": "direct-secret-000"},
		Query:   map[string]string{"access_token": "direct-token-111"},
		Headers: map[string]string{"authorization": "Bearer direct-bearer-222"}})

	entries := j.List(Filter{})
	for i := range entries {
		entries[i].DurationMS = 0
	}
	out, _ := json.Marshal(entries)
	all := []string{"qc-1234567890", "basic-secret-123", base64.StdEncoding.EncodeToString([]byte("yourClientId:basic-secret-123")),
		"cookie-secret-456", "control-secret-789", "direct-secret-000", "direct-token-111", "direct-bearer-222"}
	for _, v := range secrets {
		all = append(all, v)
	}
	for _, secret := range all {
		if strings.Contains(string(out), secret) || strings.Contains(string(out), secret[:len(secret)-1]) {
			t.Errorf("journal holds secret %q: %s", secret, out)
		}
	}
	e := j.List(Filter{ClientID: "yourClientId"})
	if len(e) != 1 {
		t.Fatalf("filter by client: %d entries", len(e))
	}
	got := e[0]
	if got.Fields["grant_type"] != "authorization_code" || got.Fields["code"] != "7…" ||
		got.Query["state"] != "xyz" || got.Headers["Authorization"] != "Basic eW91…" ||
		got.Path != "/connect/token" || got.Site != "kontur" || got.Method != "POST" || got.Status != 200 {
		t.Errorf("entry = %+v", got)
	}
}

// Doktornarabote's validation-code request names the phone by country
// code and number: the code there is the country's, kept whole. A code
// without a number is still cut.
func TestPhoneCountryCodeKept(t *testing.T) {
	j := New(10, func() time.Time { return time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC) })
	for _, target := range []string{"/api/v1/access/validation-code?code=7&number=9161234567", "/cb?code=7654&state=s"} {
		r := httptest.NewRequest("GET", target, nil)
		r = site.WithBase(r, "doktornarabote-api", "http://x/doktornarabote-api")
		r = reqinfo.WithInfo(r, reqinfo.Read(r, 1<<16))
		j.Middleware()(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {})).ServeHTTP(httptest.NewRecorder(), r)
	}
	entries := j.List(Filter{})
	if len(entries) != 2 {
		t.Fatalf("%d entries", len(entries))
	}
	if got := entries[1].Query; got["code"] != "7" || got["number"] != "9161234567" {
		t.Errorf("validation-code query journalled as %v, want code 7 whole", got)
	}
	if got := entries[0].Query["code"]; got != "7…" {
		t.Errorf("a code without a number journalled as %q, want it cut", got)
	}
}
