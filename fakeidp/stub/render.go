package stub

import (
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// Token is what an API's token check found: who the caller is, in the
// terms placeholders and requirements use. Missing values are empty.
type Token struct {
	Subject  string
	ClientID string
	// Scopes the token grants (Kontur); nil on sites without scopes.
	Scopes []string
	// User is a token issued for a user (or a personal token); false is a
	// client token.
	User bool
}

// accepts reports whether the token meets a stub's requirement, and if
// not, why.
func (t *Token) accepts(req *Require) (reason string, ok bool) {
	code, reason := t.refusal(req)
	return reason, code == ""
}

// refusal is why the token does not meet a stub's requirement, as a
// reason code (token_kind, token_scope) and message; "" when it does.
func (t *Token) refusal(req *Require) (code, reason string) {
	switch {
	case req.Token == TokenUser && !t.User:
		return "token_kind", "this method needs a user token"
	case req.Token == TokenClient && t.User:
		return "token_kind", "this method needs a client token"
	case req.Scope != "" && !hasScope(t.Scopes, req.Scope):
		return "token_scope", "the token lacks the scope " + req.Scope
	}
	return "", ""
}

func hasScope(scopes []string, want string) bool {
	for _, s := range scopes {
		if s == want {
			return true
		}
	}
	return false
}

// values are what placeholders read for one request.
type values struct {
	token    *Token
	params   []string
	rawQuery string
	query    url.Values // parsed on first use
}

func (v *values) lookup(pt *part) string {
	switch pt.src {
	case srcTokenSub:
		return v.token.Subject
	case srcTokenClient:
		return v.token.ClientID
	case srcTokenScope:
		return strings.Join(v.token.Scopes, " ")
	case srcPath:
		if pt.index < len(v.params) {
			return v.params[pt.index]
		}
	case srcQuery:
		if v.query == nil {
			v.query, _ = url.ParseQuery(v.rawQuery)
		}
		return v.query.Get(pt.name)
	}
	return ""
}

// appendTo renders t; placeholder values are JSON-escaped in a JSON body
// and made header-safe in a header.
func (t text) appendTo(buf []byte, v *values, jsonEscape bool) []byte {
	for i := range t {
		pt := &t[i]
		if pt.src == srcLiteral {
			buf = append(buf, pt.literal...)
			continue
		}
		val := v.lookup(pt)
		if jsonEscape {
			buf = appendEscaped(buf, val)
		} else {
			buf = appendHeaderSafe(buf, val)
		}
	}
	return buf
}

// write sends the stub's answer.
func (c *compiled) write(w http.ResponseWriter, v *values) {
	h := w.Header()
	if c.contentType != nil {
		h["Content-Type"] = c.contentType[:1:1]
	}
	for i := range c.headers {
		hd := &c.headers[i]
		if hd.fixed != nil {
			h[hd.name] = hd.fixed[:1:1]
			continue
		}
		h[hd.name] = []string{string(hd.value.appendTo(nil, v, false))}
	}
	w.WriteHeader(c.status)
	if len(c.body) == 0 {
		return
	}
	if c.body.literalOnly() {
		_, _ = w.Write([]byte(c.body[0].literal))
		return
	}
	_, _ = w.Write(c.body.appendTo(make([]byte, 0, 256), v, c.jsonBody))
}

// appendEscaped appends s as the inside of a JSON string: quotes,
// backslashes and control characters escaped, invalid UTF-8 replaced.
// HTML characters are left alone, as encoding/json with SetEscapeHTML(false)
// would.
func appendEscaped(buf []byte, s string) []byte {
	const hex = "0123456789abcdef"
	for i := 0; i < len(s); {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' && c < utf8.RuneSelf {
			buf = append(buf, c)
			i++
			continue
		}
		if c < utf8.RuneSelf {
			switch c {
			case '"', '\\':
				buf = append(buf, '\\', c)
			case '\n':
				buf = append(buf, '\\', 'n')
			case '\r':
				buf = append(buf, '\\', 'r')
			case '\t':
				buf = append(buf, '\\', 't')
			default:
				buf = append(buf, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			buf = append(buf, `\ufffd`...)
		} else if r == '\u2028' || r == '\u2029' {
			buf = append(buf, '\\', 'u', '2', '0', '2', hex[r&0xf])
		} else {
			buf = append(buf, s[i:i+size]...)
		}
		i += size
	}
	return buf
}

// appendHeaderSafe appends s with the bytes a header value may not hold
// (CR, LF, NUL and other controls but tab) replaced by spaces, so a
// request cannot split the stub's response.
func appendHeaderSafe(buf []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 0x20 && c != '\t') || c == 0x7f {
			c = ' '
		}
		buf = append(buf, c)
	}
	return buf
}
