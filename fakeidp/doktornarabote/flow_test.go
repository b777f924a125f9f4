package doktornarabote_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/config"
)

// TestOAuth2Flow drives golang.org/x/oauth2 through the whole login: SMS
// code, password grant, then a refresh once the server's clock has passed
// the access token's expiry.
func TestOAuth2Flow(t *testing.T) {
	srv := start(t)
	ctx := context.Background()
	if r := requestCode(t, srv, "7", "9161234567"); r.Status != http.StatusOK {
		t.Fatalf("validation-code: %d %s", r.Status, r.Body)
	}
	code := lastCode(t, srv, "79161234567")

	cfg := oauth2.Config{
		ClientID: seedClient,
		Endpoint: oauth2.Endpoint{
			TokenURL:  srv.SiteURL("doktornarabote-auth") + "/token",
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
	tok, err := cfg.PasswordCredentialsToken(ctx, "79161234567", code)
	if err != nil {
		t.Fatalf("password grant: %v", err)
	}
	if tok.TokenType != "bearer" || tok.AccessToken == "" || tok.RefreshToken == "" {
		t.Fatalf("token = %+v", tok)
	}
	if got := tok.Extra("expires_in"); got != float64(1209599) {
		t.Errorf("expires_in = %v, want 1209599", got)
	}

	// The server's clock passes the access token's expiry. x/oauth2 judges
	// expiry by the wall clock, so the token is marked expired to match.
	srv.Clock().Advance(1209600 * time.Second)
	stale := *tok
	stale.Expiry = time.Now().Add(-time.Second)
	fresh, err := cfg.TokenSource(ctx, &stale).Token()
	if err != nil {
		t.Fatalf("refresh: %v", err)
	}
	if fresh.AccessToken == tok.AccessToken || fresh.RefreshToken == tok.RefreshToken || fresh.RefreshToken == "" {
		t.Fatalf("refresh did not rotate: old %+v new %+v", tok, fresh)
	}

	// The old refresh token is spent.
	_, err = cfg.TokenSource(ctx, &stale).Token()
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_grant" || re.Response.StatusCode != http.StatusBadRequest {
		t.Fatalf("old refresh token: err = %v, want 400 invalid_grant", err)
	}
	// The new one works, once.
	again := *fresh
	again.Expiry = time.Now().Add(-time.Second)
	if _, err := cfg.TokenSource(ctx, &again).Token(); err != nil {
		t.Fatalf("second refresh: %v", err)
	}
}

// TestSeedRequestsVerbatim sends seed 003's two requests as written, under
// the path prefixes and under the real host names.
func TestSeedRequestsVerbatim(t *testing.T) {
	const query = "/api/v1/access/validation-code?code=1&number=1111111111"
	const body = "grant_type=password&client_id=98483c47f17f4888b0bf695d1165062e&username=11111111111&password=7654"
	opaque := regexp.MustCompile(`^[A-Za-z0-9_-]{300,}$`)
	for _, tc := range []struct{ name, apiBase, apiHost, authBase, authHost string }{
		{"prefix", "/doktornarabote-api", "", "/doktornarabote-auth", ""},
		{"host", "", apiHost, "", authHost},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := start(t)
			r := do(t, http.MethodGet, srv.URL()+tc.apiBase+query, tc.apiHost, "", nil)
			if r.Status != http.StatusOK || string(r.Body) != "{}" || r.Header.Get("Content-Type") != apiContentType {
				t.Fatalf("validation-code: %d %q %q", r.Status, r.Body, r.Header.Get("Content-Type"))
			}
			if sms := srv.Doktornarabote().Outbox(seedUsername); len(sms) != 1 || sms[0].Code != seedCode || !sms[0].SentAt.Equal(fixed) {
				t.Fatalf("outbox = %+v", sms)
			}
			r = do(t, http.MethodPost, srv.URL()+tc.authBase+"/token", tc.authHost,
				"application/x-www-form-urlencoded", strings.NewReader(body))
			if r.Status != http.StatusOK {
				t.Fatalf("token: %d %s", r.Status, r.Body)
			}
			checkOWINHeaders(t, r)
			if got, want := r.Keys(t), []string{"access_token", "token_type", "expires_in", "refresh_token"}; !slices.Equal(got, want) {
				t.Errorf("keys = %v, want %v", got, want)
			}
			m := r.Object(t)
			if m["token_type"] != "bearer" || m["expires_in"] != float64(1209599) || !opaque.MatchString(m["access_token"].(string)) {
				t.Errorf("body = %s", r.Body)
			}
			if !strings.Contains(string(r.Body), `"expires_in":1209599,`) {
				t.Errorf("expires_in is not the integer 1209599: %s", r.Body)
			}
		})
	}
}

// TestJWTAccessTokens: a client that opts in gets RS256 JWTs signed by the
// server's key.
func TestJWTAccessTokens(t *testing.T) {
	def, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	cfg := *def
	const jwtClient = "0123456789abcdef0123456789abcdef"
	cfg.Doktornarabote.Clients = append(slices.Clone(def.Doktornarabote.Clients),
		config.DoktornaraboteClient{ID: jwtClient, AccessTokenFormat: "jwt"})
	srv := fakeidp.StartTest(t, fakeidp.Options{Config: &cfg, Now: func() time.Time { return fixed }})

	requestCode(t, srv, seedCountry, seedNumber)
	r := postToken(t, srv, passwordForm(jwtClient, seedUsername, seedCode))
	if r.Status != http.StatusOK {
		t.Fatalf("token: %d %s", r.Status, r.Body)
	}
	raw := r.Object(t)["access_token"].(string)
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatalf("access token is not a JWS: %v", err)
	}
	if kid := jws.Signatures[0].Header.KeyID; kid != srv.Keys().Signer().ID {
		t.Errorf("kid = %q, want the signing key", kid)
	}
	payload, err := jws.Verify(&srv.Keys().Signer().Private.PublicKey)
	if err != nil {
		t.Fatalf("signature: %v", err)
	}
	var claims map[string]any
	if err := json.Unmarshal(payload, &claims); err != nil {
		t.Fatal(err)
	}
	if claims["sub"] != seedUsername || claims["aud"] != jwtClient || claims["exp"] != float64(fixed.Unix()+1209599) {
		t.Errorf("claims = %v", claims)
	}
}

// TestOutboxControlAPI: GET /_fakeidp/sms filters by phone, lists newest
// first, and DELETE empties it.
func TestOutboxControlAPI(t *testing.T) {
	srv := start(t)
	requestCode(t, srv, "7", "9000000001")
	srv.Clock().Advance(time.Minute) // past the resend throttle
	requestCode(t, srv, "7", "9000000001")
	requestCode(t, srv, "7", "9000000002")

	var all, mine []struct {
		Phone, Code, Text string
		SentAt            time.Time `json:"sent_at"`
	}
	decode := func(r reply, into any) {
		t.Helper()
		if r.Status != http.StatusOK {
			t.Fatalf("GET /sms: %d %s", r.Status, r.Body)
		}
		if err := json.Unmarshal(r.Body, into); err != nil {
			t.Fatal(err)
		}
	}
	decode(do(t, http.MethodGet, srv.URL()+"/_fakeidp/sms", "", "", nil), &all)
	decode(do(t, http.MethodGet, srv.URL()+"/_fakeidp/sms?phone=79000000001", "", "", nil), &mine)
	if len(all) != 3 || all[0].Phone != "79000000002" {
		t.Errorf("all = %+v, want 3 newest first", all)
	}
	if len(mine) != 2 || !mine[0].SentAt.Equal(fixed.Add(time.Minute)) || !mine[1].SentAt.Equal(fixed) {
		t.Fatalf("mine = %+v, want 2 newest first", mine)
	}
	if !strings.Contains(mine[0].Text, mine[0].Code) || !regexp.MustCompile(`^\d{4}$`).MatchString(mine[0].Code) {
		t.Errorf("sms = %+v", mine[0])
	}

	if r := do(t, http.MethodDelete, srv.URL()+"/_fakeidp/sms", "", "", nil); r.Status != http.StatusNoContent {
		t.Fatalf("DELETE /sms: %d", r.Status)
	}
	r := do(t, http.MethodGet, srv.URL()+"/_fakeidp/sms", "", "", nil)
	if strings.TrimSpace(string(r.Body)) != "[]" || len(srv.Doktornarabote().Outbox("")) != 0 {
		t.Errorf("after DELETE: %s", r.Body)
	}
}

// TestResetForgetsCodesAndTokens: Server.Reset returns to the fixtures.
func TestResetForgetsCodesAndTokens(t *testing.T) {
	srv := start(t)
	requestCode(t, srv, seedCountry, seedNumber)
	r := postToken(t, srv, passwordForm(seedClient, seedUsername, seedCode))
	refresh := r.Object(t)["refresh_token"].(string)
	requestCode(t, srv, "7", "9000000003")
	code := lastCode(t, srv, "79000000003")

	srv.Reset()
	if n := len(srv.Doktornarabote().Outbox("")); n != 0 {
		t.Errorf("outbox has %d SMS after Reset", n)
	}
	r = postToken(t, srv, passwordForm(seedClient, "79000000003", code))
	if r.Status != http.StatusBadRequest {
		t.Errorf("code after Reset: %d %s", r.Status, r.Body)
	}
	r = postToken(t, srv, map[string][]string{"grant_type": {"refresh_token"}, "client_id": {seedClient}, "refresh_token": {refresh}})
	if r.Status != http.StatusBadRequest {
		t.Errorf("refresh after Reset: %d %s", r.Status, r.Body)
	}
	// The throttle is gone too: the seed phone can ask again at once.
	if r := requestCode(t, srv, seedCountry, seedNumber); r.Status != http.StatusOK {
		t.Errorf("validation-code after Reset: %d %s", r.Status, r.Body)
	}
}
