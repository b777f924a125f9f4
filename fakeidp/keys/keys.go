// Package keys holds a server's RS256 signing keys and publishes them as a
// JWKS built with go-jose.
//
// Key ids are RFC 7638 thumbprints, so a key keeps its kid across restarts
// and between servers. Parsed keys are cached per process (parsing and
// checking an RSA key costs far more than starting a server); a Set itself is
// per server, so rotating keys in one server never shows in another.
//
// It must not import any other fakeidp package.
package keys

import (
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/go-jose/go-jose/v4"
)

// Key is one RSA signing key with its kid and a ready signer.
type Key struct {
	ID      string
	Private *rsa.PrivateKey
	// Serial is unique per key in this process, a small number that token
	// records can keep instead of the kid string.
	Serial uint32
	signer jose.Signer
}

var serials atomic.Uint32

var parsed sync.Map // PEM text -> *Key

// Parse reads a PEM private key (PKCS#1 or PKCS#8). Equal PEM text yields the
// same *Key, which is immutable and safe to share.
func Parse(pemText string) (*Key, error) {
	if k, ok := parsed.Load(pemText); ok {
		return k.(*Key), nil
	}
	block, _ := pem.Decode([]byte(pemText))
	if block == nil {
		return nil, errors.New("no PEM block found")
	}
	var priv *rsa.PrivateKey
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		priv = k
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, err
		}
		rk, ok := k.(*rsa.PrivateKey)
		if !ok {
			return nil, fmt.Errorf("PKCS#8 key is %T, want RSA", k)
		}
		priv = rk
	default:
		return nil, fmt.Errorf("PEM block %q is not a private key", block.Type)
	}
	k, err := newKey(priv)
	if err != nil {
		return nil, err
	}
	actual, _ := parsed.LoadOrStore(pemText, k)
	return actual.(*Key), nil
}

// Generate makes a fresh 2048-bit key. It is slow (tens of milliseconds):
// used only when no key is configured, or rotation runs out of spare keys.
func Generate() (*Key, error) {
	priv, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	return newKey(priv)
}

func newKey(priv *rsa.PrivateKey) (*Key, error) {
	if priv.N.BitLen() < 2048 {
		return nil, fmt.Errorf("RSA key has %d bits, want at least 2048", priv.N.BitLen())
	}
	jwk := jose.JSONWebKey{Key: &priv.PublicKey}
	tp, err := jwk.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, err
	}
	kid := base64.RawURLEncoding.EncodeToString(tp)
	signer, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: priv, KeyID: kid}},
		(&jose.SignerOptions{}).WithType("JWT"),
	)
	if err != nil {
		return nil, err
	}
	return &Key{ID: kid, Private: priv, Serial: serials.Add(1), signer: signer}, nil
}

// Sign serialises claims (already JSON) as a compact RS256 JWS with header
// alg, kid and typ "JWT".
func (k *Key) Sign(payload []byte) (string, error) {
	obj, err := k.signer.Sign(payload)
	if err != nil {
		return "", err
	}
	return obj.CompactSerialize()
}

// Set is one server's keys: the ones published in the JWKS, the one that
// signs, and spares for rotation. It is safe for concurrent use.
type Set struct {
	initial []*Key
	spares  []*Key

	mu        sync.RWMutex
	published []*Key // published[0] signs
	nextSpare int
	jwks      []byte
}

// NewSet publishes keys; the first signs. spares are used by Rotate before
// any key is generated.
func NewSet(keys, spares []*Key) (*Set, error) {
	if len(keys) == 0 {
		return nil, errors.New("keys: at least one key is needed")
	}
	s := &Set{initial: keys, spares: spares}
	s.Reset()
	return s, nil
}

// Reset goes back to the keys the set was made with.
func (s *Set) Reset() {
	s.mu.Lock()
	s.published = append([]*Key(nil), s.initial...)
	s.nextSpare = 0
	s.jwks = buildJWKS(s.published)
	s.mu.Unlock()
}

// Signer is the key that signs new tokens.
func (s *Set) Signer() *Key {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.published[0]
}

// Lookup is the published key with kid: the one to verify a token it
// signed with. Nil when no key in the JWKS has that kid.
func (s *Set) Lookup(kid string) *Key {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.lookupLocked(kid)
}

// PublishedSerial reports whether the key with this Serial is in the JWKS.
func (s *Set) PublishedSerial(serial uint32) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, k := range s.published {
		if k.Serial == serial {
			return true
		}
	}
	return false
}

// JWKS is the JSON Web Key Set document, public halves only.
func (s *Set) JWKS() []byte {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.jwks
}

// KeyIDs lists the published kids, the signing one first.
func (s *Set) KeyIDs() []string {
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := make([]string, len(s.published))
	for i, k := range s.published {
		ids[i] = k.ID
	}
	return ids
}

// Rotate makes a new key the signer. With keepOld the previous keys stay in
// the JWKS (tokens they signed still verify); without, they are dropped.
func (s *Set) Rotate(keepOld bool) (*Key, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var k *Key
	for k == nil && s.nextSpare < len(s.spares) {
		if c := s.spares[s.nextSpare]; s.lookupLocked(c.ID) == nil {
			k = c
		}
		s.nextSpare++
	}
	if k == nil {
		g, err := Generate()
		if err != nil {
			return nil, err
		}
		k = g
	}
	if keepOld {
		s.published = append([]*Key{k}, s.published...)
	} else {
		s.published = []*Key{k}
	}
	s.jwks = buildJWKS(s.published)
	return k, nil
}

func (s *Set) lookupLocked(kid string) *Key {
	for _, k := range s.published {
		if k.ID == kid {
			return k
		}
	}
	return nil
}

func buildJWKS(keys []*Key) []byte {
	set := jose.JSONWebKeySet{}
	for _, k := range keys {
		set.Keys = append(set.Keys, jose.JSONWebKey{
			Key:       &k.Private.PublicKey,
			KeyID:     k.ID,
			Algorithm: string(jose.RS256),
			Use:       "sig",
		})
	}
	b, err := json.Marshal(set)
	if err != nil {
		// Marshalling an RSA public key cannot fail; if it did, the JWKS
		// would be unusable and every test would say so at once.
		panic("keys: marshal JWKS: " + err.Error())
	}
	return b
}
