package doktornarabote_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// badRequest is one hostile request to either host.
type badRequest struct {
	name        string
	method      string
	path        string // below the site's base
	contentType string
	body        string
	chunked     bool // send the body without a Content-Length
}

func badAPIRequests() []badRequest {
	const vc = "/api/v1/access/validation-code"
	digits := strings.Repeat("7", 10000)
	get := func(name, query string) badRequest {
		return badRequest{name: name, method: "GET", path: vc + "?" + query}
	}
	return []badRequest{
		get("no query", ""),
		get("bad escape", "code=%zz&number=9161234567"),
		get("bad escape in number", "code=7&number=%zz"),
		get("only separators", "&&&===&&"),
		get("semicolons", "code=7;number=9161234567"),
		get("invalid UTF-8", "code=%ff%fe&number=9161234567"),
		get("NUL in number", "code=7&number=916123456%00"),
		get("letters in number", "code=7&number=abcdefghij"),
		get("exponent in number", "code=7&number=1e10"),
		get("huge exponent in number", "code=7&number=1e309"),
		get("hex number", "code=7&number=0x16123456"),
		get("negative number", "code=7&number=-9161234567"),
		get("decimal number", "code=7&number=9161234567.0"),
		get("spaces in number", "code=7&number=+916+123+4567"),
		get("Arabic-Indic digits", "code=7&number=%D9%A9%D9%A1%D9%A6%D9%A1%D9%A2%D9%A3"),
		get("10000-digit number", "code=7&number="+digits),
		get("10000-digit code", "code="+digits+"&number=9161234567"),
		get("code twice", "code=7&code=8&number=9161234567"),
		{name: "POST", method: "POST", path: vc + "?code=7&number=9161234567"},
		{name: "PUT", method: "PUT", path: vc + "?code=7&number=9161234567"},
		{name: "DELETE", method: "DELETE", path: vc + "?code=7&number=9161234567"},
		{name: "OPTIONS", method: "OPTIONS", path: vc + "?code=7&number=9161234567"},
		{name: "oversized POST", method: "POST", path: vc, contentType: "application/x-www-form-urlencoded",
			body: "code=7&number=" + strings.Repeat("9", 100<<10)},
		{name: "oversized chunked GET with a bad query", method: "GET", path: vc + "?code=x", body: strings.Repeat("9", 100<<10), chunked: true},
		{name: "unknown path", method: "GET", path: "/api/v2/anything"},
	}
}

func badTokenRequests() []badRequest {
	const form = "application/x-www-form-urlencoded"
	digits := strings.Repeat("7", 10000)
	post := func(name, body string) badRequest {
		return badRequest{name: name, method: "POST", path: "/token", contentType: form, body: body}
	}
	login := "grant_type=password&client_id=" + seedClient
	return []badRequest{
		post("empty body", ""),
		post("bad escape", "grant_type=%zz"),
		post("only separators", "&&&===&&"),
		post("parameter twice", login+"&grant_type=password"),
		post("invalid UTF-8", login+"&username=%ff&password=7654"),
		post("letters in username", login+"&username=abcdefghijk&password=7654"),
		post("exponent in username", login+"&username=1.1e10&password=7654"),
		post("10000-digit username", login+"&username="+digits+"&password=7654"),
		post("10000-digit password", login+"&username=11111111111&password="+digits),
		post("10000-char grant_type", "client_id="+seedClient+"&grant_type="+digits),
		post("oversized", login+"&username="+strings.Repeat("1", 100<<10)),
		{name: "oversized chunked", method: "POST", path: "/token", contentType: form, body: login + "&x=" + strings.Repeat("1", 100<<10), chunked: true},
		{name: "JSON body", method: "POST", path: "/token", contentType: "application/json",
			body: `{"grant_type":"password","client_id":"` + seedClient + `","username":"11111111111","password":"7654"}`},
		post("JSON body labelled as a form", `{"grant_type":"password","client_id":"`+seedClient+`"}`),
		{name: "no Content-Type", method: "POST", path: "/token", body: login},
		{name: "multipart", method: "POST", path: "/token", contentType: "multipart/form-data; boundary=x", body: "--x--"},
		{name: "malformed Content-Type", method: "POST", path: "/token", contentType: ";;;=", body: login},
		{name: "GET", method: "GET", path: "/token?" + login},
		{name: "PUT", method: "PUT", path: "/token", contentType: form, body: login},
		{name: "DELETE", method: "DELETE", path: "/token"},
	}
}

// send issues br against base with host as the Host header (empty: none).
func send(t *testing.T, base, host string, br badRequest) reply {
	t.Helper()
	var body io.Reader
	if br.body != "" {
		body = strings.NewReader(br.body)
		if br.chunked {
			body = io.MultiReader(body) // hides the length: chunked encoding
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, br.method, base+br.path, body)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	if br.contentType != "" {
		req.Header.Set("Content-Type", br.contentType)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("no answer (hang or reset): %v", err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reply{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// TestBadInput: every hostile request gets a 4xx in its host's shape, by
// prefix and by host name, and the server keeps serving afterwards.
func TestBadInput(t *testing.T) {
	srv := start(t)
	type target struct{ name, base, host string }
	api := []target{{"prefix", srv.SiteURL("doktornarabote-api"), ""}, {"host", srv.URL(), apiHost}}
	auth := []target{{"prefix", srv.SiteURL("doktornarabote-auth"), ""}, {"host", srv.URL(), authHost}}
	for _, tg := range api {
		for _, br := range badAPIRequests() {
			t.Run("api/"+tg.name+"/"+br.name, func(t *testing.T) {
				checkAPIShape(t, send(t, tg.base, tg.host, br))
			})
		}
	}
	for _, tg := range auth {
		for _, br := range badTokenRequests() {
			t.Run("token/"+tg.name+"/"+br.name, func(t *testing.T) {
				checkOAuthShape(t, send(t, tg.base, tg.host, br))
			})
		}
	}
	// Still serving: the seed login works end to end.
	if r := requestCode(t, srv, seedCountry, seedNumber); r.Status != http.StatusOK {
		t.Fatalf("validation-code after bad input: %d %s", r.Status, r.Body)
	}
	if r := postToken(t, srv, passwordForm(seedClient, seedUsername, seedCode)); r.Status != http.StatusOK {
		t.Fatalf("token after bad input: %d %s", r.Status, r.Body)
	}
}

func checkAPIShape(t *testing.T, r reply) {
	t.Helper()
	if r.Status < 400 || r.Status > 499 {
		t.Fatalf("status %d, want 4xx; body %.200s", r.Status, r.Body)
	}
	if ct := r.Header.Get("Content-Type"); ct != apiContentType {
		t.Errorf("Content-Type = %q", ct)
	}
	checkBody(t, r.Object(t), map[string]any{"type": anyString, "value": anyString, "description": anyString})
}

func checkOAuthShape(t *testing.T, r reply) {
	t.Helper()
	if r.Status != http.StatusBadRequest {
		t.Fatalf("status %d, want 400; body %.200s", r.Status, r.Body)
	}
	checkOWINHeaders(t, r)
	m := r.Object(t)
	want := map[string]any{"error": anyString}
	if _, ok := m["error_description"]; ok {
		want["error_description"] = anyString
	}
	checkBody(t, m, want)
}
