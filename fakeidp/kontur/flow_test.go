package kontur_test

import (
	"crypto/sha256"
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/config"
)

func postIntrospect(t testing.TB, srv *fakeidp.Server, token, api, secret string) reply {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.SiteURL("kontur")+"/connect/introspect",
		strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(api, secret)
	return do(t, srv, req)
}

func exchange(t testing.TB, srv *fakeidp.Server, code string, extra ...string) reply {
	t.Helper()
	f := form(append([]string{"grant_type", "authorization_code", "code", code, "client_id", codeID,
		"client_secret", codeSecret, "redirect_uri", codeRedirect}, extra...)...)
	return postToken(t, srv, f, "", "")
}

// Seed 001: the authorize request as written, the login, the redirect with
// code, scope and state, and the exchange (checklist 13).
func TestSeedCodeFlow(t *testing.T) {
	srv := start(t)
	loc := login(t, srv, codeAuthorize(), username, password, "login")
	if got := loc.Scheme + "://" + loc.Host + loc.Path; got != codeRedirect {
		t.Fatalf("redirected to %s", loc)
	}
	q := loc.Query()
	if q.Get("code") == "" || q.Get("state") != "af0ifjsldkj" || q.Get("scope") != "openid extern.api offline_access" {
		t.Fatalf("redirect query %v", q)
	}
	// The seed's token example writes the redirect without its slash; the
	// exchange must repeat the authorize request's redirect_uri exactly
	// (see TestRedirectURIAtTheTokenEndpoint), so this one keeps it.
	f := form("grant_type", "authorization_code", "code", q.Get("code"), "client_id", codeID,
		"client_secret", codeSecret, "redirect_uri", codeRedirect)
	rep := postToken(t, srv, f, "", "")
	if rep.Status != 200 {
		t.Fatalf("exchange: %d %s", rep.Status, rep.Body)
	}
	want := []string{"id_token", "access_token", "expires_in", "token_type", "refresh_token"}
	if strings.Join(rep.Keys, ",") != strings.Join(want, ",") {
		t.Errorf("keys %v, want %v", rep.Keys, want)
	}
	if !strings.Contains(string(rep.Body), `"expires_in":3600,`) {
		t.Errorf("expires_in is not 3600: %s", rep.Body)
	}
	checkTokenHeaders(t, rep.Header)
	// Checklist 15: a code works once.
	wantTokenError(t, postToken(t, srv, f, "", ""), "invalid_grant", "")
}

func TestCodeRefusals(t *testing.T) {
	srv := start(t)
	verifier := strings.Repeat("v", 50)
	sum := sha256.Sum256([]byte(verifier))
	challenge := base64.RawURLEncoding.EncodeToString(sum[:])
	tests := []struct {
		name      string
		authorize url.Values
		extra     []string
		ok        bool
	}{
		{"another client", codeAuthorize(), []string{"client_id", "jwt-client", "client_secret", "jwt-client-secret"}, false},
		{"S256 right verifier", codeAuthorize("code_challenge", challenge, "code_challenge_method", "S256"), []string{"code_verifier", verifier}, true},
		{"S256 wrong verifier", codeAuthorize("code_challenge", challenge, "code_challenge_method", "S256"), []string{"code_verifier", strings.Repeat("w", 50)}, false},
		{"S256 missing verifier", codeAuthorize("code_challenge", challenge, "code_challenge_method", "S256"), nil, false},
		{"plain right verifier", codeAuthorize("code_challenge", verifier), []string{"code_verifier", verifier}, true},
		{"plain wrong verifier", codeAuthorize("code_challenge", verifier, "code_challenge_method", "plain"), []string{"code_verifier", challenge}, false},
		// PKCE downgrade (RFC 9700 §2.1.1): a code issued without a
		// challenge is refused with any verifier.
		{"no challenge, a verifier", codeAuthorize(), []string{"code_verifier", verifier}, false},
		{"no challenge, a short verifier", codeAuthorize(), []string{"code_verifier", "x"}, false},
		{"no challenge, an empty verifier", codeAuthorize(), []string{"code_verifier", ""}, true},
		{"no challenge, no verifier", codeAuthorize(), nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := login(t, srv, tt.authorize, username, password, "login")
			rep := exchange(t, srv, loc.Query().Get("code"), tt.extra...)
			if tt.ok {
				if rep.Status != 200 {
					t.Fatalf("want success, got %d %s", rep.Status, rep.Body)
				}
				return
			}
			wantTokenError(t, rep, "invalid_grant", "")
		})
	}
}

// The token request's redirect_uri must be the authorize request's, compared
// ordinally with no normalisation; a missing one is unauthorized_client and
// so is a mismatch (INFER: IdentityServer4 2.x TokenRequestValidator).
func TestRedirectURIAtTheTokenEndpoint(t *testing.T) {
	srv := start(t)
	tests := []struct {
		name, redirect string
		omit           bool
		wantError      string
	}{
		{"the same URI", codeRedirect, false, ""},
		{"missing", "", true, "unauthorized_client"},
		{"empty", "", false, "unauthorized_client"},
		{"another registered URI", "http://127.0.0.1/callback", false, "unauthorized_client"},
		{"without the trailing slash (seed 001's token example)", "http://www.example.com", false, "unauthorized_client"},
		{"upper-case host", "http://WWW.EXAMPLE.COM/", false, "unauthorized_client"},
		{"explicit default port", "http://www.example.com:80/", false, "unauthorized_client"},
		{"percent-encoded path", "http://www.example.com/%7E", false, "unauthorized_client"},
		{"with a query", codeRedirect + "?x=1", false, "unauthorized_client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := login(t, srv, codeAuthorize(), username, password, "login")
			f := form("grant_type", "authorization_code", "code", loc.Query().Get("code"),
				"client_id", codeID, "client_secret", codeSecret, "redirect_uri", tt.redirect)
			if tt.omit {
				f.Del("redirect_uri")
			}
			rep := postToken(t, srv, f, "", "")
			if tt.wantError == "" {
				if rep.Status != 200 {
					t.Fatalf("want success, got %d %s", rep.Status, rep.Body)
				}
				return
			}
			wantTokenError(t, rep, tt.wantError, "")
			// The code was spent by the failed exchange, as IdentityServer
			// removes it before checking the redirect_uri.
			f.Set("redirect_uri", codeRedirect)
			wantTokenError(t, postToken(t, srv, f, "", ""), "invalid_grant", "")
		})
	}
}

func TestCodeExpiresAfter300Seconds(t *testing.T) {
	srv := start(t)
	loc := login(t, srv, codeAuthorize(), username, password, "login")
	srv.Clock().Advance(300e9)
	wantTokenError(t, exchange(t, srv, loc.Query().Get("code")), "invalid_grant", "")
}

// Checklist 14 and the authorize refusals.
func TestAuthorizeRefusals(t *testing.T) {
	srv := start(t)
	loc := login(t, srv, codeAuthorize(), username, password, "deny")
	if q := loc.Query(); q.Get("error") != "access_denied" || q.Get("state") != "af0ifjsldkj" || q.Get("code") != "" {
		t.Errorf("deny: %v", q)
	}
	redirected := []struct {
		name, wantError string
		params          url.Values
	}{
		{"unsupported response_type", "unsupported_response_type", codeAuthorize("response_type", "token")},
		{"unknown scope", "invalid_scope", codeAuthorize("scope", "openid nonsense")},
		{"scope not allowed", "invalid_scope", codeAuthorize("scope", "openid medi_api")},
		{"bad PKCE method", "invalid_request", codeAuthorize("code_challenge", strings.Repeat("a", 43), "code_challenge_method", "S512")},
		{"prompt=none without session", "login_required", codeAuthorize("prompt", "none")},
	}
	for _, tt := range redirected {
		t.Run(tt.name, func(t *testing.T) {
			rep := get(t, srv, srv.SiteURL("kontur")+"/connect/authorize?"+tt.params.Encode())
			loc, _ := url.Parse(rep.Header.Get("Location"))
			if rep.Status != http.StatusFound || loc.Query().Get("error") != tt.wantError || loc.Query().Get("state") != "af0ifjsldkj" {
				t.Fatalf("got %d Location %q, want error=%s", rep.Status, rep.Header.Get("Location"), tt.wantError)
			}
		})
	}
	// Never redirect to an unregistered redirect_uri or for an unknown client.
	page := []url.Values{
		codeAuthorize("redirect_uri", "http://evil.example/"),
		codeAuthorize("redirect_uri", "http://www.example.com"),
		codeAuthorize("client_id", "stranger"),
		codeAuthorize("redirect_uri", ""),
	}
	for _, p := range page {
		rep := get(t, srv, srv.SiteURL("kontur")+"/connect/authorize?"+p.Encode())
		if rep.Status != http.StatusBadRequest || rep.Header.Get("Location") != "" {
			t.Errorf("%v: got %d Location %q, want an error page", p, rep.Status, rep.Header.Get("Location"))
		}
	}
	// A wrong password shows the form again with a message.
	f := codeAuthorize()
	f.Set("username", username)
	f.Set("password", "wrong")
	f.Set("button", "login")
	req, _ := http.NewRequest(http.MethodPost, srv.SiteURL("kontur")+"/connect/authorize", strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rep := do(t, srv, req)
	if rep.Status != 200 || rep.Header.Get("Location") != "" || !strings.Contains(string(rep.Body), "Неверный логин или пароль") {
		t.Errorf("wrong password: %d %s", rep.Status, rep.Body)
	}
}

// Checklist 17 and 19.
func TestUserinfoIntrospectionRevocation(t *testing.T) {
	srv := start(t)
	loc := login(t, srv, codeAuthorize("scope", "openid profile email extern.api offline_access"), username, password, "login")
	rep := exchange(t, srv, loc.Query().Get("code"))
	at, rt := rep.JSON["access_token"].(string), rep.JSON["refresh_token"].(string)

	ui := get(t, srv, srv.SiteURL("kontur")+"/connect/userinfo", "Authorization", "Bearer "+at)
	if ui.Status != 200 || ui.JSON["sub"] == "" || ui.JSON["email"] != username || ui.JSON["email_verified"] != true {
		t.Errorf("userinfo: %d %s", ui.Status, ui.Body)
	}
	for _, auth := range []string{"", "Bearer nonsense", "Basic abc"} {
		ui = get(t, srv, srv.SiteURL("kontur")+"/connect/userinfo", "Authorization", auth)
		if ui.Status != 401 || !strings.Contains(ui.Header.Get("WWW-Authenticate"), `error="invalid_token"`) || len(ui.Body) != 0 {
			t.Errorf("userinfo with %q: %d %q %s", auth, ui.Status, ui.Header.Get("WWW-Authenticate"), ui.Body)
		}
	}

	in := postIntrospect(t, srv, at, "extern.api", "extern.api-resource-secret")
	if in.Status != 200 || in.JSON["active"] != true || in.JSON["scope"] != "extern.api" || in.JSON["client_id"] != codeID {
		t.Errorf("introspect live: %d %s", in.Status, in.Body)
	}
	if in = postIntrospect(t, srv, "unknown", "extern.api", "extern.api-resource-secret"); in.Status != 200 || string(in.Body) != `{"active":false}` {
		t.Errorf("introspect unknown: %d %s", in.Status, in.Body)
	}
	if in = postIntrospect(t, srv, at, "extern.api", "wrong"); in.Status != 401 || len(in.Body) != 0 {
		t.Errorf("introspect bad caller: %d %s", in.Status, in.Body)
	}

	revoke := func(token, id, secret string) reply {
		req, _ := http.NewRequest(http.MethodPost, srv.SiteURL("kontur")+"/connect/revocation",
			strings.NewReader(url.Values{"token": {token}}.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(id, secret)
		return do(t, srv, req)
	}
	if r := revoke(at, codeID, "wrong"); r.Status != 400 || r.JSON["error"] != "invalid_client" {
		t.Errorf("revoke bad client: %d %s", r.Status, r.Body)
	}
	// IdentityServer answers a revocation with a bare 200: no body and no
	// Content-Type (INFER: IdentityServer4 TokenRevocationEndpoint).
	for _, tok := range []string{"unknown", at, rt} {
		r := revoke(tok, codeID, codeSecret)
		if r.Status != 200 || len(r.Body) != 0 || r.Header.Get("Content-Type") != "" {
			t.Errorf("revoke: %d Content-Type %q %s", r.Status, r.Header.Get("Content-Type"), r.Body)
		}
	}
	if in = postIntrospect(t, srv, at, "extern.api", "extern.api-resource-secret"); in.JSON["active"] != false {
		t.Errorf("revoked token still active: %s", in.Body)
	}
	wantTokenError(t, postToken(t, srv, form("grant_type", "refresh_token", "refresh_token", rt), codeID, codeSecret), "invalid_grant", "")
}

func TestEndSession(t *testing.T) {
	srv := start(t)
	loc := login(t, srv, codeAuthorize(), username, password, "login")
	idt := exchange(t, srv, loc.Query().Get("code")).JSON["id_token"].(string)
	q := url.Values{"id_token_hint": {idt}, "post_logout_redirect_uri": {codeRedirect}, "state": {"bye"}}
	rep := get(t, srv, srv.SiteURL("kontur")+"/connect/endsession?"+q.Encode())
	if rep.Status != http.StatusFound || rep.Header.Get("Location") != codeRedirect+"?state=bye" {
		t.Errorf("endsession: %d %q", rep.Status, rep.Header.Get("Location"))
	}
	q.Set("id_token_hint", idt[:len(idt)-4]+"AAAA")
	rep = get(t, srv, srv.SiteURL("kontur")+"/connect/endsession?"+q.Encode())
	if rep.Status != 200 || rep.Header.Get("Location") != "" {
		t.Errorf("endsession with a forged hint redirected: %d %q", rep.Status, rep.Header.Get("Location"))
	}
}

// With kontur.auto_login the authorize endpoint logs the user in at once:
// a browser or client library driven by CI goes straight to the redirect.
func TestAutoLogin(t *testing.T) {
	def, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	cfg := *def
	cfg.Kontur.AutoLogin = username
	srv := fakeidp.StartTest(t, fakeidp.Options{Config: &cfg})
	rep := get(t, srv, srv.SiteURL("kontur")+"/connect/authorize?"+codeAuthorize().Encode())
	loc, _ := url.Parse(rep.Header.Get("Location"))
	if rep.Status != http.StatusFound || loc.Query().Get("code") == "" || loc.Query().Get("state") != "af0ifjsldkj" {
		t.Fatalf("auto login: %d Location %q", rep.Status, rep.Header.Get("Location"))
	}
	if r := exchange(t, srv, loc.Query().Get("code")); r.Status != 200 || r.JSON["id_token"] == nil {
		t.Fatalf("exchange: %d %s", r.Status, r.Body)
	}
	// Validation still comes first: an unregistered redirect_uri gets the
	// error page, never a redirect.
	rep = get(t, srv, srv.SiteURL("kontur")+"/connect/authorize?"+codeAuthorize("redirect_uri", "http://evil.example/").Encode())
	if rep.Status != http.StatusBadRequest || rep.Header.Get("Location") != "" {
		t.Fatalf("auto login with a bad redirect_uri: %d %q", rep.Status, rep.Header.Get("Location"))
	}
}
