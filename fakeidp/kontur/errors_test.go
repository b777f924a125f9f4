package kontur_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// Every token error of CONTRACTS.md §1: status, body and headers.
func TestTokenErrors(t *testing.T) {
	srv := start(t)
	cc := func(kv ...string) url.Values {
		return form(append([]string{"grant_type", "client_credentials"}, kv...)...)
	}
	pw := func(kv ...string) url.Values {
		return form(append([]string{"grant_type", "password", "scope", "extern.api", "username", username}, kv...)...)
	}
	tests := []struct {
		name                 string
		form                 url.Values
		basicID, basicSecret string
		wantError, wantDesc  string
	}{
		{"wrong secret by Basic", cc("scope", "medi_api"), mediID, "nope", "invalid_client", ""},
		{"wrong secret in body", cc("scope", "medi_api", "client_id", mediID, "client_secret", "nope"), "", "", "invalid_client", ""},
		{"unknown client", cc("scope", "medi_api"), "stranger", "x", "invalid_client", ""},
		{"no client at all", cc("scope", "medi_api"), "", "", "invalid_client", ""},
		{"Basic and body disagree", cc("client_id", externID), mediID, mediSecret, "invalid_client", "client_id in the body and in the Authorization header differ"},
		{"unknown scope", cc("scope", "nonsense"), mediID, mediSecret, "invalid_scope", ""},
		{"scope not allowed for client", cc("scope", "extern.api"), mediID, mediSecret, "invalid_scope", ""},
		{"openid on client_credentials", cc("scope", "openid medi_api"), mediID, mediSecret, "invalid_scope", ""},
		{"unknown grant", form("grant_type", "magic"), mediID, mediSecret, "unsupported_grant_type", ""},
		{"missing grant", form("scope", "medi_api"), mediID, mediSecret, "unsupported_grant_type", ""},
		{"grant not allowed for client", pw("password", password), mediID, mediSecret, "unauthorized_client", ""},
		{"wrong password", pw("password", "wrong"), externID, externSecret, "invalid_grant", "invalid_username_or_password"},
		{"unknown user", form("grant_type", "password", "scope", "extern.api", "username", "who@x.ru", "password", "p"), externID, externSecret, "invalid_grant", "invalid_username_or_password"},
		{"missing password", pw(), externID, externSecret, "invalid_grant", ""},
		{"unknown code", form("grant_type", "authorization_code", "code", "ABC", "redirect_uri", codeRedirect), codeID, codeSecret, "invalid_grant", ""},
		{"missing code", form("grant_type", "authorization_code", "redirect_uri", codeRedirect), codeID, codeSecret, "invalid_grant", ""},
		{"unknown refresh token", form("grant_type", "refresh_token", "refresh_token", "ABC"), externID, externSecret, "invalid_grant", ""},
		// INFER: IdentityServer4 TokenRequestValidator checks the code
		// before the redirect_uri, and a missing refresh_token is a
		// malformed request rather than a bad grant.
		{"unknown code, no redirect_uri", form("grant_type", "authorization_code", "code", "ABC"), codeID, codeSecret, "invalid_grant", ""},
		{"missing refresh token", form("grant_type", "refresh_token"), externID, externSecret, "invalid_request", ""},
		{"empty refresh token", form("grant_type", "refresh_token", "refresh_token", ""), externID, externSecret, "invalid_request", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := postToken(t, srv, tt.form, tt.basicID, tt.basicSecret)
			wantTokenError(t, rep, tt.wantError, tt.wantDesc)
		})
	}
}

func wantTokenError(t *testing.T, rep reply, code, desc string) {
	t.Helper()
	if rep.Status != http.StatusBadRequest {
		t.Errorf("status %d, want 400", rep.Status)
	}
	if rep.JSON["error"] != code {
		t.Errorf("error %v, want %q (%s)", rep.JSON["error"], code, rep.Body)
	}
	if desc == "" {
		if _, ok := rep.JSON["error_description"]; ok && code != "invalid_request" {
			t.Errorf("unexpected error_description in %s", rep.Body)
		}
	} else if rep.JSON["error_description"] != desc {
		t.Errorf("error_description %v, want %q", rep.JSON["error_description"], desc)
	}
	checkTokenHeaders(t, rep.Header)
}

// Requests that are not a proper form POST get invalid_request, never a
// 401, 404, 405 or 5xx.
func TestTokenBadRequests(t *testing.T) {
	srv := start(t)
	tokenURL := srv.SiteURL("kontur") + "/connect/token"
	big := strings.Repeat("a", 70<<10)
	tests := []struct {
		name, method, contentType, body, auth string
	}{
		{"GET", http.MethodGet, "", "", ""},
		{"PUT", http.MethodPut, "application/x-www-form-urlencoded", "grant_type=client_credentials", ""},
		{"JSON body", http.MethodPost, "application/json", `{"grant_type":"client_credentials"}`, ""},
		{"no content type", http.MethodPost, "", "grant_type=client_credentials", ""},
		{"text/plain", http.MethodPost, "text/plain", "grant_type=client_credentials", ""},
		{"oversized body", http.MethodPost, "application/x-www-form-urlencoded", "grant_type=client_credentials&scope=" + big, ""},
		{"malformed form", http.MethodPost, "application/x-www-form-urlencoded", "grant_type=%zz&scope=medi_api", ""},
		{"duplicated parameter", http.MethodPost, "application/x-www-form-urlencoded", "grant_type=client_credentials&grant_type=password", ""},
		{"non-UTF-8", http.MethodPost, "application/x-www-form-urlencoded", "grant_type=client_credentials&scope=%ff%fe", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, tokenURL, strings.NewReader(tt.body))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			req.Header.Set("Authorization", seedBasic)
			wantTokenError(t, do(t, srv, req), "invalid_request", "")
		})
	}
	brokenAuth := []string{"Basic", "Basic !!!notbase64", "Basic " + "bm9jb2xvbg==", "Basic JXp6OiV6eg=="}
	for _, auth := range brokenAuth {
		t.Run("Authorization "+auth, func(t *testing.T) {
			req := tokenRequest(t, srv, form("grant_type", "client_credentials", "scope", "medi_api"), "", "")
			req.Header.Set("Authorization", auth)
			wantTokenError(t, do(t, srv, req), "invalid_client", "malformed Basic authorization header")
		})
	}
	// After all that, the server still serves.
	if rep := postToken(t, srv, form("grant_type", "client_credentials", "scope", "medi_api"), mediID, mediSecret); rep.Status != 200 {
		t.Fatalf("server stopped serving: %d %s", rep.Status, rep.Body)
	}
}

func TestHugeHeaderIsRefusedNot5xx(t *testing.T) {
	srv := start(t)
	req := tokenRequest(t, srv, form("grant_type", "client_credentials"), mediID, mediSecret)
	req.Header.Set("X-Junk", strings.Repeat("x", 200<<10))
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode < 400 || resp.StatusCode >= 500 {
		t.Fatalf("status %d, want a 4xx", resp.StatusCode)
	}
}

// A revocation request that is not a form POST gets a bare status, as
// IdentityServer's revocation endpoint answers (INFER: IdentityServer4
// TokenRevocationEndpoint), not an OAuth error body.
func TestRevocationBadRequests(t *testing.T) {
	srv := start(t)
	revURL := srv.SiteURL("kontur") + "/connect/revocation"
	tests := []struct {
		name, method, contentType string
		status                    int
		allow                     string
	}{
		{"GET", http.MethodGet, "", http.StatusMethodNotAllowed, "POST"},
		{"PUT", http.MethodPut, "application/x-www-form-urlencoded", http.StatusMethodNotAllowed, "POST"},
		{"JSON body", http.MethodPost, "application/json", http.StatusUnsupportedMediaType, ""},
		{"no content type", http.MethodPost, "", http.StatusUnsupportedMediaType, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, _ := http.NewRequest(tt.method, revURL, strings.NewReader("token=abc"))
			if tt.contentType != "" {
				req.Header.Set("Content-Type", tt.contentType)
			}
			req.SetBasicAuth(codeID, codeSecret)
			rep := do(t, srv, req)
			if rep.Status != tt.status || len(rep.Body) != 0 || rep.Header.Get("Content-Type") != "" || rep.Header.Get("Allow") != tt.allow {
				t.Errorf("got %d Allow %q Content-Type %q %s, want a bare %d", rep.Status, rep.Header.Get("Allow"), rep.Header.Get("Content-Type"), rep.Body, tt.status)
			}
			if !hex32.MatchString(rep.Header.Get("X-Kontur-Trace-Id")) {
				t.Errorf("no trace id on %d", rep.Status)
			}
		})
	}
	// A form POST with a bad form is still an OAuth error.
	req, _ := http.NewRequest(http.MethodPost, revURL, strings.NewReader("token=a&token=b"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(codeID, codeSecret)
	wantTokenError(t, do(t, srv, req), "invalid_request", "")
}
