package journal

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"github.com/fakeidp/fakeidp/fakeidp/reqinfo"
)

// maxValue bounds what one journalled value may hold, so that a 1 MB field
// cannot make the journal hold a gigabyte.
const maxValue = 256

// secretParams are body fields and query parameters whose values are
// secrets: redacted however they are named in case.
var secretParams = map[string]bool{
	"code": true, "code_verifier": true, "assertion": true, "client_assertion": true,
	"otp": true, "pin": true, "sms_code": true, "validation_code": true,
}

// secretParam also catches whatever names a secret, a password or a token
// (access_token, refresh_token, id_token_hint, partial_factor_token…):
// journalling too little is harmless, a leaked secret is not.
func secretParam(name string) bool {
	n := strings.ToLower(name)
	return secretParams[n] || strings.Contains(n, "secret") ||
		strings.Contains(n, "password") || strings.Contains(n, "passwd") || strings.Contains(n, "token")
}

// plainHeaders are common headers that never carry a credential: one map
// lookup settles them without scanning the name.
var plainHeaders = map[string]bool{
	"Accept": true, "Accept-Encoding": true, "Accept-Language": true, "Cache-Control": true,
	"Connection": true, "Content-Length": true, "Content-Type": true, "Origin": true,
	"Pragma": true, "Referer": true, "Timeout": true, "User-Agent": true,
	"X-Forwarded-For": true, "X-Forwarded-Proto": true, "X-Request-Id": true,
}

// secretHeader reports headers whose whole value is a credential.
func secretHeader(canonical string) bool {
	switch {
	case plainHeaders[canonical]:
		return false
	case canonical == "Cookie", canonical == "Set-Cookie":
		return true
	}
	// Lower-case into a stack buffer: strings.ToLower would allocate for
	// every canonical (capitalised) name on every request.
	var buf [64]byte
	if len(canonical) > len(buf) {
		return secretHeaderName([]byte(strings.ToLower(canonical)))
	}
	n := copy(buf[:], canonical)
	for i, c := range buf[:n] {
		if 'A' <= c && c <= 'Z' {
			buf[i] = c + 'a' - 'A'
		}
	}
	return secretHeaderName(buf[:n])
}

func secretHeaderName(lower []byte) bool {
	return bytes.HasPrefix(lower, []byte("x-fakeidp-")) || bytes.Contains(lower, []byte("token")) ||
		bytes.Contains(lower, []byte("secret")) || bytes.Contains(lower, []byte("api-key")) ||
		bytes.Contains(lower, []byte("apikey"))
}

// authHeader reports headers of the form "<scheme> <credentials>", whose
// scheme is worth keeping.
func authHeader(canonical string) bool {
	return canonical == "Authorization" || canonical == "Proxy-Authorization"
}

// Redact cuts a secret down to a short prefix followed by "…": at most 4
// characters and at most a quarter of the value, so that a 4-digit SMS
// code keeps 1 digit and nothing shorter than 4 characters keeps any.
func Redact(v string) string {
	if v == "" {
		return ""
	}
	keep := min(4, utf8.RuneCountInString(v)/4)
	i := 0
	for range keep {
		_, size := utf8.DecodeRuneInString(v[i:])
		i += size
	}
	return v[:i] + "…"
}

// redactAuth keeps the scheme of an Authorization value: "Basic bWVk…".
func redactAuth(v string) string {
	scheme, cred, ok := strings.Cut(v, " ")
	if !ok {
		return Redact(v)
	}
	return scheme + " " + Redact(strings.TrimSpace(cred))
}

// clip bounds a value that is not secret.
func clip(v string) string { return reqinfo.Cut(v, maxValue) }

func redactParam(name, v string) string {
	if secretParam(name) {
		return Redact(v)
	}
	return clip(v)
}

func redactHeader(canonical, v string) string {
	switch {
	case authHeader(canonical):
		return redactAuth(v)
	case secretHeader(canonical):
		return Redact(v)
	}
	return clip(v)
}
