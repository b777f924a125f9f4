package scenarios

import (
	"encoding/base64"
	"strings"
	"testing"
)

func TestSnippetHidesCredentials(t *testing.T) {
	body := `{"access_token":"1cb398cc2207ae709337ccfdacbb96ff","token_type":"Bearer","refresh_token": "eyJhbGciOi.secret","error":"invalid_grant"}`
	got := snippet([]byte(body))
	for _, secret := range []string{"2207ae70", "secret"} {
		if strings.Contains(got, secret) {
			t.Errorf("snippet shows %q: %s", secret, got)
		}
	}
	for _, kept := range []string{"1cb3", "Bearer", "invalid_grant"} {
		if !strings.Contains(got, kept) {
			t.Errorf("snippet lost %q: %s", kept, got)
		}
	}
}

func TestParseTags(t *testing.T) {
	for in, want := range map[string]string{
		"":                        "",
		"@kontur":                 "@kontur",
		"@kontur and not @fake":   "@kontur && ~@fake",
		"@kontur or @livedigital": "@kontur,@livedigital",
		"@a,@b && ~@c":            "@a,@b && ~@c",
		"not @fake":               "~@fake",
	} {
		got, err := ParseTags(in)
		if err != nil || got != want {
			t.Errorf("ParseTags(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"@a &&", "kontur", "@a or @b and @c", "(@a)", "@a @b", "~"} {
		if got, err := ParseTags(bad); err == nil {
			t.Errorf("ParseTags(%q) = %q, want an error", bad, got)
		}
	}
}

func TestLengthPrefixed(t *testing.T) {
	// The Context-Globals header of seed 002's answer, whose trace id is
	// 9da07e01570f4460bee6777e514d7af0.
	raw, err := base64.StdEncoding.DecodeString("FgAAAHZvc3Rvay50cmFjaW5nLmNvbnRleHRJAAAAOWRhMDdlMDEtNTcwZi00NDYwLWJlZTYtNzc3ZTUxNGQ3YWYwOzljYzkwNmI0LTk2YmUtNGI2NC1iMDQ2LTJiNTJhMWViNGYwORcAAAB2b3N0b2sucmVxdWVzdC5wcmlvcml0eQgAAABPcmRpbmFyeQ==")
	if err != nil {
		t.Fatal(err)
	}
	pairs, err := lengthPrefixed(raw)
	if err != nil {
		t.Fatal(err)
	}
	if tc := pairs["vostok.tracing.context"]; !strings.HasPrefix(tc, "9da07e01-570f-4460-bee6-777e514d7af0;") {
		t.Errorf("vostok.tracing.context = %q", tc)
	}
	if p := pairs["vostok.request.priority"]; p != "Ordinary" {
		t.Errorf("vostok.request.priority = %q", p)
	}
	if _, err := lengthPrefixed(raw[:len(raw)-1]); err == nil {
		t.Error("a truncated value should be refused")
	}
}
