package journal

import (
	"bytes"
	"net/url"
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
	case canonical == "Location":
		return redactLocation(v)
	}
	return clip(v)
}

// secretKey reports JSON keys of response bodies whose string values are
// secrets: access, refresh, id and personal tokens (any key ending in
// "token", in any case: access_token, accessToken, partial_factor_token),
// client secrets and passwords. token_type and token_endpoint are not.
func secretKey(key []byte) bool {
	var buf [64]byte
	if len(key) > len(buf) {
		return true // no key of ours is that long: cut it rather than guess
	}
	n := copy(buf[:], key)
	lower := buf[:n]
	for i, c := range lower {
		if 'A' <= c && c <= 'Z' {
			lower[i] = c + 'a' - 'A'
		}
	}
	return bytes.HasSuffix(lower, []byte("token")) || bytes.Contains(lower, []byte("secret")) ||
		bytes.Contains(lower, []byte("password"))
}

// redactBody writes a response body to b, with every string value of a
// secret key (secretKey) cut to its short prefix when the body is JSON
// (by its content type, or, with none, by its first byte). Other bodies
// are written as they are: the pages fakeidp serves carry no secret.
func redactBody(b *strings.Builder, contentType string, body []byte) {
	if !jsonBody(contentType, body) {
		b.Write(body)
		return
	}
	for len(body) > 0 {
		q := bytes.IndexByte(body, '"')
		if q < 0 {
			break
		}
		end := stringEnd(body, q)
		if end < 0 {
			break // an unterminated string: cut short, keep it as it is
		}
		key := body[q+1 : end]
		b.Write(body[:end+1])
		body = body[end+1:]
		// A key is a string followed by ':'; a secret's value is the
		// string after it.
		rest := bytes.TrimLeft(body, " \t\r\n")
		if len(rest) == 0 || rest[0] != ':' || !secretKey(key) {
			continue
		}
		val := bytes.TrimLeft(rest[1:], " \t\r\n")
		if len(val) == 0 || val[0] != '"' {
			continue
		}
		vend := stringEnd(val, 0)
		if vend < 0 {
			vend = len(val) - 1 // cut short inside the secret: cut it all the same
		}
		b.Write(body[:len(body)-len(val)]) // the colon and any spaces
		b.WriteByte('"')
		writeRedacted(b, val[1:max(vend, 1)])
		b.WriteByte('"')
		body = val[min(vend+1, len(val)):]
	}
	b.Write(body)
}

// writeRedacted writes Redact(string(v)) without building either string:
// a token answer has two or three secrets, on the token endpoint's path.
func writeRedacted(b *strings.Builder, v []byte) {
	if len(v) == 0 {
		return
	}
	keep := min(4, utf8.RuneCount(v)/4)
	i := 0
	for range keep {
		_, size := utf8.DecodeRune(v[i:])
		i += size
	}
	b.Write(v[:i])
	b.WriteString("…")
}

// stringEnd returns the index of the quote closing the JSON string that
// opens at s[open], or -1.
func stringEnd(s []byte, open int) int {
	for i := open + 1; i < len(s); i++ {
		switch s[i] {
		case '\\':
			i++
		case '"':
			return i
		}
	}
	return -1
}

func jsonBody(contentType string, body []byte) bool {
	if contentType != "" {
		mt, _, _ := strings.Cut(contentType, ";")
		mt = strings.TrimSpace(mt)
		return strings.EqualFold(mt, "application/json") || strings.HasSuffix(strings.ToLower(mt), "+json")
	}
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	return len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[')
}

// redactLocation cuts the secret parameters (an authorization code, a
// token) of a redirect's query and fragment.
func redactLocation(v string) string {
	i := strings.IndexAny(v, "?#")
	if i < 0 {
		return clip(v)
	}
	var b strings.Builder
	b.WriteString(v[:i+1])
	rest := v[i+1:]
	for rest != "" {
		var pair string
		j := strings.IndexAny(rest, "&#")
		if j < 0 {
			pair, rest = rest, ""
		} else {
			pair = rest[:j]
		}
		k, val, hasVal := strings.Cut(pair, "=")
		b.WriteString(k)
		if hasVal {
			b.WriteByte('=')
			if name, err := url.QueryUnescape(k); err == nil && secretParam(name) {
				val = Redact(val)
			}
			b.WriteString(val)
		}
		if j >= 0 {
			b.WriteByte(rest[j])
			rest = rest[j+1:]
		}
	}
	return clip(b.String())
}
