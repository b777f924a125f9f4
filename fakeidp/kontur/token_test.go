package kontur_test

import (
	"encoding/base64"
	"encoding/binary"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

var (
	hex64   = regexp.MustCompile(`^[0-9a-f]{64}$`)
	hex32   = regexp.MustCompile(`^[0-9a-f]{32}$`)
	guidRe  = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)
	refresh = regexp.MustCompile(`^[0-9A-F]{64}$`)
)

// The seed 000 request, verbatim: Basic auth and a form body.
func TestSeedClientCredentials(t *testing.T) {
	srv := start(t)
	for _, via := range []string{"prefix", "host"} {
		t.Run(via, func(t *testing.T) {
			url := srv.SiteURL("kontur") + "/connect/token"
			if via == "host" {
				url = srv.URL() + "/connect/token"
			}
			req, _ := http.NewRequest(http.MethodPost, url, strings.NewReader("grant_type=client_credentials&scope=medi_api"))
			req.Host = "identity.testkontur.ru"
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Authorization", seedBasic)
			rep := do(t, srv, req)
			if rep.Status != 200 {
				t.Fatalf("status %d: %s", rep.Status, rep.Body)
			}
			if want := []string{"access_token", "expires_in", "token_type"}; !slices.Equal(rep.Keys, want) {
				t.Errorf("keys %v, want %v", rep.Keys, want)
			}
			if at, _ := rep.JSON["access_token"].(string); !hex64.MatchString(at) {
				t.Errorf("access_token %q is not 64 lowercase hex", at)
			}
			if !strings.Contains(string(rep.Body), `"expires_in":86400,`) {
				t.Errorf("expires_in is not the integer 86400: %s", rep.Body)
			}
			if rep.JSON["token_type"] != "Bearer" {
				t.Errorf("token_type %v", rep.JSON["token_type"])
			}
			checkTokenHeaders(t, rep.Header)
		})
	}
}

// checkTokenHeaders asserts checklist items 6–8.
func checkTokenHeaders(t *testing.T, h http.Header) {
	t.Helper()
	want := map[string]string{
		"Content-Type":        "application/json; charset=UTF-8",
		"Cache-Control":       "no-store, no-cache, max-age=0",
		"Pragma":              "no-cache",
		"Dont-Retry":          "True",
		"X-Kontur-Dont-Retry": "True",
	}
	for k, v := range want {
		if got := h.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if h.Get("WWW-Authenticate") != "" {
		t.Errorf("unexpected WWW-Authenticate %q", h.Get("WWW-Authenticate"))
	}
	trace := h.Get("X-Kontur-Trace-Id")
	if !hex32.MatchString(trace) {
		t.Fatalf("X-Kontur-Trace-Id %q is not 32 hex", trace)
	}
	globals := decodeGlobals(t, h.Get("Context-Globals"))
	ctx := globals["vostok.tracing.context"]
	traceGUID := trace[0:8] + "-" + trace[8:12] + "-" + trace[12:16] + "-" + trace[16:20] + "-" + trace[20:]
	tr, span, ok := strings.Cut(ctx, ";")
	if !ok || tr != traceGUID || !guidRe.MatchString(span) {
		t.Errorf("vostok.tracing.context %q does not start with trace %s", ctx, traceGUID)
	}
	if globals["vostok.request.priority"] != "Ordinary" {
		t.Errorf("vostok.request.priority = %q", globals["vostok.request.priority"])
	}
}

// decodeGlobals reads Context-Globals: base64 of [int32 LE len][key][int32 LE len][value]...
func decodeGlobals(t *testing.T, v string) map[string]string {
	t.Helper()
	raw, err := base64.StdEncoding.DecodeString(v)
	if err != nil {
		t.Fatalf("Context-Globals %q: %v", v, err)
	}
	out := map[string]string{}
	next := func() string {
		if len(raw) < 4 {
			t.Fatalf("Context-Globals truncated")
		}
		n := int(binary.LittleEndian.Uint32(raw))
		if len(raw) < 4+n {
			t.Fatalf("Context-Globals truncated")
		}
		s := string(raw[4 : 4+n])
		raw = raw[4+n:]
		return s
	}
	for len(raw) > 0 {
		k := next()
		out[k] = next()
	}
	return out
}

// The official SDK sends Basic auth and body credentials at once, plus
// Accept and Timeout headers (checklist 5).
func TestBasicAndBodyCredentialsTogether(t *testing.T) {
	srv := start(t)
	req := tokenRequest(t, srv, form("grant_type", "client_credentials", "scope", "medi_api",
		"client_id", mediID, "client_secret", mediSecret), mediID, mediSecret)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Timeout", "00:00:30")
	if rep := do(t, srv, req); rep.Status != 200 {
		t.Fatalf("status %d: %s", rep.Status, rep.Body)
	}
}

// Seed 002: the Extern password grant with body credentials.
func TestSeedPasswordGrant(t *testing.T) {
	srv := start(t)
	rep := postToken(t, srv, form("client_id", externID, "client_secret", externSecret, "grant_type", "password",
		"scope", "extern.api", "username", username, "password", password), "", "")
	if rep.Status != 200 {
		t.Fatalf("status %d: %s", rep.Status, rep.Body)
	}
	if want := []string{"access_token", "expires_in", "token_type"}; !slices.Equal(rep.Keys, want) {
		t.Errorf("keys %v, want %v", rep.Keys, want)
	}
	checkTokenHeaders(t, rep.Header)
}

func TestRefreshRotates(t *testing.T) {
	srv := start(t)
	rep := postToken(t, srv, form("grant_type", "password", "scope", "extern.api offline_access",
		"username", username, "password", password), externID, externSecret)
	if want := []string{"access_token", "expires_in", "token_type", "refresh_token"}; !slices.Equal(rep.Keys, want) {
		t.Fatalf("keys %v, want %v (%s)", rep.Keys, want, rep.Body)
	}
	first := rep.JSON["refresh_token"].(string)
	if !refresh.MatchString(first) {
		t.Errorf("refresh_token %q", first)
	}
	rep = postToken(t, srv, form("grant_type", "refresh_token", "refresh_token", first), externID, externSecret)
	if rep.Status != 200 {
		t.Fatalf("refresh: %d %s", rep.Status, rep.Body)
	}
	second := rep.JSON["refresh_token"].(string)
	if second == "" || second == first {
		t.Fatalf("refresh_token did not rotate: %q", second)
	}
	rep = postToken(t, srv, form("grant_type", "refresh_token", "refresh_token", first), externID, externSecret)
	if rep.Status != 400 || rep.JSON["error"] != "invalid_grant" {
		t.Fatalf("reused refresh token: %d %s", rep.Status, rep.Body)
	}
	// The new one still works, but not for another client.
	rep = postToken(t, srv, form("grant_type", "refresh_token", "refresh_token", second), codeID, codeSecret)
	if rep.Status != 400 || rep.JSON["error"] != "invalid_grant" {
		t.Fatalf("refresh by another client: %d %s", rep.Status, rep.Body)
	}
}

func TestAccessTokenExpiresByClock(t *testing.T) {
	srv := start(t)
	rep := postToken(t, srv, form("grant_type", "client_credentials", "scope", "medi_api"), mediID, mediSecret)
	at := rep.JSON["access_token"].(string)
	introspect := func() bool {
		r := postIntrospect(t, srv, at, "medi_api", "medi_api-resource-secret")
		return r.JSON["active"] == true
	}
	if !introspect() {
		t.Fatal("fresh token is not active")
	}
	srv.Clock().Advance(86400*time.Second - time.Second)
	if !introspect() {
		t.Fatal("token inactive one second before expiry")
	}
	srv.Clock().Advance(time.Second)
	if introspect() {
		t.Fatal("token still active at expiry")
	}
}
