package oauth

import (
	"encoding/base64"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"
)

// BufferedBody is a request body that has already been read whole, as the
// server's request-info middleware does for the journal and fault rules.
// TakeAll hands those bytes over once, so they are not read and copied
// again; ok is false when the body is not whole in memory (it was larger
// than the middleware's cap, reading it failed, or reading has begun).
// The body then reads as empty.
type BufferedBody interface {
	TakeAll() (body []byte, ok bool)
}

// ReadBody reads the whole body, at most max bytes. A larger body gives
// TooLarge; a body that ends early gives InvalidRequest.
func ReadBody(r *http.Request, max int64) ([]byte, *Error) {
	if r.Body == nil {
		return nil, nil
	}
	if bb, ok := r.Body.(BufferedBody); ok {
		if body, ok := bb.TakeAll(); ok {
			if int64(len(body)) > max {
				return nil, TooLarge("request body too large")
			}
			return body, nil
		}
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, max+1))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, TooLarge("request body too large")
		}
		return nil, InvalidRequest("could not read request body")
	}
	if int64(len(body)) > max {
		return nil, TooLarge("request body too large")
	}
	return body, nil
}

// MediaType is the request's Content-Type without parameters, lower case.
func MediaType(r *http.Request) string {
	return MediaTypeOf(r.Header.Get("Content-Type"))
}

// MediaTypeOf is a Content-Type value without its parameters, trimmed and
// lower case: the media type mime.ParseMediaType returns, valid or not,
// without the parameter map it builds.
func MediaTypeOf(ct string) string {
	mt, _, _ := strings.Cut(ct, ";")
	return strings.ToLower(strings.TrimSpace(mt))
}

// ParseForm is the one way a token endpoint reads its request: POST, an
// application/x-www-form-urlencoded body of at most max bytes, valid UTF-8,
// and no parameter given twice (RFC 6749 §3.2). Query parameters are
// ignored, as the token endpoint takes none.
func ParseForm(r *http.Request, max int64) (url.Values, *Error) {
	if r.Method != http.MethodPost {
		return nil, InvalidRequest("the token endpoint accepts POST only")
	}
	if mt := MediaType(r); mt != "application/x-www-form-urlencoded" {
		return nil, InvalidRequest("Content-Type must be application/x-www-form-urlencoded")
	}
	body, e := ReadBody(r, max)
	if e != nil {
		return nil, e
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, InvalidRequest("malformed form body")
	}
	for k, vs := range form {
		if len(vs) > 1 {
			return nil, InvalidRequest("parameter " + safeName(k) + " is given more than once")
		}
		if !utf8.ValidString(k) || !utf8.ValidString(vs[0]) {
			return nil, InvalidRequest("parameters must be UTF-8")
		}
	}
	return form, nil
}

// safeName quotes a parameter name for an error description, cut short so
// that an attacker's 60 KB name is not echoed back.
func safeName(k string) string {
	if len(k) > 40 {
		k = k[:40]
	}
	if !utf8.ValidString(k) {
		k = strings.ToValidUTF8(k, "?")
	}
	return "'" + k + "'"
}

// Credentials are the client id and secret a request presented.
type Credentials struct {
	ID, Secret string
	// Basic is true when they came in an Authorization: Basic header.
	Basic bool
}

// ClientCredentials takes the client's credentials from HTTP Basic
// (form-urlencoded id and secret, RFC 6749 §2.3.1) and from the body.
// Clients such as Kontur's SDK send both at once; that is accepted when they
// agree and refused when they name different clients.
func ClientCredentials(r *http.Request, form url.Values) (Credentials, *Error) {
	bodyID, bodySecret := form.Get("client_id"), form.Get("client_secret")
	auth := r.Header.Get("Authorization")
	if auth == "" {
		return Credentials{ID: bodyID, Secret: bodySecret}, nil
	}
	scheme, rest, _ := strings.Cut(auth, " ")
	if !strings.EqualFold(scheme, "Basic") {
		// A Bearer or other header is not client authentication; the body
		// may still carry credentials.
		return Credentials{ID: bodyID, Secret: bodySecret}, nil
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
	if err != nil {
		return Credentials{}, InvalidClient("malformed Basic authorization header").Because("client_auth_malformed",
			"the Authorization: Basic header is not base64")
	}
	user, pass, ok := strings.Cut(string(raw), ":")
	if !ok {
		return Credentials{}, InvalidClient("malformed Basic authorization header").Because("client_auth_malformed",
			"the Authorization: Basic header has no colon between client_id and secret")
	}
	id, err1 := url.QueryUnescape(user)
	secret, err2 := url.QueryUnescape(pass)
	if err1 != nil || err2 != nil || !utf8.ValidString(id) || !utf8.ValidString(secret) {
		return Credentials{}, InvalidClient("malformed Basic authorization header").Because("client_auth_malformed",
			"the Authorization: Basic header's client_id or secret is not form-encoded UTF-8 (RFC 6749 §2.3.1)")
	}
	if bodyID != "" && bodyID != id {
		return Credentials{}, InvalidClient("client_id in the body and in the Authorization header differ").Because("client_auth_conflict",
			"client_id "+Quote(bodyID)+" in the body and "+Quote(id)+" in the Authorization: Basic header differ")
	}
	if bodySecret != "" && bodySecret != secret {
		return Credentials{}, InvalidClient("client_secret in the body and in the Authorization header differ").Because("client_auth_conflict",
			"the client_secret in the body and the one in the Authorization: Basic header differ")
	}
	return Credentials{ID: id, Secret: secret, Basic: true}, nil
}

// Where says how the credentials came, for a refusal's message: "in the
// Authorization: Basic header", "in the body" or, with no secret at all,
// "(none: no client_secret was sent)".
func (c Credentials) Where() string {
	switch {
	case c.Basic:
		return "in the Authorization: Basic header"
	case c.Secret == "":
		return "(none: no client_secret was sent)"
	}
	return "in the body"
}

// BearerToken returns the token of an "Authorization: Bearer …" header.
func BearerToken(r *http.Request) (string, bool) {
	auth := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Bearer") {
		return "", false
	}
	tok = strings.TrimSpace(tok)
	return tok, tok != ""
}
