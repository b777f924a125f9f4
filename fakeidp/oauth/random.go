package oauth

import (
	"encoding/base64"
	"encoding/hex"
	"io"
)

// Random draws token values from a server's random source (crypto/rand by
// default, a seeded reader in tests that want repeatable values).
type Random struct{ R io.Reader }

func (g Random) bytes(n int) []byte {
	b := make([]byte, n)
	if _, err := io.ReadFull(g.R, b); err != nil {
		// A failing entropy source leaves no safe way to mint tokens.
		panic("fakeidp: random source failed: " + err.Error())
	}
	return b
}

// Hex returns n random bytes as 2n lowercase hex digits.
func (g Random) Hex(n int) string { return hex.EncodeToString(g.bytes(n)) }

// Base64URL returns n random bytes, base64url without padding.
func (g Random) Base64URL(n int) string {
	return base64.RawURLEncoding.EncodeToString(g.bytes(n))
}

// Digits returns n random decimal digits.
func (g Random) Digits(n int) string {
	b := g.bytes(n)
	for i := range b {
		// 250 is the largest multiple of 10 below 256: redraw above it so
		// every digit is equally likely.
		for b[i] >= 250 {
			b[i] = g.bytes(1)[0]
		}
		b[i] = '0' + b[i]%10
	}
	return string(b)
}

// Alphabet returns n characters drawn uniformly from alphabet (at most 256
// characters long).
func (g Random) Alphabet(n int, alphabet string) string {
	limit := 256 - 256%len(alphabet)
	out := make([]byte, n)
	for i := range out {
		c := g.bytes(1)[0]
		for int(c) >= limit {
			c = g.bytes(1)[0]
		}
		out[i] = alphabet[int(c)%len(alphabet)]
	}
	return string(out)
}
