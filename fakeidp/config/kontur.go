package config

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
)

// Kontur is the Kontur identity site (IdentityServer-style OpenID Connect).
type Kontur struct {
	Clients      []KonturClient      `yaml:"clients" merge:"id"`
	Users        []KonturUser        `yaml:"users" merge:"username"`
	APIResources []KonturAPIResource `yaml:"api_resources" merge:"name"`
	// Scopes are the identity and API scopes the server knows.
	Scopes []string `yaml:"scopes"`
	// CodeLifetime is how long an authorization code lives (300 s).
	CodeLifetime Duration `yaml:"code_lifetime"`
	// IDTokenLifetime is exp − iat of an id_token (300 s).
	IDTokenLifetime Duration `yaml:"id_token_lifetime"`
	// RefreshTokenLifetime is how long a refresh token lives (30 days).
	RefreshTokenLifetime Duration `yaml:"refresh_token_lifetime"`
	// AutoLogin, when set to a username, makes /connect/authorize log that
	// user in without showing the login form: for CI that drives a real
	// browser or client through the redirect flow.
	AutoLogin string `yaml:"auto_login"`
	// LoginPage is how the login form looks.
	LoginPage KonturLoginPage `yaml:"login_page"`
}

// KonturLoginPage is the login form's look. The real page has none of
// this; it makes the fake's page quicker to use by hand.
type KonturLoginPage struct {
	// ShowTestUsers lists the fixture users on the login page, each a
	// one-click sign-in (true unless set to false).
	ShowTestUsers *bool `yaml:"show_test_users"`
}

// TestUsersShown reports whether the login page lists the fixture users.
func (p KonturLoginPage) TestUsersShown() bool { return p.ShowTestUsers == nil || *p.ShowTestUsers }

// KonturClient is a registered OAuth client.
type KonturClient struct {
	ID     string `yaml:"id"`
	Secret string `yaml:"secret"`
	// GrantTypes allowed: client_credentials, password, authorization_code
	// (refresh_token follows from offline_access).
	GrantTypes   []string `yaml:"grant_types"`
	Scopes       []string `yaml:"scopes"`
	RedirectURIs []string `yaml:"redirect_uris"`
	// AllowAnyLoopbackPort lets a native app come back to a registered
	// loopback redirect URI (http://127.0.0.1/… or http://[::1]/…) on any
	// port, as RFC 8252 §7.3 describes. Off: redirect URIs match exactly.
	AllowAnyLoopbackPort bool `yaml:"allow_any_loopback_port"`
	// PostLogoutRedirectURIs may be named by /connect/endsession.
	PostLogoutRedirectURIs []string `yaml:"post_logout_redirect_uris"`
	// AccessTokenLifetime is expires_in (86400 s unless set).
	AccessTokenLifetime Duration `yaml:"access_token_lifetime"`
	// AccessTokenFormat is "opaque" (64 lowercase hex, the default) or
	// "jwt" (RS256, signed with the site's key).
	AccessTokenFormat string `yaml:"access_token_format"`
	// RequirePKCE refuses authorization requests without code_challenge.
	RequirePKCE bool `yaml:"require_pkce"`
	// AlwaysIncludeUserClaimsInIdToken puts the user's claims that the
	// scopes release into the id_token too, not only into userinfo
	// (IdentityServer's client setting of that name; off by default there).
	AlwaysIncludeUserClaimsInIdToken bool `yaml:"always_include_user_claims_in_id_token"`
}

// KonturUser is an account that can log in by password or the login form.
type KonturUser struct {
	Username string `yaml:"username"`
	Password string `yaml:"password"`
	// Subject is the stable sub claim.
	Subject string `yaml:"subject"`
	// Claims are returned by userinfo (given_name, family_name, email…),
	// and in id_tokens for clients that ask. A claim takes any JSON type:
	// email_verified: true is a boolean, roles: [a, b] an array.
	Claims map[string]any `yaml:"claims"`
}

// KonturAPIResource may call /connect/introspect with HTTP Basic.
type KonturAPIResource struct {
	Name   string   `yaml:"name"`
	Secret string   `yaml:"secret"`
	Scopes []string `yaml:"scopes"`
}

var konturGrants = []string{"client_credentials", "password", "authorization_code"}

var scopeRe = regexp.MustCompile(`^[\x21\x23-\x5B\x5D-\x7E]+$`)

func (k *Kontur) defaults() {
	if k.CodeLifetime == 0 {
		k.CodeLifetime = Duration(300e9)
	}
	if k.IDTokenLifetime == 0 {
		k.IDTokenLifetime = Duration(300e9)
	}
	if k.RefreshTokenLifetime == 0 {
		k.RefreshTokenLifetime = Duration(30 * 24 * 3600e9)
	}
	if len(k.Scopes) == 0 {
		k.Scopes = []string{"openid", "profile", "email", "offline_access"}
	}
	for i := range k.Clients {
		c := &k.Clients[i]
		if c.AccessTokenLifetime == 0 {
			c.AccessTokenLifetime = Duration(86400e9)
		}
		if c.AccessTokenFormat == "" {
			c.AccessTokenFormat = "opaque"
		}
	}
}

func (k *Kontur) validate(p *Problems) {
	// Token records keep granted scopes as a 64-bit mask.
	if len(k.Scopes) > 64 {
		p.Addf("kontur.scopes", "at most 64 scopes, got %d", len(k.Scopes))
	}
	if len(k.Clients) > 65535 {
		p.Addf("kontur.clients", "at most 65535 clients, got %d", len(k.Clients))
	}
	for i, s := range k.Scopes {
		if !scopeRe.MatchString(s) {
			p.Addf(fmt.Sprintf("kontur.scopes[%d]", i), "%q is not a valid scope token", s)
		}
	}
	ids := map[string]bool{}
	for i := range k.Clients {
		k.validateClient(p, fmt.Sprintf("kontur.clients[%d]", i), &k.Clients[i], ids)
	}
	users := map[string]bool{}
	for i, u := range k.Users {
		f := fmt.Sprintf("kontur.users[%d]", i)
		unique(p, f+".username", "user", u.Username, users)
		nonEmpty(p, f+".password", u.Password)
		nonEmpty(p, f+".subject", u.Subject)
		validateClaims(p, f+".claims", u.Claims)
	}
	for i, r := range k.APIResources {
		f := fmt.Sprintf("kontur.api_resources[%d]", i)
		nonEmpty(p, f+".name", r.Name)
		nonEmpty(p, f+".secret", r.Secret)
	}
	if k.AutoLogin != "" && !users[k.AutoLogin] {
		p.Addf("kontur.auto_login", "no user %q", k.AutoLogin)
	}
}

// validateClient checks one client; f is its field path.
func (k *Kontur) validateClient(p *Problems, f string, c *KonturClient, ids map[string]bool) {
	unique(p, f+".id", "client", c.ID, ids)
	nonEmpty(p, f+".secret", c.Secret)
	if len(c.GrantTypes) == 0 {
		p.Addf(f+".grant_types", "is empty")
	}
	for j, g := range c.GrantTypes {
		if !slices.Contains(konturGrants, g) {
			p.Addf(fmt.Sprintf("%s.grant_types[%d]", f, j), "unknown grant %q; known: %v", g, konturGrants)
		}
	}
	for j, s := range c.Scopes {
		if !slices.Contains(k.Scopes, s) {
			p.Addf(fmt.Sprintf("%s.scopes[%d]", f, j), "scope %q is not in kontur.scopes", s)
		}
	}
	if slices.Contains(c.GrantTypes, "authorization_code") && len(c.RedirectURIs) == 0 {
		p.Addf(f+".redirect_uris", "a client with authorization_code needs at least one")
	}
	for _, list := range []struct {
		field string
		uris  []string
	}{{"redirect_uris", c.RedirectURIs}, {"post_logout_redirect_uris", c.PostLogoutRedirectURIs}} {
		for j, u := range list.uris {
			if pu, err := url.Parse(u); err != nil || !pu.IsAbs() || pu.Fragment != "" {
				p.Addf(fmt.Sprintf("%s.%s[%d]", f, list.field, j), "%q must be an absolute URI without fragment", u)
			}
		}
	}
	if c.AccessTokenFormat != "opaque" && c.AccessTokenFormat != "jwt" {
		p.Addf(f+".access_token_format", "must be opaque or jwt, got %q", c.AccessTokenFormat)
	}
	if c.AccessTokenLifetime < 0 {
		p.Addf(f+".access_token_lifetime", "must be positive")
	}
}

// protocolClaims are set by the server on every token; a user claim may not
// shadow them.
var protocolClaims = []string{"iss", "sub", "aud", "exp", "iat", "nbf", "nonce", "at_hash", "c_hash",
	"sid", "auth_time", "idp", "amr", "acr", "azp", "jti", "client_id", "scope"}

// booleanClaims are booleans in OpenID Connect Core §5.1; the string "true"
// would be a different claim to a strict client.
var booleanClaims = []string{"email_verified", "phone_number_verified"}

// validateClaims checks that each claim can be sent as JSON and does not
// pretend to be a protocol claim.
func validateClaims(p *Problems, f string, claims map[string]any) {
	for _, name := range slices.Sorted(maps.Keys(claims)) {
		v := claims[name]
		switch _, isBool := v.(bool); {
		case slices.Contains(protocolClaims, name):
			p.Addf(f+"."+name, "is set by the server; a user claim may not replace it")
		case slices.Contains(booleanClaims, name) && !isBool:
			p.Addf(f+"."+name, "must be a boolean (true or false, unquoted), got %#v", v)
		default:
			if _, err := json.Marshal(v); err != nil {
				p.Addf(f+"."+name, "cannot be sent as JSON (maps need string keys; no .inf or .nan): %v", err)
			}
		}
	}
}
