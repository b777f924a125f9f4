package kontur_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// Real clients run against the fake on the wall clock, since they check
// expiry against time.Now themselves.
func startWall(t *testing.T) *fakeidp.Server {
	return fakeidp.StartTest(t, fakeidp.Options{})
}

func TestClientCredentialsWithXOAuth2(t *testing.T) {
	srv := startWall(t)
	for _, style := range []oauth2.AuthStyle{oauth2.AuthStyleInHeader, oauth2.AuthStyleInParams} {
		cfg := clientcredentials.Config{
			ClientID: mediID, ClientSecret: mediSecret,
			TokenURL:  srv.SiteURL("kontur") + "/connect/token",
			Scopes:    []string{"medi_api"},
			AuthStyle: style,
		}
		tok, err := cfg.Token(context.Background())
		if err != nil {
			t.Fatalf("style %v: %v", style, err)
		}
		left := time.Until(tok.Expiry)
		if !hex64.MatchString(tok.AccessToken) || tok.TokenType != "Bearer" || tok.Extra("expires_in") != float64(86400) ||
			left < 86300*time.Second || left > 86400*time.Second {
			t.Errorf("style %v: token %+v", style, tok)
		}
	}
	// x/oauth2 surfaces Kontur's error body as a RetrieveError.
	bad := clientcredentials.Config{ClientID: mediID, ClientSecret: "wrong", TokenURL: srv.SiteURL("kontur") + "/connect/token", Scopes: []string{"medi_api"}}
	_, err := bad.Token(context.Background())
	re, ok := err.(*oauth2.RetrieveError)
	if !ok || re.ErrorCode != "invalid_client" || re.Response.StatusCode != 400 {
		t.Fatalf("want a 400 invalid_client RetrieveError, got %v", err)
	}
}

func TestPasswordWithXOAuth2(t *testing.T) {
	srv := startWall(t)
	cfg := oauth2.Config{
		ClientID: externID, ClientSecret: externSecret,
		Endpoint: oauth2.Endpoint{TokenURL: srv.SiteURL("kontur") + "/connect/token"},
		Scopes:   []string{"extern.api", "offline_access"},
	}
	tok, err := cfg.PasswordCredentialsToken(context.Background(), username, password)
	if err != nil {
		t.Fatal(err)
	}
	if tok.RefreshToken == "" || !hex64.MatchString(tok.AccessToken) {
		t.Fatalf("token %+v", tok)
	}
	// Force a refresh through the TokenSource and check rotation.
	old := tok.RefreshToken
	tok.Expiry = time.Now().Add(-time.Minute)
	fresh, err := cfg.TokenSource(context.Background(), tok).Token()
	if err != nil {
		t.Fatal(err)
	}
	if fresh.RefreshToken == old || fresh.AccessToken == tok.AccessToken {
		t.Fatalf("refresh did not rotate: %+v", fresh)
	}
	_, err = cfg.PasswordCredentialsToken(context.Background(), username, "wrong")
	if re, ok := err.(*oauth2.RetrieveError); !ok || re.ErrorCode != "invalid_grant" || re.ErrorDescription != "invalid_username_or_password" {
		t.Fatalf("wrong password: %v", err)
	}
}

// The code flow with PKCE through x/oauth2 and go-oidc: discovery, the
// login form, the exchange, id_token verification and userinfo
// (checklist 1, 2, 16, 17).
func TestCodeFlowWithGoOIDC(t *testing.T) {
	srv := startWall(t)
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, srv.SiteURL("kontur"))
	if err != nil {
		t.Fatal(err)
	}
	cfg := oauth2.Config{
		ClientID: codeID, ClientSecret: codeSecret, RedirectURL: codeRedirect,
		Endpoint: provider.Endpoint(),
		Scopes:   []string{oidc.ScopeOpenID, "profile", "email", "extern.api"},
	}
	verifier := oauth2.GenerateVerifier()
	authURL, _ := url.Parse(cfg.AuthCodeURL("st4te", oidc.Nonce("n0nce"), oauth2.S256ChallengeOption(verifier)))
	loc := login(t, srv, authURL.Query(), username, password, "login")
	if loc.Query().Get("state") != "st4te" {
		t.Fatalf("state lost: %v", loc)
	}
	tok, err := cfg.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: codeID}).Verify(ctx, rawID)
	if err != nil {
		t.Fatalf("go-oidc refused the id_token: %v", err)
	}
	if idt.Nonce != "n0nce" || idt.Issuer != srv.SiteURL("kontur") {
		t.Errorf("nonce %q issuer %q", idt.Nonce, idt.Issuer)
	}
	if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
		t.Errorf("at_hash: %v", err)
	}
	var raw map[string]any
	if err := idt.Claims(&raw); err != nil {
		t.Fatal(err)
	}
	iat, _ := raw["iat"].(float64)
	exp, _ := raw["exp"].(float64)
	if exp-iat != 300 || raw["idp"] != "local" || raw["sid"] == nil || raw["auth_time"] == nil || raw["nbf"] == nil || raw["aud"] != codeID {
		t.Errorf("id_token claims %v", raw)
	}
	info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil {
		t.Fatal(err)
	}
	if info.Subject != idt.Subject || info.Email != username {
		t.Errorf("userinfo sub %q email %q, id_token sub %q", info.Subject, info.Email, idt.Subject)
	}
}

// The same flow under the real host name: go-oidc accepts the issuer
// derived from the Host header.
func TestDiscoveryUnderRealHostName(t *testing.T) {
	srv := startWall(t)
	transport := &hostRewriter{target: strings.TrimPrefix(srv.URL(), "http://")}
	ctx := oidc.ClientContext(context.Background(), &http.Client{Transport: transport})
	provider, err := oidc.NewProvider(ctx, "http://identity.testkontur.ru")
	if err != nil {
		t.Fatal(err)
	}
	if provider.Endpoint().TokenURL != "http://identity.testkontur.ru/connect/token" {
		t.Errorf("token endpoint %q", provider.Endpoint().TokenURL)
	}
}

// hostRewriter dials the fake for every host, keeping the Host header, as
// a compose network alias or /etc/hosts entry would.
type hostRewriter struct{ target string }

func (h *hostRewriter) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	r.URL.Host = h.target
	return http.DefaultTransport.RoundTrip(r)
}
