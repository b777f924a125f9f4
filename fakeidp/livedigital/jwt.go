package livedigital

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"hash"
	"strings"
	"sync"
	"time"
)

// Token kinds and audiences, in the provider's words (decoded samples of
// the seed document).
const (
	typeAccess  = "accessToken"
	typeRefresh = "refreshToken"
	audClient   = "client"
	audUser     = "user"
)

// claims are a livedigital JWT's claims, exactly these, in the provider's
// order. Sgn is set on user tokens only; there is no iss.
type claims struct {
	Sub  string `json:"sub"`
	Aud  string `json:"aud"`
	Type string `json:"type"`
	CID  string `json:"cId"`
	JTI  string `json:"jti"`
	Sgn  string `json:"sgn,omitempty"`
	Iat  int64  `json:"iat"`
	Exp  int64  `json:"exp"`
}

// jwtHeader is the provider's header, byte for byte:
// base64url(`{"alg":"HS256","typ":"JWT"}`).
const jwtHeader = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9"

// maxTokenLen bounds the work a hostile bearer token can cause.
const maxTokenLen = 4096

// Reasons a token is refused; callers turn them into the right response.
var (
	errMalformed = errors.New("malformed token")
	errAlg       = errors.New("token algorithm is not HS256")
	errSignature = errors.New("invalid token signature")
	errExpired   = errors.New("token expired")
)

// signer is HS256 by hand: two signatures per client token must cost
// microseconds, and a verifier that accepts exactly one algorithm has no
// "alg" to be tricked by.
type signer struct {
	macs sync.Pool // of hash.Hash keyed with the secret
}

func newSigner(secret string) *signer {
	key := []byte(secret)
	return &signer{macs: sync.Pool{New: func() any { return hmac.New(sha256.New, key) }}}
}

func (s *signer) mac(signingInput string) []byte {
	m := s.macs.Get().(hash.Hash)
	m.Reset()
	m.Write([]byte(signingInput))
	sum := m.Sum(make([]byte, 0, sha256.Size))
	s.macs.Put(m)
	return sum
}

// sign returns the compact JWT of c.
func (s *signer) sign(c *claims) (string, error) {
	payload, err := json.Marshal(c)
	if err != nil {
		return "", err
	}
	enc := base64.RawURLEncoding
	var b strings.Builder
	b.Grow(len(jwtHeader) + 1 + enc.EncodedLen(len(payload)) + 1 + enc.EncodedLen(sha256.Size))
	b.WriteString(jwtHeader)
	b.WriteByte('.')
	b.WriteString(enc.EncodeToString(payload))
	sig := s.mac(b.String())
	b.WriteByte('.')
	b.WriteString(enc.EncodeToString(sig))
	return b.String(), nil
}

// verify checks a token's header, signature and expiry at now and returns
// its claims. The signature is checked before the payload is parsed, so
// nothing an attacker wrote is interpreted unless the secret signed it.
func (s *signer) verify(token string, now time.Time) (*claims, error) {
	if len(token) > maxTokenLen {
		return nil, errMalformed
	}
	head, rest, ok1 := strings.Cut(token, ".")
	payload, sig, ok2 := strings.Cut(rest, ".")
	if !ok1 || !ok2 || strings.Contains(sig, ".") {
		return nil, errMalformed
	}
	if err := checkHeader(head); err != nil {
		return nil, err
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil {
		return nil, errMalformed
	}
	if !hmac.Equal(got, s.mac(token[:len(head)+1+len(payload)])) {
		return nil, errSignature
	}
	raw, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil {
		return nil, errMalformed
	}
	var c claims
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, errMalformed
	}
	// jsonwebtoken (Node) treats exp as "not at or after": a token is dead
	// from its exp second on.
	if now.Unix() >= c.Exp {
		// The claims come along, so that a refusal can say when.
		return &c, errExpired
	}
	return &c, nil
}

// checkHeader accepts HS256 only. "none", RS256 (the key-confusion attack)
// and anything else are refused before any key is used.
func checkHeader(head string) error {
	if head == jwtHeader {
		return nil
	}
	raw, err := base64.RawURLEncoding.DecodeString(head)
	if err != nil {
		return errMalformed
	}
	var h struct {
		Alg string `json:"alg"`
		Typ string `json:"typ"`
	}
	if err := json.Unmarshal(raw, &h); err != nil {
		return errMalformed
	}
	if h.Alg != "HS256" {
		return errAlg
	}
	if h.Typ != "" && h.Typ != "JWT" {
		return errMalformed
	}
	return nil
}

// signature derives a user's sgn claim: 10 hex digits that change whenever
// the password does, so that user tokens issued before a password change
// stop working. It is keyed with the HS256 secret so it reveals nothing
// about the password.
func (s *signer) signature(userOID, password string) string {
	return hex.EncodeToString(s.mac("sgn\x00" + userOID + "\x00" + password))[:10]
}
