package livedigital

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

const testSecret = "test-only-secret-of-at-least-32-bytes!"

var now = time.Unix(1655805600, 0)

// forge signs header.payload with key, as an attacker who knows (or
// guesses) the key would.
func forge(header, payload, key string) string {
	enc := base64.RawURLEncoding
	input := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	if key == "" {
		return input + "."
	}
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(input))
	return input + "." + enc.EncodeToString(m.Sum(nil))
}

func TestVerify(t *testing.T) {
	s := newSigner(testSecret)
	good, err := s.sign(&claims{Sub: "a", Aud: audClient, Type: typeAccess, CID: "a", JTI: "j", Iat: now.Unix(), Exp: now.Unix() + 10})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(good, jwtHeader+".") {
		t.Errorf("header of %s is not the provider's", good)
	}
	payload := `{"sub":"a","aud":"client","type":"accessToken","cId":"a","jti":"j","iat":1655805600,"exp":1655805610}`
	cases := []struct {
		name, token string
		at          time.Time
		want        error
	}{
		{"good", good, now, nil},
		{"good, 1 s before exp", good, now.Add(9 * time.Second), nil},
		{"expired at exp", good, now.Add(10 * time.Second), errExpired},
		{"alg none", forge(`{"alg":"none","typ":"JWT"}`, payload, ""), now, errAlg},
		{"alg None", forge(`{"alg":"None"}`, payload, ""), now, errAlg},
		{"RS256 header, HMAC with the secret", forge(`{"alg":"RS256","typ":"JWT"}`, payload, testSecret), now, errAlg},
		{"HS512", forge(`{"alg":"HS512","typ":"JWT"}`, payload, testSecret), now, errAlg},
		{"HS256, other key", forge(`{"alg":"HS256","typ":"JWT"}`, payload, "another-secret"), now, errSignature},
		{"HS256 without typ, right key", forge(`{"alg":"HS256"}`, payload, testSecret), now, nil},
		{"tampered payload", jwtHeader + "." + base64.RawURLEncoding.EncodeToString([]byte(strings.Replace(payload, `"a"`, `"b"`, 1))) + "." + strings.Split(good, ".")[2], now, errSignature},
		{"two segments", jwtHeader + ".e30", now, errMalformed},
		{"four segments", good + ".x", now, errMalformed},
		{"header not base64", "!!!." + strings.SplitN(good, ".", 2)[1], now, errMalformed},
		{"header not JSON", "bm90IGpzb24." + strings.SplitN(good, ".", 2)[1], now, errMalformed},
		{"signature not base64", jwtHeader + ".e30.!!!", now, errMalformed},
		{"payload not JSON, signed", forge(`{"alg":"HS256"}`, `[1]`, testSecret), now, errMalformed},
		{"too long", strings.Repeat("a", maxTokenLen+1), now, errMalformed},
		{"empty", "", now, errMalformed},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := s.verify(c.token, c.at)
			if !errors.Is(err, c.want) {
				t.Errorf("verify = %v, want %v", err, c.want)
			}
		})
	}
}

func TestSignatureFollowsPassword(t *testing.T) {
	s := newSigner(testSecret)
	a, b := s.signature("62ab5a84b0ce6ee31b0997b3", "123456"), s.signature("62ab5a84b0ce6ee31b0997b3", "654321")
	if len(a) != 10 || a == b {
		t.Errorf("sgn %q and %q: want 10 hex each, different", a, b)
	}
	if a != s.signature("62ab5a84b0ce6ee31b0997b3", "123456") {
		t.Error("sgn is not stable for the same password")
	}
}

func TestJSONDepth(t *testing.T) {
	cases := map[string]int{
		`{}`:                     1,
		`{"a":[1,{"b":2}]}`:      3,
		`{"a":"[[[[{{{{"}`:       1,
		`{"a":"\"[[["}`:          1,
		`[[[]]]`:                 3,
		strings.Repeat("[", 100): 100,
	}
	for in, want := range cases {
		if got := jsonDepth([]byte(in)); got != want {
			t.Errorf("jsonDepth(%.20q) = %d, want %d", in, got, want)
		}
	}
}
