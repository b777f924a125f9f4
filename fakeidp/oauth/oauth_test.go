package oauth

import (
	"bytes"
	"encoding/base64"
	"mime"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestErrorBodyOrderAndExtra(t *testing.T) {
	e := InvalidGrant("second_factor_required")
	e.Extra = []Field{{"partial_factor_token", "ABC"}, {"required_factors", []map[string]string{{"grant_type": "sms"}}}}
	want := `{"error":"invalid_grant","error_description":"second_factor_required","partial_factor_token":"ABC","required_factors":[{"grant_type":"sms"}]}`
	if got := string(e.Body()); got != want {
		t.Fatalf("Body =\n%s\nwant\n%s", got, want)
	}
	if got := string(InvalidClient("").Body()); got != `{"error":"invalid_client"}` {
		t.Fatalf("no description must mean no key: %s", got)
	}
}

// Unexpected errors become server_error with nothing of the cause sent.
func TestServerErrorHidesCause(t *testing.T) {
	rec := httptest.NewRecorder()
	d := Dialect{ContentType: "application/json"}
	d.WriteError(rec, httptest.NewRequest("POST", "/token", nil), errSecret{})
	if rec.Code != 500 || strings.Contains(rec.Body.String(), "s3cret") || !strings.Contains(rec.Body.String(), "server_error") {
		t.Fatalf("%d %s", rec.Code, rec.Body)
	}
}

type errSecret struct{}

func (errSecret) Error() string { return "db password s3cret" }

func formRequest(body string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	return r
}

func TestParseForm(t *testing.T) {
	tests := []struct {
		name, body string
		status     int // 0: parsed
	}{
		{"ok", "grant_type=password&username=a", 0},
		{"duplicate", "grant_type=password&grant_type=client_credentials", 400},
		{"bad escape", "grant_type=%zz", 400},
		{"not UTF-8", "username=%ff", 400},
		{"too large", "x=" + strings.Repeat("a", 2000), 413},
	}
	for _, tt := range tests {
		_, e := ParseForm(formRequest(tt.body), 1024)
		switch {
		case tt.status == 0 && e != nil:
			t.Errorf("%s: %v", tt.name, e)
		case tt.status != 0 && (e == nil || e.Status != tt.status || e.Code != "invalid_request"):
			t.Errorf("%s: got %v, want invalid_request %d", tt.name, e, tt.status)
		}
	}
	get := httptest.NewRequest(http.MethodGet, "/token", nil)
	if _, e := ParseForm(get, 1024); e == nil || e.Code != "invalid_request" {
		t.Errorf("GET: %v", e)
	}
	js := httptest.NewRequest(http.MethodPost, "/token", strings.NewReader(`{}`))
	js.Header.Set("Content-Type", "application/json")
	if _, e := ParseForm(js, 1024); e == nil || e.Code != "invalid_request" {
		t.Errorf("JSON: %v", e)
	}
}

func TestClientCredentials(t *testing.T) {
	basic := func(id, secret string) string {
		return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
	}
	tests := []struct {
		name, auth, body string
		wantID, wantErr  string
	}{
		{"body only", "", "client_id=a&client_secret=b", "a", ""},
		{"basic only", basic("a", "b"), "", "a", ""},
		{"both agreeing", basic("a", "b"), "client_id=a&client_secret=b", "a", ""},
		{"form-urlencoded in Basic", basic("a%3Ab", "c%2Bd"), "", "a:b", ""},
		{"both disagreeing", basic("a", "b"), "client_id=z", "", "invalid_client"},
		{"broken Basic", "Basic ###", "", "", "invalid_client"},
		{"Bearer is not client auth", "Bearer xyz", "client_id=a", "a", ""},
	}
	for _, tt := range tests {
		r := formRequest(tt.body)
		if tt.auth != "" {
			r.Header.Set("Authorization", tt.auth)
		}
		form, _ := ParseForm(r, 1024)
		c, e := ClientCredentials(r, form)
		if tt.wantErr != "" {
			if e == nil || e.Code != tt.wantErr {
				t.Errorf("%s: got %+v, %v", tt.name, c, e)
			}
			continue
		}
		if e != nil || c.ID != tt.wantID {
			t.Errorf("%s: got %+v, %v", tt.name, c, e)
		}
	}
}

func TestRandomDigitsAndAlphabet(t *testing.T) {
	g := Random{R: bytes.NewReader(bytes.Repeat([]byte{255, 0, 9, 249, 250, 100}, 100))}
	d := g.Digits(4)
	if len(d) != 4 || strings.Trim(d, "0123456789") != "" {
		t.Fatalf("Digits = %q", d)
	}
	if a := g.Alphabet(21, "ab"); len(a) != 21 || strings.Trim(a, "ab") != "" {
		t.Fatalf("Alphabet = %q", a)
	}
	if h := (Random{R: bytes.NewReader(make([]byte, 32))}).Hex(32); h != strings.Repeat("0", 64) {
		t.Fatalf("Hex = %q", h)
	}
}

// MediaTypeOf gives what mime.ParseMediaType gives for a valid
// Content-Type, and the same cut for an invalid one.
func TestMediaTypeOf(t *testing.T) {
	for _, ct := range []string{
		"", "application/json", "Application/X-WWW-Form-URLEncoded", " application/json ; charset=utf-8",
		"application/json;charset=UTF-8", "text/html; charset", "application/json; a=1; a=2",
		"text", "a b/c", ";", "application/json\t;x=\"y;z\"", "ТЕКСТ/plain", "\xff/\xfe",
	} {
		want := strings.ToLower(strings.TrimSpace(strings.SplitN(ct, ";", 2)[0]))
		if mt, _, err := mime.ParseMediaType(ct); err == nil {
			want = mt
		}
		if got := MediaTypeOf(ct); got != want {
			t.Errorf("MediaTypeOf(%q) = %q, want %q", ct, got, want)
		}
	}
}
