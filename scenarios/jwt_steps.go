package scenarios

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cucumber/godog"
	"github.com/go-jose/go-jose/v4"
)

// registerJWT adds the steps that decode and verify JWTs.
func (s *Steps) registerJWT(sc *godog.ScenarioContext) {
	sc.Step(`^the JWT in "([^"]*)" has the header:$`, s.jwtHeader)
	sc.Step(`^the JWT in "([^"]*)" has the claims:$`, s.jwtClaims)
	sc.Step(`^the JWT in "([^"]*)" has no claim "([^"]*)"$`, s.jwtNoClaim)
	sc.Step(`^the JWT in "([^"]*)" lives (\d+) seconds$`, s.jwtLives)
	sc.Step(`^in the JWT in "([^"]*)" the claim "([^"]*)" (equals|differs from) the claim "([^"]*)"$`, s.jwtCompare)
	sc.Step(`^the JWT in "([^"]*)" is signed with the livedigital HS256 secret$`, s.jwtHS256)
	sc.Step(`^the id_token is signed with RS256 by a key in the Kontur JWKS$`, s.idTokenRS256)
	sc.Step(`^the id_token's at_hash matches the access_token$`, s.atHash)
	sc.Step(`^the id_token passes go-oidc verification with nonce "([^"]*)"$`, s.idTokenGoOIDC)
}

// jwtPart is a decoded JWT: header and claims, numbers as json.Number.
type jwtPart struct {
	raw            string
	header, claims map[string]any
}

// token finds a JWT by field: in the last JSON answer, else the latest
// token of that name the scenario has seen.
func (s *Steps) token(field string) (string, error) {
	if s.last != nil && s.last.err == nil {
		if doc, err := s.last.jsonBody(); err == nil {
			if v, ok := lookup(doc.value, field); ok {
				if str, ok := v.(string); ok {
					return str, nil
				}
			}
		}
	}
	if t := s.tokens[field]; t != "" {
		return t, nil
	}
	return "", fmt.Errorf("expected a %s, but no answer carried one (last answer: %s)", field, s.last.summary())
}

func (s *Steps) decodeJWT(field string) (*jwtPart, error) {
	raw, err := s.token(field)
	if err != nil {
		return nil, err
	}
	parts := strings.Split(raw, ".")
	if len(parts) != 3 {
		return nil, fmt.Errorf("expected %s to be a JWT (three dot-separated parts), it has %d", field, len(parts))
	}
	j := &jwtPart{raw: raw}
	for i, dst := range []*map[string]any{&j.header, &j.claims} {
		b, err := base64.RawURLEncoding.DecodeString(parts[i])
		if err != nil {
			return nil, fmt.Errorf("%s: part %d is not base64url: %v", field, i+1, err)
		}
		doc, err := parseJSON(b)
		if err != nil {
			return nil, fmt.Errorf("%s: part %d is not JSON: %v", field, i+1, err)
		}
		obj, ok := doc.value.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s: part %d is not a JSON object", field, i+1)
		}
		*dst = obj
	}
	return j, nil
}

func (s *Steps) jwtHeader(field string, t *godog.Table) error {
	j, err := s.decodeJWT(field)
	if err != nil {
		return err
	}
	return s.checkFields(j.header, t)
}

func (s *Steps) jwtClaims(field string, t *godog.Table) error {
	j, err := s.decodeJWT(field)
	if err != nil {
		return err
	}
	return s.checkFields(j.claims, t)
}

func (s *Steps) jwtNoClaim(field, claim string) error {
	j, err := s.decodeJWT(field)
	if err != nil {
		return err
	}
	if v, ok := j.claims[claim]; ok {
		return fmt.Errorf("expected %s to have no %q claim, got %s", field, claim, text(v))
	}
	return nil
}

func (s *Steps) jwtLives(field string, seconds int64) error {
	j, err := s.decodeJWT(field)
	if err != nil {
		return err
	}
	iat, err1 := claimInt(j.claims, "iat")
	exp, err2 := claimInt(j.claims, "exp")
	if err := errors.Join(err1, err2); err != nil {
		return fmt.Errorf("%s: %w", field, err)
	}
	if exp-iat != seconds {
		return fmt.Errorf("expected %s to live %d s (exp − iat), it lives %d s", field, seconds, exp-iat)
	}
	return nil
}

func claimInt(claims map[string]any, name string) (int64, error) {
	n, ok := claims[name].(json.Number)
	if !ok {
		return 0, fmt.Errorf("claim %s is %s, want an integer", name, jsonType(claims[name]))
	}
	return n.Int64()
}

func (s *Steps) jwtCompare(field, a, how, b string) error {
	j, err := s.decodeJWT(field)
	if err != nil {
		return err
	}
	va, vb := text(j.claims[a]), text(j.claims[b])
	if (va == vb) != (how == "equals") {
		return fmt.Errorf("expected %s: claim %s (%s) %s claim %s (%s)", field, a, va, how, b, vb)
	}
	return nil
}

// verify checks a compact JWS with key and the one algorithm allowed.
func verify(raw string, alg jose.SignatureAlgorithm, key any) error {
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{alg})
	if err != nil {
		return fmt.Errorf("not a %s JWS: %v", alg, err)
	}
	if _, err := jws.Verify(key); err != nil {
		return fmt.Errorf("the %s signature does not verify: %v", alg, err)
	}
	return nil
}

func (s *Steps) jwtHS256(field string) error {
	j, err := s.decodeJWT(field)
	if err != nil {
		return err
	}
	if j.header["alg"] != "HS256" {
		return fmt.Errorf("expected %s to be signed with HS256, its alg is %s", field, text(j.header["alg"]))
	}
	secret, ok := s.target.hs256Secret()
	if !ok {
		return nil // only the fake's own fixtures know the secret
	}
	return verify(j.raw, jose.HS256, []byte(secret))
}

// jwks fetches the Kontur signing keys.
func (s *Steps) jwks(ctx context.Context) (*jose.JSONWebKeySet, error) {
	base, err := s.target.siteURL("kontur")
	if err != nil {
		return nil, err
	}
	ex := s.send(ctx, http.MethodGet, base+jwksPath, "", "", nil)
	if err := ex.want(http.StatusOK); err != nil {
		return nil, err
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(ex.body, &set); err != nil {
		return nil, fmt.Errorf("expected a JWKS from %s, got %s: %v", ex.url, ex.summary(), err)
	}
	return &set, nil
}

func (s *Steps) idTokenRS256(ctx context.Context) error {
	j, err := s.decodeJWT("id_token")
	if err != nil {
		return err
	}
	set, err := s.jwks(ctx)
	if err != nil {
		return err
	}
	kid, _ := j.header["kid"].(string)
	keys := set.Key(kid)
	if len(keys) == 0 {
		return fmt.Errorf("the id_token's kid %q is not in the JWKS (%d keys)", kid, len(set.Keys))
	}
	return verify(j.raw, jose.RS256, keys[0].Key)
}

// atHash: the left half of SHA-256 of the access token, base64url (OIDC
// Core §3.1.3.6).
func (s *Steps) atHash() error {
	j, err := s.decodeJWT("id_token")
	if err != nil {
		return err
	}
	access, err := s.token("access_token")
	if err != nil {
		return err
	}
	sum := sha256.Sum256([]byte(access))
	want := base64.RawURLEncoding.EncodeToString(sum[:len(sum)/2])
	if got := text(j.claims["at_hash"]); got != want {
		return fmt.Errorf("expected at_hash %q for the access_token, got %q", want, got)
	}
	return nil
}
