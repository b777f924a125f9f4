package kontur

import (
	"encoding/base64"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/fakeidp/fakeidp/fakeidp/oauth"
	"github.com/fakeidp/fakeidp/fakeidp/stub"
)

// refusal is why an API site or the identity site refuses an access
// token: a stable code for the journal and, for a JWT, the
// error_description ASP.NET Core's JwtBearerHandler (CreateErrorDescription)
// puts in its challenge. An empty description means the handler writes
// none (a token it cannot read, a failure it has no message for).
type refusal struct {
	Code        string
	Description string
	// Message is fakeidp's own explanation, for the journal and the log
	// (site.Refuse); never sent. Empty: Description says it.
	Message string
	// Forbidden: the token authenticates but may not call the API (403).
	Forbidden bool
}

// The refusal codes.
const (
	refusedMissing     = "token_missing"
	refusedRevoked     = "token_revoked"
	refusedKind        = "token_kind"
	refusedMalformed   = "token_malformed"
	refusedUnknown     = "token_unknown"
	refusedKeyUnknown  = "token_key_unknown"
	refusedSignature   = "token_bad_signature"
	refusedExpired     = "token_expired"
	refusedNotYetValid = "token_not_yet_valid"
	refusedAudience    = "token_wrong_audience"
	refusedIssuer      = "token_wrong_issuer"
	refusedClient      = "token_client_unknown"
	refusedScope       = "token_scope"
)

// dotnetTime is how .NET writes a DateTime with the invariant culture
// ("G": MM/dd/yyyy HH:mm:ss), as the handler's messages quote exp and nbf.
const dotnetTime = "01/02/2006 15:04:05"

// checkJWT verifies a JWT access token as ASP.NET's JwtBearer would, in
// Microsoft.IdentityModel's order: an RS256 signature by a key still in
// the JWKS, then the lifetime by the server's clock (with no clock skew,
// so moving the clock past exp is enough; ASP.NET allows 5 minutes by
// default), then the audience IdentityServer gives every access token,
// {issuer}/resources, which an id_token or another provider's token lacks,
// then the issuer. The issuer check is what keeps a token to the instance
// that issued it: sandboxes share the fixture keys with the root, so the
// signature alone would let a sandbox's token into the root; validIssuer
// says which iss this request's instance would have put in it.
func (k *Site) checkJWT(raw string, validIssuer func(iss string) bool) (stub.Token, *refusal) {
	if len(raw) > 16<<10 {
		return stub.Token{}, &refusal{Code: refusedMalformed}
	}
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil || len(jws.Signatures) != 1 {
		return stub.Token{}, &refusal{Code: refusedMalformed}
	}
	key := k.env.Keys.Lookup(jws.Signatures[0].Header.KeyID)
	if key == nil {
		return stub.Token{}, &refusal{Code: refusedKeyUnknown, Description: "The signature key was not found"}
	}
	payload, err := jws.Verify(&key.Private.PublicKey)
	if err != nil {
		return stub.Token{}, &refusal{Code: refusedSignature, Description: "The signature is invalid"}
	}
	var c accessTokenClaims
	if json.Unmarshal(payload, &c) != nil {
		return stub.Token{}, &refusal{Code: refusedMalformed}
	}
	now := k.env.Clock.Now().Unix()
	switch {
	case now >= c.Expires:
		return stub.Token{}, &refusal{Code: refusedExpired, Description: "The token expired at '" + dotnetDate(c.Expires) + "'",
			Message: oauth.Expired("JWT access token", time.Unix(c.Expires, 0), k.env.Clock.Now())}
	case now < c.NotBefore:
		return stub.Token{}, &refusal{Code: refusedNotYetValid, Description: "The token is not valid before '" + dotnetDate(c.NotBefore) + "'"}
	case c.Issuer == "" || !slices.Contains(c.Audience, c.Issuer+"/resources"):
		// Microsoft.IdentityModel names the audiences it got, joined.
		return stub.Token{}, &refusal{Code: refusedAudience, Description: "The audience '" + quotable(strings.Join(c.Audience, ", ")) + "' is invalid"}
	case !validIssuer(c.Issuer):
		return stub.Token{}, &refusal{Code: refusedIssuer, Description: "The issuer '" + quotable(c.Issuer) + "' is invalid",
			Message: "the JWT's issuer " + oauth.Quote(c.Issuer) + " is not this server's (a token of another sandbox or server?)"}
	case k.clients[c.ClientID] == nil:
		return stub.Token{}, &refusal{Code: refusedClient}
	}
	return stub.Token{Subject: c.Subject, ClientID: c.ClientID, Scopes: c.Scope, User: c.Subject != ""}, nil
}

func dotnetDate(unix int64) string { return time.Unix(unix, 0).UTC().Format(dotnetTime) }

// quotable keeps a claim from ending the quoted-string of a challenge
// early. The claims come from a token signed by this server's keys, but a
// public_url or a Host is not the fake's to trust with a header's syntax.
func quotable(s string) string {
	return strings.Map(func(r rune) rune {
		if r == '"' || r == '\\' || r < ' ' || r == 0x7f {
			return '?'
		}
		return r
	}, s)
}

// jwtIssuer is the iss claim of a JWT this server issued (found in its
// token store, so its payload needs no second verification); "" if the
// payload does not decode.
func jwtIssuer(raw string) string {
	parts := strings.SplitN(raw, ".", 3)
	if len(parts) != 3 {
		return ""
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return ""
	}
	var c struct {
		Issuer string `json:"iss"`
	}
	if json.Unmarshal(payload, &c) != nil {
		return ""
	}
	return c.Issuer
}

// message is the refusal's explanation for the journal and the log.
func (ref *refusal) message() string {
	switch {
	case ref.Message != "":
		return ref.Message
	case ref.Description != "":
		return ref.Description
	}
	return refusalMessages[ref.Code]
}

// refusalMessages explain the refusals that carry no message of their own.
var refusalMessages = map[string]string{
	refusedMalformed:  "the bearer token is neither a token this server issued nor a well-formed RS256 JWT",
	refusedClient:     "the JWT names a client_id that is not in the fixtures (kontur.clients)",
	refusedScope:      "the token lacks the API's scope",
	refusedKeyUnknown: "the JWT's signing key (kid) is not in the JWKS",
	refusedSignature:  "the JWT's signature does not verify with the key it names",
}
