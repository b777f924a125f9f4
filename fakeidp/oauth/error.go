// Package oauth is the provider-neutral part of every token endpoint: the
// one OAuth error type and its renderer, the per-provider dialect that
// decides status codes and headers, and strict parsing of form and JSON
// requests.
//
// Endpoint logic returns (response, error) and never writes to the
// ResponseWriter itself; Write and WriteError are the only writers, so every
// response of an endpoint carries its dialect's headers, errors included.
//
// It must not import any provider package.
package oauth

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"time"
	"unicode/utf8"
)

// Error is an OAuth 2.0 error response (RFC 6749 §5.2).
// Build it with the constructors below; never share one between requests.
type Error struct {
	// Code is the "error" value, e.g. "invalid_grant".
	Code string
	// Description is "error_description"; empty means the key is omitted.
	Description string
	// Status is the HTTP status the RFC suggests; a Dialect may override it.
	Status int
	// Extra are further body fields, written after the two standard ones in
	// this order (Kontur's second-factor answer uses them).
	Extra []Field
	// Header is added to the response (Retry-After, WWW-Authenticate…).
	Header http.Header
	// Reason is why fakeidp refused, for the journal and the log; never
	// sent on the provider's wire. Set it with Because where the check
	// decides.
	Reason Reason
	// cause is logged, never sent.
	cause error
}

// Reason is fakeidp's own explanation of a refusal: a stable snake_case
// code (docs/explain.md) and one sentence naming what was sent and what
// was expected, never a secret.
type Reason struct{ Code, Message string }

// Because records why e refuses and returns e, so that a check reads
//
//	return oauth.InvalidClient("").Because("unknown_client", "client_id "+id+" is not in the fixtures")
func (e *Error) Because(code, message string) *Error {
	e.Reason = Reason{Code: code, Message: message}
	return e
}

// Field is one extra JSON body field.
type Field struct {
	Key   string
	Value any
}

func (e *Error) Error() string {
	if e.Description != "" {
		return e.Code + ": " + e.Description
	}
	return e.Code
}

func newError(code, desc string, status int) *Error {
	return &Error{Code: code, Description: desc, Status: status}
}

// InvalidRequest: the request is malformed.
func InvalidRequest(desc string) *Error { return newError("invalid_request", desc, 400) }

// InvalidClient: client authentication failed.
func InvalidClient(desc string) *Error { return newError("invalid_client", desc, 401) }

// InvalidGrant: the code, credentials or refresh token are not valid.
func InvalidGrant(desc string) *Error { return newError("invalid_grant", desc, 400) }

// UnauthorizedClient: the client may not use this grant.
func UnauthorizedClient(desc string) *Error { return newError("unauthorized_client", desc, 400) }

// UnsupportedGrantType: the grant type is missing or unknown.
func UnsupportedGrantType(desc string) *Error {
	return newError("unsupported_grant_type", desc, 400)
}

// InvalidScope: a scope is unknown, malformed or not allowed.
func InvalidScope(desc string) *Error { return newError("invalid_scope", desc, 400) }

// TooLarge: the body exceeds the size cap.
func TooLarge(desc string) *Error { return newError("invalid_request", desc, 413) }

// ServerError hides cause from the client and logs it.
func ServerError(cause error) *Error {
	return &Error{Code: "server_error", Status: 500, cause: cause}
}

// As returns err as an *Error, turning anything unexpected into
// server_error so that no internal detail reaches the client.
func As(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return ServerError(err)
}

// Quote quotes a value a request sent, for a reason's message: cut to
// 100 bytes, so that a 60 KB parameter is not echoed into the journal
// and the log, and escaped, so that it cannot forge a log line. Never
// quote a secret with it.
func Quote(s string) string {
	if len(s) > 100 {
		n := 100
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		return strconv.Quote(s[:n]) + "…"
	}
	return strconv.Quote(s)
}

// Expired is a reason's message for a token, code or grant used after
// it expired: when, and what the server's clock (virtual, and often
// moved by tests) reads now.
func Expired(noun string, expired, now time.Time) string {
	return "the " + noun + " expired at " + expired.UTC().Format(time.RFC3339) +
		"; the server's clock reads " + now.UTC().Format(time.RFC3339)
}

// Body renders the error's JSON body: error, error_description (if any),
// then Extra in order.
func (e *Error) Body() []byte {
	var b bytes.Buffer
	b.WriteString(`{"error":`)
	writeJSONValue(&b, e.Code)
	if e.Description != "" {
		b.WriteString(`,"error_description":`)
		writeJSONValue(&b, e.Description)
	}
	for _, f := range e.Extra {
		b.WriteByte(',')
		writeJSONValue(&b, f.Key)
		b.WriteByte(':')
		writeJSONValue(&b, f.Value)
	}
	b.WriteByte('}')
	return b.Bytes()
}

func writeJSONValue(b *bytes.Buffer, v any) {
	enc, err := json.Marshal(v)
	if err != nil {
		enc = []byte(`null`)
	}
	b.Write(enc)
}

// Dialect is how one provider's endpoint speaks: the JSON content type it
// sends, headers on every response, and the status it gives each error.
type Dialect struct {
	// ContentType of JSON bodies, exactly as the provider sends it.
	ContentType string
	// Headers, when set, adds the provider's headers to every response.
	Headers func(h http.Header, r *http.Request)
	// Status, when set, maps an error to the provider's status code.
	Status func(e *Error) int
	// Log receives server errors; nil means slog.Default().
	Log *slog.Logger
}

// WriteError renders err in the dialect. Only server_error details are
// logged; nothing of the request is.
func (d Dialect) WriteError(w http.ResponseWriter, r *http.Request, err error) {
	e := As(err)
	if e.cause != nil {
		log := d.Log
		if log == nil {
			log = slog.Default()
		}
		log.Error("internal error", "path", r.URL.Path, "err", e.cause)
	}
	status := e.Status
	if d.Status != nil {
		status = d.Status(e)
	}
	h := w.Header()
	for k, vs := range e.Header {
		h[k] = vs
	}
	d.write(w, r, status, e.Body())
}

// WriteInjectedError renders an error a fault rule injects: the dialect's
// content type and headers, but the error's own status. d.Status is
// bypassed, as it maps every error of some endpoints to 400 and would hide
// an injected 503.
func (d Dialect) WriteInjectedError(w http.ResponseWriter, r *http.Request, e *Error) {
	d.Status = nil
	d.WriteError(w, r, e)
}

// Status400 is the status of endpoints that answer every error with 400
// but a server error with 500: Kontur's token endpoint (its SDK reads error
// bodies only on 400) and Katana's.
func Status400(e *Error) int {
	if e.Code == "server_error" {
		return http.StatusInternalServerError
	}
	return http.StatusBadRequest
}

// WriteJSON renders v (a struct whose field order is the provider's key
// order) with status.
func (d Dialect) WriteJSON(w http.ResponseWriter, r *http.Request, status int, v any) {
	body, err := json.Marshal(v)
	if err != nil {
		d.WriteError(w, r, ServerError(err))
		return
	}
	d.write(w, r, status, body)
}

func (d Dialect) write(w http.ResponseWriter, r *http.Request, status int, body []byte) {
	h := w.Header()
	if d.Headers != nil {
		d.Headers(h, r)
	}
	h.Set("Content-Type", d.ContentType)
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
