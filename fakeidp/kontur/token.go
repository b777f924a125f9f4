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
			return nil, oauth.UnauthorizedClient("")
		}
	case "refresh_token":
		// Any client granted offline_access may refresh; the token itself
		// says whether it was.
	default:
		return nil, oauth.UnsupportedGrantType("")
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
			return nil, oauth.InvalidScope("")
		}
		return all, nil
	}
	var out []string
	for _, s := range strings.Fields(raw) {
		if !slices.Contains(k.cfg.Scopes, s) || !slices.Contains(client.Scopes, s) || !fits(s) {
			return nil, oauth.InvalidScope("")
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
		return nil, oauth.InvalidGrant("")
	}
	scopes, e := k.scopes(req.client, req.form.Get("scope"), func(string) bool { return true })
	if e != nil {
		return nil, e
	}
	user, ok := k.users[username]
	if !ok || subtle.ConstantTimeCompare([]byte(user.Password), []byte(password)) != 1 {
		return nil, oauth.InvalidGrant("invalid_username_or_password")
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
		return nil, oauth.InvalidGrant("")
	}
	// Take removes the code whatever happens next: a code is spent by its
	// first exchange, right or wrong.
	code, ok := k.codes.Take(raw)
	if !ok || code.ClientID != req.client.ID {
		return nil, oauth.InvalidGrant("")
	}
	if e := checkRedirect(code.RedirectURI, req.form.Get("redirect_uri")); e != nil {
		return nil, e
	}
	if !pkceOK(code, req.form.Get("code_verifier")) {
		return nil, oauth.InvalidGrant("")
	}
	return k.respond(req.client, code.grant, true)
}

func (k *Site) refreshGrant(req *tokenRequest) (*tokenResponse, error) {
	raw := req.form.Get("refresh_token")
	if raw == "" {
		// A request without the token is malformed, not a bad grant
		// (INFER: IdentityServer4 TokenRequestValidator).
		return nil, oauth.InvalidRequest("")
	}
	// Refresh tokens rotate: the one presented is spent now.
	rt, ok := k.refresh.Take(raw)
	if !ok || rt.ClientID != req.client.ID {
		return nil, oauth.InvalidGrant("")
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
		return oauth.UnauthorizedClient("")
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
