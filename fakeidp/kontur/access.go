package kontur

import (
	"crypto/sha256"
	"math/bits"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp/oauth"
	"github.com/fakeidp/fakeidp/fakeidp/store"
)

// tokenKey is the SHA-256 of an access token. The store keeps digests, not
// token values: nothing in memory can be replayed, and the key holds no
// pointer for the garbage collector to chase.
type tokenKey [32]byte

func keyOf(token string) tokenKey { return sha256.Sum256([]byte(token)) }

// accessRecord is an access token as stored: integers only, so that a
// store of 100,000 live tokens costs the collector nothing to scan.
type accessRecord struct {
	client    uint16 // index in Site.clientList
	user      int32  // index in cfg.Users; -1 for client credentials
	scopes    uint64 // bit i set: cfg.Scopes[i] granted
	issuedAt  int64  // Unix seconds
	expires   int64
	authTime  int64
	keySerial uint32 // the signing key of a JWT access token; 0 if opaque
}

// issuedToken is an access token as the endpoints read it.
type issuedToken struct {
	grant
	IssuedAt time.Time
	Expires  time.Time
}

func (k *Site) saveAccess(value string, t issuedToken, keySerial uint32) {
	user := int32(-1)
	if i, ok := k.subIndex[t.Subject]; ok {
		user = int32(i)
	}
	rec := accessRecord{
		client: uint16(k.clientIndex[t.ClientID]), user: user, scopes: k.scopeMask(t.Scopes),
		issuedAt: t.IssuedAt.Unix(), expires: t.Expires.Unix(), authTime: t.AuthTime.Unix(),
		keySerial: keySerial,
	}
	k.access.Put(keyOf(value), rec, t.Expires.Sub(t.IssuedAt))
}

// lookupAccess finds a live access token. A JWT access token signed by a key
// that has since been dropped from the JWKS is no longer valid either.
// issuer is the base URL the current request reached; a JWT whose iss is
// another is refused, as IdentityServer4's TokenValidator checks a JWT's
// issuer against its own before userinfo or introspection trust it (""
// skips the check: revocation takes any token the client holds).
func (k *Site) lookupAccess(value, issuer string) (issuedToken, bool) {
	t, refused := k.lookupAccessWhy(value, issuer)
	return t, refused == nil
}

// lookupAccessWhy is lookupAccess that says why a token is not live:
// missing, expired (when, and the server's clock), revoked, signed by a
// dropped key, or never issued here.
func (k *Site) lookupAccessWhy(value, issuer string) (issuedToken, *refusal) {
	if value == "" {
		return issuedToken{}, &refusal{Code: refusedMissing, Message: "no access token was sent"}
	}
	rec, state, expires := k.access.GetState(keyOf(value))
	switch {
	case state == store.Expired:
		return issuedToken{}, &refusal{Code: refusedExpired, Message: oauth.Expired("access token", expires, k.env.Clock.Now())}
	case state == store.Absent:
		if how, _ := k.spent.How(value); how == spentRevoked {
			return issuedToken{}, &refusal{Code: refusedRevoked, Message: "the access token was revoked (POST /connect/revocation)"}
		}
		return issuedToken{}, &refusal{Code: refusedUnknown,
			Message: "the access token was never issued by this server, or was dropped by a reset or the store's limit"}
	case rec.keySerial != 0 && !k.env.Keys.PublishedSerial(rec.keySerial):
		return issuedToken{}, &refusal{Code: refusedKeyUnknown, Message: "the access token was signed by a key since dropped from the JWKS (keys rotated without keep_old)"}
	case rec.keySerial != 0 && issuer != "" && jwtIssuer(value) != issuer:
		return issuedToken{}, &refusal{Code: refusedIssuer, Message: "the JWT's issuer " + oauth.Quote(jwtIssuer(value)) +
			" is not " + oauth.Quote(issuer) + ", the issuer of the address this request reached (a token of another sandbox, or got by another host name?)"}
	}
	t := issuedToken{
		grant: grant{
			ClientID: k.clientList[rec.client].ID, Scopes: k.scopeNames(rec.scopes),
			AuthTime: time.Unix(rec.authTime, 0), Issuer: issuer,
		},
		IssuedAt: time.Unix(rec.issuedAt, 0), Expires: time.Unix(rec.expires, 0),
	}
	if rec.user >= 0 {
		t.Subject = k.cfg.Users[rec.user].Subject
	}
	return t, nil
}

func (k *Site) scopeMask(scopes []string) uint64 {
	var m uint64
	for _, s := range scopes {
		if i, ok := k.scopeIndex[s]; ok {
			m |= 1 << i
		}
	}
	return m
}

func (k *Site) scopeNames(m uint64) []string {
	out := make([]string, 0, bits.OnesCount64(m))
	for i, s := range k.cfg.Scopes {
		if m&(1<<i) != 0 {
			out = append(out, s)
		}
	}
	return out
}
