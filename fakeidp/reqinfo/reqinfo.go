package reqinfo

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"io"
	"iter"
	"net/http"
	"net/url"
	"strings"
	"unicode/utf8"

	"github.com/fakeidp/fakeidp/fakeidp/oauth"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

var _ oauth.BufferedBody = (*replayBody)(nil)

// Info is what a site request says about itself. Fields absent from the
// request are empty strings. An Info is read-only once stored in a request.
type Info struct {
	// Site is the site name (site.Name), empty outside a site.
	Site string
	// Path is the path as the site routes it, e.g. "/connect/token": the
	// server strips the site's prefix before reqinfo sees the request.
	Path string
	// GrantType is the body's grant_type.
	GrantType string
	// ClientID is the body's client_id, else the id of an
	// "Authorization: Basic" header (form-urlencoded, RFC 6749 §2.3.1),
	// else the client_id query parameter (authorize requests carry it there).
	ClientID string
	// Username is the body's username.
	Username string
	// Phone is the query's code followed by number when both are present
	// (Doktornarabote's validation-code request), else a username made of
	// digits only (Doktornarabote's token request).
	Phone string
	// Fields are the top-level fields of a form or JSON object body (the
	// first value of a repeated form key). JSON strings are unquoted, null is
	// "", numbers and booleans are kept as written, and nested objects or
	// arrays are rendered as compact JSON cut to about 128 bytes.
	// Nil when the body has none. Values are raw: redacting them is the
	// reader's job.
	Fields map[string]string
}

const (
	// maxFields bounds the work a hostile body can cause: a 1 MB form of
	// one-letter keys would otherwise become a map of 250 000 entries.
	maxFields = 64
	// maxNested is how much of a nested JSON value is kept.
	maxNested = 128
)

type ctxKey struct{}

// WithInfo returns r carrying info, for From. A site request keeps it in
// its site record, which spares a copy of the request; any other request
// gets a context value.
func WithInfo(r *http.Request, info *Info) *http.Request {
	if sr := site.Of(r); sr != nil {
		sr.Info = info
		return r
	}
	return r.WithContext(context.WithValue(r.Context(), ctxKey{}, info))
}

// From returns the Info stored by WithInfo, or nil when there is none.
func From(r *http.Request) *Info {
	if sr := site.Of(r); sr != nil {
		if info, ok := sr.Info.(*Info); ok {
			return info
		}
	}
	info, _ := r.Context().Value(ctxKey{}).(*Info)
	return info
}

// Middleware reads every request with Read (bodies of at most max bytes)
// and stores the result for From.
func Middleware(max int64) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			next.ServeHTTP(w, WithInfo(r, Read(r, max)))
		})
	}
}

// Read extracts the Info of r, reading at most max bytes of its body and
// putting them back in r.Body so the handler reads the same bytes again.
// It never returns nil.
func Read(r *http.Request, max int64) *Info {
	info := &Info{Site: site.Name(r)}
	if r.URL != nil {
		info.Path = r.URL.Path
	}
	if body, ok := readBody(r, max); ok && len(body) > 0 {
		info.Fields = parseBody(body, oauth.MediaTypeOf(r.Header.Get("Content-Type")))
	}
	info.GrantType = info.Fields["grant_type"]
	info.Username = info.Fields["username"]
	info.ClientID = info.Fields["client_id"]
	if info.ClientID == "" {
		info.ClientID = basicClientID(r.Header.Get("Authorization"))
	}
	if r.URL != nil && r.URL.RawQuery != "" {
		fromQuery(info, r.URL.RawQuery)
	}
	if info.Phone == "" && allDigits(info.Username) {
		info.Phone = info.Username
	}
	return info
}

func fromQuery(info *Info, raw string) {
	q, _ := url.ParseQuery(raw) // keep what parses; never fail
	if info.ClientID == "" {
		info.ClientID = q.Get("client_id")
	}
	if code, number := q.Get("code"), q.Get("number"); code != "" && number != "" {
		info.Phone = code + number
	}
}

// readBody reads up to max bytes and restores r.Body. ok is false when the
// body is larger than max or could not be read.
func readBody(r *http.Request, max int64) (body []byte, ok bool) {
	if r.Body == nil || r.Body == http.NoBody || max <= 0 {
		return nil, false
	}
	body, err := readAll(io.LimitReader(r.Body, max+1), initialCap(r.ContentLength, max))
	ok = err == nil && int64(len(body)) <= max
	r.Body = &replayBody{read: body, orig: r.Body, err: err, whole: ok}
	return body, ok
}

// initialCap sizes the read buffer from Content-Length so that a typical
// token request is read with one allocation.
func initialCap(contentLength, max int64) int {
	if contentLength > 0 && contentLength <= max {
		return int(contentLength) + 1 // +1 leaves room to read the EOF
	}
	return 512
}

// readAll is io.ReadAll with a starting capacity.
func readAll(r io.Reader, capacity int) ([]byte, error) {
	b := make([]byte, 0, capacity)
	for {
		n, err := r.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF {
			return b, nil
		}
		if err != nil {
			return b, err
		}
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
	}
}

// replayBody gives the handler the bytes Read took, then the rest of the
// original body, or the error that stopped Read, so that a
// *http.MaxBytesError still reaches the handler's own size check. One
// struct rather than io.MultiReader and friends: it is allocated on every
// request.
type replayBody struct {
	read []byte
	orig io.ReadCloser
	err  error
	// whole: read is the entire body, and none of it has been handed out.
	whole bool
}

// TakeAll implements oauth.BufferedBody.
func (b *replayBody) TakeAll() ([]byte, bool) {
	if !b.whole {
		return nil, false
	}
	body := b.read
	b.read, b.whole = nil, false
	return body, true
}

func (b *replayBody) Read(p []byte) (int, error) {
	b.whole = false
	if len(b.read) > 0 {
		n := copy(p, b.read)
		b.read = b.read[n:]
		return n, nil
	}
	if b.err != nil {
		return 0, b.err
	}
	return b.orig.Read(p)
}

func (b *replayBody) Close() error { return b.orig.Close() }

// basicClientID is the client id of an "Authorization: Basic" header, or
// "" when there is none or it is malformed.
func basicClientID(auth string) string {
	scheme, rest, ok := strings.Cut(auth, " ")
	if !ok || !strings.EqualFold(scheme, "Basic") {
		return ""
	}
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(rest))
	if err != nil {
		return ""
	}
	i := bytes.IndexByte(raw, ':')
	if i < 0 {
		return ""
	}
	id, err := url.QueryUnescape(string(raw[:i]))
	if err != nil {
		return ""
	}
	return id
}

// Cut shortens s to at most n bytes on a rune boundary, marking the cut
// with "…". The journal clips what it keeps with it too.
func Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// isJSON reports whether a body should be read as JSON: a JSON media type,
// or no media type and a body that opens like an object.
func isJSON(mt string, body []byte) bool {
	switch {
	case mt == "application/json", strings.HasSuffix(mt, "+json"):
		return true
	case mt == "":
		trimmed := bytes.TrimLeft(body, " \t\r\n")
		return len(trimmed) > 0 && trimmed[0] == '{'
	}
	return false
}

func parseBody(body []byte, mt string) map[string]string {
	if isJSON(mt, body) {
		return parseJSON(body)
	}
	if mt == "application/x-www-form-urlencoded" || mt == "" {
		return parseForm(string(body))
	}
	return nil
}

// parseForm keeps the first value of each of the first maxFields keys.
func parseForm(body string) map[string]string {
	var fields map[string]string
	for key, val := range Params(body) {
		if fields == nil {
			fields = make(map[string]string, 8)
		}
		if _, dup := fields[key]; !dup {
			fields[key] = val
		}
		if len(fields) == maxFields {
			break
		}
	}
	return fields
}

// Params yields the unescaped pairs of a form body or query string in
// order, repeated keys included, skipping malformed pairs and empty keys.
// Unlike url.ParseQuery it builds no map, and it never fails.
func Params(raw string) iter.Seq2[string, string] {
	return func(yield func(string, string) bool) {
		for raw != "" {
			var pair string
			pair, raw, _ = strings.Cut(raw, "&")
			k, v, _ := strings.Cut(pair, "=")
			key, err1 := url.QueryUnescape(k)
			val, err2 := url.QueryUnescape(v)
			if err1 != nil || err2 != nil || key == "" {
				continue
			}
			if !yield(key, val) {
				return
			}
		}
	}
}

// parseJSON renders the top-level fields of a JSON object. Anything else
// (arrays, null, junk, nesting deeper than encoding/json allows) gives nil.
func parseJSON(body []byte) map[string]string {
	if fields, ok := scanFlatObject(body); ok {
		if len(fields) == 0 {
			return nil
		}
		return fields
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || len(raw) == 0 {
		return nil
	}
	fields := make(map[string]string, min(len(raw), maxFields))
	for k, v := range raw {
		if len(fields) == maxFields {
			break
		}
		fields[k] = renderJSON(v)
	}
	return fields
}

func renderJSON(v json.RawMessage) string {
	switch v[0] {
	case '"':
		var s string
		if json.Unmarshal(v, &s) == nil {
			return s
		}
		return ""
	case '{', '[':
		var b bytes.Buffer
		if json.Compact(&b, v) != nil {
			return ""
		}
		return Cut(b.String(), maxNested)
	case 'n':
		return "" // null: no value, so it never poses as a client id "null"
	}
	return string(v) // number, true, false
}
