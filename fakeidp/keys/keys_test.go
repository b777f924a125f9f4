package keys

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/fakeidp/fakeidp/fixtures"
	"go.yaml.in/yaml/v3"
)

func fixtureKeys(t *testing.T) (published, spare *Key) {
	t.Helper()
	var f struct {
		Keys      []struct{ PEM string } `yaml:"keys"`
		SpareKeys []struct{ PEM string } `yaml:"spare_keys"`
	}
	if err := yaml.Unmarshal(fixtures.DefaultYAML, &f); err != nil {
		t.Fatal(err)
	}
	a, err := Parse(f.Keys[0].PEM)
	if err != nil {
		t.Fatal(err)
	}
	b, err := Parse(f.SpareKeys[0].PEM)
	if err != nil {
		t.Fatal(err)
	}
	return a, b
}

// The kid is the RFC 7638 thumbprint: stable, and recomputable from the
// public key alone.
func TestKidIsThumbprint(t *testing.T) {
	k, _ := fixtureKeys(t)
	tp, err := (&jose.JSONWebKey{Key: &k.Private.PublicKey}).Thumbprint(crypto.SHA256)
	if err != nil {
		t.Fatal(err)
	}
	if k.ID != base64.RawURLEncoding.EncodeToString(tp) || len(k.ID) != 43 {
		t.Fatalf("kid %q is not the SHA-256 thumbprint", k.ID)
	}
	again, _ := fixtureKeys(t)
	if again != k {
		t.Fatal("parsing the same PEM twice did not reuse the parsed key")
	}
}

func TestSignVerifies(t *testing.T) {
	k, _ := fixtureKeys(t)
	tok, err := k.Sign([]byte(`{"sub":"x"}`))
	if err != nil {
		t.Fatal(err)
	}
	jws, err := jose.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	h := jws.Signatures[0].Header
	if h.KeyID != k.ID || h.ExtraHeaders["typ"] != "JWT" {
		t.Errorf("header kid %q typ %v", h.KeyID, h.ExtraHeaders["typ"])
	}
	if _, err := jws.Verify(&k.Private.PublicKey); err != nil {
		t.Fatal(err)
	}
}

func TestRotateKeepAndDrop(t *testing.T) {
	a, spare := fixtureKeys(t)
	s, err := NewSet([]*Key{a}, []*Key{spare})
	if err != nil {
		t.Fatal(err)
	}
	k, err := s.Rotate(true)
	if err != nil || k != spare || s.Signer() != spare || s.Lookup(a.ID) == nil || !s.PublishedSerial(a.Serial) {
		t.Fatalf("keep: signer %v, published %v", s.Signer().ID, s.KeyIDs())
	}
	if _, err := s.Rotate(false); err != nil {
		t.Fatal(err)
	}
	if ids := s.KeyIDs(); len(ids) != 1 || s.Lookup(a.ID) != nil || s.Lookup(spare.ID) != nil {
		t.Fatalf("drop: published %v", ids)
	}
	s.Reset()
	if ids := s.KeyIDs(); len(ids) != 1 || ids[0] != a.ID {
		t.Fatalf("reset: published %v", ids)
	}
}

func TestJWKSHasPublicHalvesOnly(t *testing.T) {
	a, _ := fixtureKeys(t)
	s, _ := NewSet([]*Key{a}, nil)
	var set map[string][]map[string]any
	if err := json.Unmarshal(s.JWKS(), &set); err != nil {
		t.Fatal(err)
	}
	for _, k := range set["keys"] {
		for _, private := range []string{"d", "p", "q", "dp", "dq", "qi"} {
			if _, ok := k[private]; ok {
				t.Fatalf("JWKS leaks %q", private)
			}
		}
		if k["kid"] != a.ID || k["use"] != "sig" || k["alg"] != "RS256" {
			t.Errorf("key %v", k)
		}
	}
}

func TestParseRefusesJunk(t *testing.T) {
	for _, pemText := range []string{"", "not a key", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"} {
		if _, err := Parse(pemText); err == nil || strings.Contains(err.Error(), "panic") {
			t.Errorf("Parse(%.20q) = %v, want an error", pemText, err)
		}
	}
}
