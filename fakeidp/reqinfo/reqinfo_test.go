package reqinfo

import (
	"encoding/base64"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp/oauth"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

const form = "application/x-www-form-urlencoded"

func newRequest(method, target, contentType, body string) *http.Request {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	if body == "" {
		r.Body = http.NoBody
	}
	if contentType != "" {
		r.Header.Set("Content-Type", contentType)
	}
	return r
}

func basic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

func TestRead(t *testing.T) {
	tests := []struct {
		name        string
		method      string
		target      string
		contentType string
		auth        string
		body        string
		want        Info
	}{{
		name: "kontur client credentials by Basic", method: "POST", target: "/connect/token",
		contentType: form, auth: basic("medi_test_client", "b29d"),
		body: "grant_type=client_credentials&scope=medi_api",
		want: Info{Path: "/connect/token", GrantType: "client_credentials", ClientID: "medi_test_client",
			Fields: map[string]string{"grant_type": "client_credentials", "scope": "medi_api"}},
	}, {
		name: "body client_id wins over Basic", method: "POST", target: "/t",
		contentType: form, auth: basic("basic-id", "s"), body: "client_id=body-id&client_secret=s",
		want: Info{Path: "/t", ClientID: "body-id",
			Fields: map[string]string{"client_id": "body-id", "client_secret": "s"}},
	}, {
		name: "Basic id is form-urlencoded", method: "POST", target: "/t",
		contentType: form, auth: basic("my%20client%3A1", "s"),
		want: Info{Path: "/t", ClientID: "my client:1"},
	}, {
		name: "malformed Basic gives no client", method: "POST", target: "/t",
		auth: "Basic !!!notbase64",
		want: Info{Path: "/t"},
	}, {
		name: "Bearer is not a client", method: "GET", target: "/t", auth: "Bearer abc",
		want: Info{Path: "/t"},
	}, {
		name: "doktornarabote password grant: digits username is the phone", method: "POST", target: "/token",
		contentType: form + "; charset=utf-8",
		body:        "grant_type=password&client_id=98483c47f17f4888b0bf695d1165062e&username=11111111111&password=7654",
		want: Info{Path: "/token", GrantType: "password", ClientID: "98483c47f17f4888b0bf695d1165062e",
			Username: "11111111111", Phone: "11111111111", Fields: map[string]string{
				"grant_type": "password", "client_id": "98483c47f17f4888b0bf695d1165062e",
				"username": "11111111111", "password": "7654"}},
	}, {
		name: "doktornarabote validation code: phone from query", method: "GET",
		target: "/api/v1/access/validation-code?code=1&number=1111111111",
		want:   Info{Path: "/api/v1/access/validation-code", Phone: "11111111111"},
	}, {
		name: "query phone needs both parts", method: "GET", target: "/x?number=1111111111",
		want: Info{Path: "/x"},
	}, {
		name: "email username is no phone", method: "POST", target: "/t", contentType: form,
		body: "username=user%40login.ru",
		want: Info{Path: "/t", Username: "user@login.ru", Fields: map[string]string{"username": "user@login.ru"}},
	}, {
		name: "authorize: client_id from the query", method: "GET",
		target: "/connect/authorize?client_id=yourClientId&response_type=code",
		want:   Info{Path: "/connect/authorize", ClientID: "yourClientId"},
	}, {
		name: "livedigital JSON", method: "POST", target: "/v1/auth/token", contentType: "application/json",
		body: `{"client_id":"john","client_secret":"VTyt","grant_type":"password","username":"test_user@test.test","password":"123456"}`,
		want: Info{Path: "/v1/auth/token", GrantType: "password", ClientID: "john", Username: "test_user@test.test",
			Fields: map[string]string{"client_id": "john", "client_secret": "VTyt", "grant_type": "password",
				"username": "test_user@test.test", "password": "123456"}},
	}, {
		name: "JSON scalars and nested values", method: "POST", target: "/t", contentType: "application/vnd.x+json",
		body: `{"n": 12.5, "b": true, "z": null, "o": {"a": [1, 2]}, "username": 79991234567}`,
		want: Info{Path: "/t", Username: "79991234567", Phone: "79991234567", Fields: map[string]string{
			"n": "12.5", "b": "true", "z": "", "o": `{"a":[1,2]}`, "username": "79991234567"}},
	}, {
		name: "JSON sniffed without Content-Type", method: "POST", target: "/t",
		body: ` {"grant_type":"client_credentials"}`,
		want: Info{Path: "/t", GrantType: "client_credentials", Fields: map[string]string{"grant_type": "client_credentials"}},
	}, {
		name: "form sniffed without Content-Type", method: "POST", target: "/t", body: "grant_type=x",
		want: Info{Path: "/t", GrantType: "x", Fields: map[string]string{"grant_type": "x"}},
	}, {
		name: "other media types are not parsed", method: "POST", target: "/t", contentType: "text/plain",
		body: "grant_type=x", want: Info{Path: "/t"},
	}, {
		name: "repeated form key keeps the first", method: "POST", target: "/t", contentType: form,
		body: "grant_type=a&grant_type=b&bad=%zz&=empty",
		want: Info{Path: "/t", GrantType: "a", Fields: map[string]string{"grant_type": "a"}},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRequest(tt.method, tt.target, tt.contentType, tt.body)
			if tt.auth != "" {
				r.Header.Set("Authorization", tt.auth)
			}
			got := Read(r, 1<<16)
			assertInfo(t, got, &tt.want)
			rest, err := io.ReadAll(r.Body)
			if err != nil || string(rest) != tt.body {
				t.Errorf("body after Read = %q, %v; want %q", rest, err, tt.body)
			}
		})
	}
}

func assertInfo(t *testing.T, got, want *Info) {
	t.Helper()
	if got.Site != want.Site || got.Path != want.Path || got.GrantType != want.GrantType ||
		got.ClientID != want.ClientID || got.Username != want.Username || got.Phone != want.Phone {
		t.Errorf("Read = %+v\nwant %+v", *got, *want)
	}
	if !maps.Equal(got.Fields, want.Fields) {
		t.Errorf("Fields = %q\nwant   %q", got.Fields, want.Fields)
	}
}

// Bad input never panics, always yields no fields, and leaves the body
// intact for the handler.
func TestReadBadInput(t *testing.T) {
	tests := map[string]string{
		"malformed JSON":  `{"grant_type":`,
		"array":           `[{"grant_type":"x"}]`,
		"null":            `null`,
		"string":          `"grant_type"`,
		"deep nesting":    strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000),
		"deep arrays":     `{"a":` + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "}",
		"empty object":    `{}`,
		"trailing junk":   `{"a":"b"} xyz`,
		"invalid escape":  `{"a":"\x"}`,
		"lone surrogate":  `{"a":"\ud800"}`,
		"invalid UTF-8":   "{\"a\":\"\xff\xfe\"}",
		"binary":          "\x00\x01\x02{",
		"unbalanced":      `{"a":{"b":[}`,
		"huge number":     `{"a":` + strings.Repeat("9", 5000) + `}`,
		"duplicate keys":  `{"a":"1","a":"2"}`,
		"whitespace only": "   \n\t",
	}
	for name, body := range tests {
		t.Run(name, func(t *testing.T) {
			r := newRequest("POST", "/t", "application/json", body)
			info := Read(r, 1<<20)
			if info == nil {
				t.Fatal("Read returned nil")
			}
			if info.GrantType != "" || info.ClientID != "" {
				t.Errorf("unexpected identity fields from junk: %+v", *info)
			}
			rest, _ := io.ReadAll(r.Body)
			if string(rest) != body {
				t.Errorf("body not restored: got %d bytes, want %d", len(rest), len(body))
			}
		})
	}
}

func TestReadKeepsValidFieldsOfOddJSON(t *testing.T) {
	r := newRequest("POST", "/t", "application/json", "{\"a\":\"\xff\",\"b\":\"\\u00e9\"}")
	info := Read(r, 1<<10)
	if info.Fields["b"] != "é" || info.Fields["a"] != "\uFFFD" {
		t.Errorf("Fields = %q", info.Fields)
	}
	long := `{"o":{"k":"` + strings.Repeat("я", 200) + `"}}`
	info = Read(newRequest("POST", "/t", "application/json", long), 1<<12)
	if o := info.Fields["o"]; len(o) > maxNested+len("…") || !strings.HasSuffix(o, "…") || !strings.HasPrefix(o, `{"k":"я`) {
		t.Errorf("nested value not cut short on a rune boundary: %q", o)
	}
}

func TestReadCapsFieldCount(t *testing.T) {
	var b strings.Builder
	for i := range 1000 {
		if i > 0 {
			b.WriteByte('&')
		}
		b.WriteString(strings.Repeat("k", i%50+1) + string(rune('a'+i%26)) + "=v")
	}
	info := Read(newRequest("POST", "/t", form, b.String()), 1<<20)
	if len(info.Fields) != maxFields {
		t.Errorf("len(Fields) = %d, want %d", len(info.Fields), maxFields)
	}
}

// An oversize body yields no fields, and the handler still reads every
// byte, so its own size check sees the whole body.
func TestReadOversizeBody(t *testing.T) {
	body := "grant_type=client_credentials&pad=" + strings.Repeat("x", 5000)
	r := newRequest("POST", "/t", form, body)
	info := Read(r, 100)
	if info.Fields != nil || info.GrantType != "" {
		t.Errorf("oversize body gave fields: %+v", *info)
	}
	rest, err := io.ReadAll(r.Body)
	if err != nil || string(rest) != body {
		t.Errorf("handler read %d bytes, %v; want all %d", len(rest), err, len(body))
	}
}

// Under the root's http.MaxBytesReader the handler must still get a
// *http.MaxBytesError, which oauth.ReadBody turns into 413.
func TestReadKeepsMaxBytesError(t *testing.T) {
	body := strings.Repeat("a=b&", 100)
	r := newRequest("POST", "/t", form, body)
	r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, 64)
	if info := Read(r, 64); info.Fields != nil {
		t.Errorf("fields from a body cut by MaxBytesReader: %q", info.Fields)
	}
	got, err := io.ReadAll(r.Body)
	var mbe *http.MaxBytesError
	if !errors.As(err, &mbe) || len(got) != 64 {
		t.Errorf("handler read %d bytes, err %v; want 64 and *http.MaxBytesError", len(got), err)
	}
	if err := r.Body.Close(); err != nil {
		t.Errorf("Close: %v", err)
	}
}

// Path is the path as routed: the server has stripped the site's prefix
// already, so a path that still starts with it is left whole.
func TestPathAsRouted(t *testing.T) {
	tests := []struct{ site, path string }{
		{"kontur", "/connect/token"},
		{"kontur", "/kontur/connect/token"}, // sent as /kontur/kontur/connect/token
		{"kontur", "/"},
		{"doktornarabote-api", "/api/v1/access/validation-code"},
		{"", "/kontur/connect/token"},
	}
	for _, tt := range tests {
		r := httptest.NewRequest("GET", tt.path, nil)
		r = site.WithBase(r, tt.site, "http://x")
		info := Read(r, 1024)
		if info.Path != tt.path || info.Site != tt.site {
			t.Errorf("site %q path %q: got site %q path %q", tt.site, tt.path, info.Site, info.Path)
		}
	}
}

func TestMiddlewareSharesOneParse(t *testing.T) {
	var got *Info
	var handlerBody string
	h := Middleware(1024)(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = From(r)
		b, _ := io.ReadAll(r.Body)
		handlerBody = string(b)
	}))
	h.ServeHTTP(httptest.NewRecorder(), newRequest("POST", "/t", form, "grant_type=password"))
	if got == nil || got.GrantType != "password" || handlerBody != "grant_type=password" {
		t.Errorf("From = %+v, handler body %q", got, handlerBody)
	}
	if From(httptest.NewRequest("GET", "/", nil)) != nil {
		t.Error("From without WithInfo is not nil")
	}
}

func FuzzRead(f *testing.F) {
	for _, s := range []string{`{"a":1}`, "a=b&c=d", `[`, "{\"\xff\":1}", "%", `{"a":{"b":[1,{"c":null}]}}`} {
		f.Add(s, "application/json")
		f.Add(s, form)
		f.Add(s, "")
	}
	f.Fuzz(func(t *testing.T, body, ct string) {
		r := newRequest("POST", "/t?code=1&number=2", ct, body)
		Read(r, 1<<12)
		rest, _ := io.ReadAll(r.Body)
		if string(rest) != body {
			t.Fatalf("body not restored")
		}
	})
}

var sink *Info

func BenchmarkRead(b *testing.B) {
	body := "grant_type=client_credentials&scope=medi_api"
	auth := basic("medi_test_client", "b29d0d9e-872c-4ea5-a92a-71b3abdea091")
	r := newRequest("POST", "/kontur/connect/token", form, body)
	r.Header.Set("Authorization", auth)
	r = site.WithBase(r, "kontur", "http://x/kontur")
	reader := strings.NewReader(body)
	b.ReportAllocs()
	for b.Loop() {
		reader.Reset(body)
		r.Body = io.NopCloser(reader)
		sink = Read(r, 1<<16)
	}
}

// A body read whole is handed to oauth.ReadBody without a second read;
// one that is not whole (too large, or already being read) is read as
// before, byte for byte.
func TestBodyHandedToReadBody(t *testing.T) {
	const body = "grant_type=client_credentials&scope=a"
	r := newRequest("POST", "/t", form, body)
	Read(r, 1<<10)
	bb, ok := r.Body.(oauth.BufferedBody)
	if !ok {
		t.Fatalf("body %T is not an oauth.BufferedBody", r.Body)
	}
	got, e := oauth.ReadBody(r, 1<<10)
	if e != nil || string(got) != body {
		t.Fatalf("ReadBody = %q, %v", got, e)
	}
	if _, ok := bb.TakeAll(); ok {
		t.Error("the body was handed over twice")
	}
	if rest, _ := io.ReadAll(r.Body); len(rest) != 0 {
		t.Errorf("body still reads %q after it was handed over", rest)
	}
	// The handler's own, lower cap still applies.
	r = newRequest("POST", "/t", form, body)
	Read(r, 1<<10)
	if _, e := oauth.ReadBody(r, 10); e == nil || e.Status != http.StatusRequestEntityTooLarge {
		t.Errorf("ReadBody over its cap: %v", e)
	}

	r = newRequest("POST", "/t", form, body)
	Read(r, 10) // larger than Read's cap: not whole
	if _, ok := r.Body.(oauth.BufferedBody).TakeAll(); ok {
		t.Error("an over-cap body was handed over")
	}
	if got, e := oauth.ReadBody(r, 1<<10); e != nil || string(got) != body {
		t.Errorf("ReadBody of an over-cap body = %q, %v", got, e)
	}

	r = newRequest("POST", "/t", form, body)
	Read(r, 1<<10)
	var first [5]byte
	if n, _ := r.Body.Read(first[:]); n != 5 {
		t.Fatalf("read %d", n)
	}
	if _, ok := r.Body.(oauth.BufferedBody).TakeAll(); ok {
		t.Error("a body being read was handed over")
	}
	if rest, _ := io.ReadAll(r.Body); string(first[:])+string(rest) != body {
		t.Errorf("read %q then %q", first, rest)
	}
}
