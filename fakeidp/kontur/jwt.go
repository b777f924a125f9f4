package kontur

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"maps"
	"slices"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp/config"
)

// idTokenClaims are an id_token's claims in IdentityServer's order.
type idTokenClaims struct {
	NotBefore int64    `json:"nbf"`
	Expires   int64    `json:"exp"`
	Issuer    string   `json:"iss"`
	Audience  string   `json:"aud"`
	Nonce     string   `json:"nonce,omitempty"`
	IssuedAt  int64    `json:"iat"`
	AtHash    string   `json:"at_hash,omitempty"`
	SessionID string   `json:"sid,omitempty"`
	Subject   string   `json:"sub"`
	AuthTime  int64    `json:"auth_time"`
	IDP       string   `json:"idp"`
	AMR       []string `json:"amr"`
}

// accessTokenClaims are a JWT access token's claims (opt-in per client).
type accessTokenClaims struct {
	NotBefore int64    `json:"nbf"`
	Expires   int64    `json:"exp"`
	Issuer    string   `json:"iss"`
	Audience  []string `json:"aud"`
	ClientID  string   `json:"client_id"`
	Subject   string   `json:"sub,omitempty"`
	AuthTime  int64    `json:"auth_time,omitempty"`
	IDP       string   `json:"idp,omitempty"`
	Scope     []string `json:"scope"`
	AMR       []string `json:"amr,omitempty"`
	JTI       string   `json:"jti"`
	IssuedAt  int64    `json:"iat"`
}

func (k *Site) idToken(g grant, accessToken string, now time.Time) (string, error) {
	c := idTokenClaims{
		NotBefore: now.Unix(),
		Expires:   now.Add(k.cfg.IDTokenLifetime.D()).Unix(),
		Issuer:    g.Issuer,
		Audience:  g.ClientID,
		Nonce:     g.Nonce,
		IssuedAt:  now.Unix(),
		AtHash:    atHash(accessToken),
		SessionID: g.SessionID,
		Subject:   g.Subject,
		AuthTime:  g.AuthTime.Unix(),
		IDP:       "local",
		AMR:       []string{"pwd"},
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	if client := k.clients[g.ClientID]; client != nil && client.AlwaysIncludeUserClaimsInIdToken {
		// IdentityServer leaves user claims to userinfo when an access
		// token comes with the id_token, unless the client asks.
		if payload, err = appendClaims(payload, k.userClaims(g.Subject, g.Scopes)); err != nil {
			return "", err
		}
	}
	return k.env.Keys.Signer().Sign(payload)
}

// appendClaims adds extra claims to a marshalled JSON object, in name order
// so that the same grant signs the same bytes.
func appendClaims(object []byte, extra map[string]any) ([]byte, error) {
	if len(extra) == 0 {
		return object, nil
	}
	out := object[:len(object)-1] // drop the closing brace
	for _, name := range slices.Sorted(maps.Keys(extra)) {
		k, err := json.Marshal(name)
		if err != nil {
			return nil, err
		}
		v, err := json.Marshal(extra[name])
		if err != nil {
			return nil, err
		}
		out = append(append(append(append(out, ','), k...), ':'), v...)
	}
	return append(out, '}'), nil
}

// mintAccessToken makes the token value: 64 lowercase hex (a reference
// token, as Kontur issues) or, for clients that opt in, an RS256 JWT.
func (k *Site) mintAccessToken(client *config.KonturClient, at issuedToken) (value string, keySerial uint32, err error) {
	if client.AccessTokenFormat != "jwt" {
		return k.env.Random.Hex(32), 0, nil
	}
	aud := []string{at.Issuer + "/resources"}
	for _, s := range at.Scopes {
		if !isIdentityScope(s) {
			aud = append(aud, s)
		}
	}
	c := accessTokenClaims{
		NotBefore: at.IssuedAt.Unix(),
		Expires:   at.Expires.Unix(),
		Issuer:    at.Issuer,
		Audience:  aud,
		ClientID:  at.ClientID,
		Subject:   at.Subject,
		Scope:     at.Scopes,
		JTI:       k.env.Random.Hex(16),
		IssuedAt:  at.IssuedAt.Unix(),
	}
	if at.Subject != "" {
		c.AuthTime, c.IDP, c.AMR = at.AuthTime.Unix(), "local", []string{"pwd"}
	}
	payload, err := json.Marshal(c)
	if err != nil {
		return "", 0, err
	}
	key := k.env.Keys.Signer()
	value, err = key.Sign(payload)
	return value, key.Serial, err
}

// atHash is the left half of SHA-256 of the access token, base64url
// (OIDC Core §3.1.3.6), as RS256 calls for.
func atHash(accessToken string) string {
	sum := sha256.Sum256([]byte(accessToken))
	return base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
}
