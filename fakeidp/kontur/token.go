package kontur

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/oauth"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

func siteBase(r *http.Request) string { return site.BaseURL(r) }

// tokenResponse is a successful token response, keys in Kontur's order.
// ExpiresIn is whole seconds, never a time.Duration.
type tokenResponse struct {
	IDToken      string `json:"id_token,omitempty"`
	AccessToken  string `json:"access_token"`
	ExpiresIn    int64  `json:"expires_in"`
	TokenType    string `json:"token_type"`
	RefreshToken string `json:"refresh_token,omitempty"`
}

// tokenRequest is the token endpoint's form, read once.
type tokenRequest struct {
	form   url.Values
	client *config.KonturClient
	r      *http.Request
}

func (k *Site) tokenEndpoint(w http.ResponseWriter, r *http.Request) {
	resp, err := k.issueToken(r)
	if err != nil {
		site.RefuseError(r, err)
		k.token.WriteError(w, r, err)
		return
	}
	k.token.WriteJSON(w, r, http.StatusOK, resp)
}

// issueToken is the one pipeline every grant goes through: parse, then
// authenticate the client, then check the grant is allowed, then dispatch.
// No grant can skip client authentication.
func (k *Site) issueToken(r *http.Request) (*tokenResponse, error) {
	form, e := oauth.ParseForm(r, k.env.Config.Server.MaxBodyBytes)
	if e != nil {
		return nil, e
	}
	creds, e := oauth.ClientCredentials(r, form)
	if e != nil {
		return nil, e
	}
	client, e := k.authenticate(creds)
	if e != nil {
		return nil, e
	}
	req := &tokenRequest{form: form, client: client, r: r}
	grantType := form.Get("grant_type")
	switch grantType {
	case "client_credentials", "password", "authorization_code":
		if !slices.Contains(client.GrantTypes, grantType) {
			return nil, oauth.UnauthorizedClient("").Because("grant_type_not_allowed",
				"client "+oauth.Quote(client.ID)+" may not use grant_type "+grantType+"; its grant_types are "+strings.Join(client.GrantTypes, ", "))
		}
	case "refresh_token":
		// Any client granted offline_access may refresh; the token itself
		// says whether it was.
	default:
		return nil, oauth.UnsupportedGrantType("").Because("unsupported_grant_type",
			"grant_type "+oauth.Quote(grantType)+" is not one of client_credentials, password, authorization_code, refresh_token")
	}
	switch grantType {
	case "client_credentials":
		return k.clientCredentials(req)
	case "password":
		return k.password(req)
	case "authorization_code":
		return k.authorizationCode(req)
	default:
		return k.refreshGrant(req)
	}
}

// scopes parses the scope parameter and checks each scope is known and
// allowed for the client. An empty parameter means every allowed scope
// that fits the grant.
func (k *Site) scopes(client *config.KonturClient, raw string, fits func(string) bool) ([]string, *oauth.Error) {
	if strings.TrimSpace(raw) == "" {
		var all []string
		for _, s := range client.Scopes {
			if fits(s) {
				all = append(all, s)
			}
		}
		if len(all) == 0 {
			return nil, oauth.InvalidScope("").Because("scope_not_allowed",
				"no scope was asked for, and client "+oauth.Quote(client.ID)+" has none this grant may carry")
		}
		return all, nil
	}
	var out []string
	for _, s := range strings.Fields(raw) {
		if !slices.Contains(k.cfg.Scopes, s) || !slices.Contains(client.Scopes, s) || !fits(s) {
			return nil, oauth.InvalidScope("").Because("scope_not_allowed", scopeRefusal(k.cfg.Scopes, client, s, fits(s)))
		}
		if !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	return out, nil
}

func (k *Site) clientCredentials(req *tokenRequest) (*tokenResponse, error) {
	// Identity scopes (openid, offline_access…) need a user; asking for
	// them without one is invalid_scope, as IdentityServer answers.
	scopes, e := k.scopes(req.client, req.form.Get("scope"), func(s string) bool { return !isIdentityScope(s) })
	if e != nil {
		return nil, e
	}
	g := grant{ClientID: req.client.ID, Scopes: scopes, Issuer: siteBase(req.r)}
	return k.respond(req.client, g, false)
}

func (k *Site) password(req *tokenRequest) (*tokenResponse, error) {
	username, password := req.form.Get("username"), req.form.Get("password")
	if username == "" || password == "" {
		return nil, oauth.InvalidGrant("").Because("user_credentials", "the password grant needs both username and password")
	}
	scopes, e := k.scopes(req.client, req.form.Get("scope"), func(string) bool { return true })
	if e != nil {
		return nil, e
	}
	user, ok := k.users[username]
	if !ok || subtle.ConstantTimeCompare([]byte(user.Password), []byte(password)) != 1 {
		return nil, oauth.InvalidGrant("invalid_username_or_password").Because("user_credentials", userRefusal(username, ok))
	}
	g := grant{
		ClientID: req.client.ID, Subject: user.Subject, Scopes: scopes,
		AuthTime: k.env.Clock.Now(), SessionID: k.env.Random.Hex(16), Issuer: siteBase(req.r),
	}
	// The resource owner password grant issues no id_token on
	// IdentityServer, even with openid in scope.
	return k.respond(req.client, g, false)
}

func (k *Site) authorizationCode(req *tokenRequest) (*tokenResponse, error) {
	raw := req.form.Get("code")
	if raw == "" {
		return nil, oauth.InvalidGrant("").Because("code_missing", "the authorization_code grant needs a code")
	}
	// Take removes the code whatever happens next: a code is spent by its
	// first exchange, right or wrong.
	code, e := takeOnce(k, k.codes, raw, codeWords)
	if e != nil {
		return nil, e
	}
	if code.ClientID != req.client.ID {
		return nil, oauth.InvalidGrant("").Because("code_client_mismatch",
			"the code was issued to client "+oauth.Quote(code.ClientID)+", not to "+oauth.Quote(req.client.ID))
	}
	if e := checkRedirect(code.RedirectURI, req.form.Get("redirect_uri")); e != nil {
		return nil, e
	}
	if !pkceOK(code, req.form.Get("code_verifier")) {
		return nil, oauth.InvalidGrant("").Because("pkce_mismatch", pkceRefusal(code, req.form.Get("code_verifier")))
	}
	return k.respond(req.client, code.grant, true)
}

func (k *Site) refreshGrant(req *tokenRequest) (*tokenResponse, error) {
	raw := req.form.Get("refresh_token")
	if raw == "" {
		// A request without the token is malformed, not a bad grant
		// (INFER: IdentityServer4 TokenRequestValidator).
		return nil, oauth.InvalidRequest("").Because("refresh_token_missing", "the refresh_token grant needs a refresh_token")
	}
	// Refresh tokens rotate: the one presented is spent now.
	rt, e := takeOnce(k, k.refresh, raw, refreshWords)
	if e != nil {
		return nil, e
	}
	if rt.ClientID != req.client.ID {
		return nil, oauth.InvalidGrant("").Because("refresh_token_client_mismatch",
			"the refresh token was issued to client "+oauth.Quote(rt.ClientID)+", not to "+oauth.Quote(req.client.ID))
	}
	g := rt.grant
	g.Issuer = siteBase(req.r)
	g.Nonce = "" // a refreshed id_token carries no nonce (OIDC Core §12.2)
	return k.respond(req.client, g, true)
}

// respond issues the access token, and the id_token and refresh token the
// grant's scopes call for.
func (k *Site) respond(client *config.KonturClient, g grant, withIDToken bool) (*tokenResponse, error) {
	now := k.env.Clock.Now().Truncate(time.Second)
	life := client.AccessTokenLifetime
	at := issuedToken{grant: g, IssuedAt: now, Expires: now.Add(life.D())}
	value, keySerial, err := k.mintAccessToken(client, at)
	if err != nil {
		return nil, oauth.ServerError(err)
	}
	k.saveAccess(value, at, keySerial)
	resp := &tokenResponse{AccessToken: value, ExpiresIn: life.Seconds(), TokenType: "Bearer"}
	if withIDToken && slices.Contains(g.Scopes, "openid") && g.Subject != "" {
		idt, err := k.idToken(g, value, now)
		if err != nil {
			return nil, oauth.ServerError(err)
		}
		resp.IDToken = idt
	}
	if slices.Contains(g.Scopes, "offline_access") && g.Subject != "" {
		// IdentityServer's refresh handles are 64 upper-case hex digits.
		resp.RefreshToken = strings.ToUpper(k.env.Random.Hex(32))
		k.refresh.Put(resp.RefreshToken, refreshToken{grant: g}, k.cfg.RefreshTokenLifetime.D())
	}
	return resp, nil
}

// checkRedirect compares the token request's redirect_uri with the one the
// code was issued for, as IdentityServer4 does: ordinally, with no
// normalisation ("http://www.example.com" is not "http://www.example.com/").
// INFER (IdentityServer4 2.x TokenRequestValidator): a missing one and a
// different one are both unauthorized_client; IdentityServer4 4.x answers
// invalid_grant to the second, should Kontur upgrade.
func checkRedirect(issued, presented string) *oauth.Error {
	if presented == "" || presented != issued {
		return oauth.UnauthorizedClient("").Because("redirect_uri_mismatch",
			"the redirect_uri sent, "+oauth.Quote(presented)+", is not the one the code was issued for, "+oauth.Quote(issued)+" (compared exactly)")
	}
	return nil
}

// pkceOK checks the verifier against the challenge (RFC 7636 §4.6).
//
// A code issued without a challenge takes no verifier either: otherwise an
// attacker who injects a code obtained without PKCE into a client that
// uses PKCE gets it redeemed, whatever verifier the client sends (the PKCE
// downgrade of RFC 9700 §2.1.1). IdentityServer4 4.x's
// TokenRequestValidator answers invalid_grant there ("Unexpected
// code_verifier"); an empty or blank one counts as absent, as its
// IsPresent does.
func pkceOK(code authCode, verifier string) bool {
	if code.Challenge == "" {
		return strings.TrimSpace(verifier) == ""
	}
	if !validVerifier(verifier) {
		return false
	}
	want := verifier
	if code.ChallengeMode == "S256" {
		sum := sha256.Sum256([]byte(verifier))
		want = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	return subtle.ConstantTimeCompare([]byte(want), []byte(code.Challenge)) == 1
}

// validVerifier: 43 to 128 unreserved characters (RFC 7636 §4.1).
func validVerifier(v string) bool {
	if len(v) < 43 || len(v) > 128 {
		return false
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '.' || c == '_' || c == '~') {
			return false
		}
	}
	return true
}

// scopeRefusal names the scope refused and why.
func scopeRefusal(known []string, client *config.KonturClient, scope string, fits bool) string {
	switch {
	case !slices.Contains(known, scope):
		return "scope " + oauth.Quote(scope) + " is not a scope of this server (kontur.scopes)"
	case !slices.Contains(client.Scopes, scope):
		return "client " + oauth.Quote(client.ID) + " may not request scope " + oauth.Quote(scope) + "; its scopes are " + strings.Join(client.Scopes, " ")
	}
	return "scope " + oauth.Quote(scope) + " needs a user: the client_credentials grant may not carry it"
}

// pkceRefusal says how the code_verifier failed the code's challenge.
func pkceRefusal(code authCode, verifier string) string {
	switch {
	case code.Challenge == "":
		return "a code_verifier was sent for a code issued without a code_challenge (a PKCE downgrade)"
	case strings.TrimSpace(verifier) == "":
		return "the code was issued with a code_challenge (" + code.ChallengeMode + "), but no code_verifier was sent"
	case !validVerifier(verifier):
		return "the code_verifier is not 43 to 128 unreserved characters (RFC 7636 §4.1)"
	}
	return "the code_verifier does not match the code's " + code.ChallengeMode + " code_challenge"
}
