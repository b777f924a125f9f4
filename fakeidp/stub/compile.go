package stub

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"

	"github.com/fakeidp/fakeidp/fakeidp/internal/problems"
)

// SiteRule is what the Set knows of one API site.
type SiteRule struct {
	Name string
	// Scoped sites' tokens carry scopes, so a stub may require one.
	Scoped bool
}

// compiled is a validated stub, ready to match and answer.
type compiled struct {
	stub        Stub // as stored: normalised, with its ID
	seq         uint64
	path        pathTemplate
	status      int
	headers     []header
	contentType []string // shared read-only, as header.fixed
	body        text
	// jsonBody: placeholders in body are JSON-escaped.
	jsonBody bool
	// charge is what the stub counts against the host's byte budget; 0
	// for a fixtures stub.
	charge int64
}

// stubOverhead is what a stub costs beyond its bytes: the structs, the
// index node, the map entry. Measured: a stub with a 10-byte body adds
// about this much to the heap.
const stubOverhead = 1024

// size estimates the bytes the stub holds: its body twice (the stored
// JSON or text, and the compiled template), its headers and path, and the
// fixed overhead.
func (c *compiled) size() int64 {
	n := int64(stubOverhead + len(c.stub.Path) + len(c.stub.Site) + len(c.stub.Method))
	body := len(c.stub.Response.JSON)
	if c.stub.Response.Body != nil {
		body += len(*c.stub.Response.Body)
	}
	n += 2 * int64(body)
	for k, v := range c.stub.Response.Headers {
		n += 2 * int64(len(k)+len(v))
	}
	return n
}

type header struct {
	name  string
	value text
	// fixed is the value of a header without placeholders, built once and
	// shared read-only by every answer (net/http only reads it).
	fixed []string
}

// reservedHeaders are the framing net/http owns; a stub setting them would
// make a broken response.
var reservedHeaders = []string{"Content-Length", "Transfer-Encoding", "Connection", "Trailer", "Upgrade"}

// compile validates s, reporting every problem with field names prefixed
// by prefix (e.g. "stubs[2]."), and normalises it.
func compile(s Stub, sites []SiteRule, maxBody int) (*compiled, error) {
	var p problems.List
	c := &compiled{}
	s.Method = strings.ToUpper(s.Method)
	if s.Method == "" {
		s.Method = http.MethodGet
	}
	if !validToken(s.Method) || len(s.Method) > 32 {
		p.Addf("method", "%s is not an HTTP method", quote(s.Method))
	}
	rule, ok := siteRule(sites, s.Site)
	if !ok {
		p.Addf("site", "%s is not an API site; known: %s", quote(s.Site), siteNames(sites))
	}
	c.path = parsePath(s.Path, &p, "path")
	switch s.Require.Token {
	case "":
		s.Require.Token = TokenAny
	case TokenAny, TokenClient, TokenUser:
	default:
		p.Addf("require.token", "%s: want any, client or user", quote(s.Require.Token))
	}
	if s.Require.Scope != "" && ok && !rule.Scoped {
		p.Addf("require.scope", "%s tokens carry no scopes", s.Site)
	}
	c.compileResponse(&s.Response, maxBody, &p)
	if err := p.Err(what); err != nil {
		return nil, err
	}
	c.stub = s
	return c, nil
}

func (c *compiled) compileResponse(r *Response, maxBody int, p *problems.List) {
	c.status = r.Status
	switch {
	case r.Status == 0:
		c.status = http.StatusOK
	case r.Status < 200 || r.Status > 599:
		p.Addf("response.status", "%d is outside 200–599 (1xx cannot end a response)", r.Status)
	}
	names := c.path.names
	for _, name := range sortedKeys(r.Headers) {
		field := "response.headers." + name
		switch {
		case !validToken(name):
			p.Addf(field, "is not a valid header name")
		case slices.Contains(reservedHeaders, http.CanonicalHeaderKey(name)):
			p.Addf(field, "is set by the server")
		case !validHeaderValue(r.Headers[name]):
			p.Addf(field, "has characters a header value may not (CR, LF, NUL)")
		}
		h := header{name: http.CanonicalHeaderKey(name), value: parseText(r.Headers[name], names, p, field)}
		if h.value.literalOnly() {
			h.fixed = []string{h.value[0].literal}
		}
		c.headers = append(c.headers, h)
	}
	switch {
	case len(r.JSON) > 0 && r.Body != nil:
		p.Addf("response", `give "json" or "body", not both`)
	case len(r.JSON) > 0:
		if r.ContentType != "" {
			p.Addf("response.content_type", `goes with "body"; a "json" answer is application/json (set a Content-Type header to change it)`)
		}
		if len(r.JSON) > maxBody {
			p.Addf("response.json", "larger than the limit of %d bytes", maxBody)
			return
		}
		c.jsonBody, c.contentType = true, []string{"application/json; charset=utf-8"}
		c.body = compileJSON(r.JSON, names, p)
	case r.Body != nil:
		if len(*r.Body) > maxBody {
			p.Addf("response.body", "larger than the limit of %d bytes", maxBody)
			return
		}
		ct := r.ContentType
		if ct == "" {
			ct = "text/plain; charset=utf-8"
		}
		c.contentType = []string{ct}
		if !validHeaderValue(ct) {
			p.Addf("response.content_type", "has characters a header value may not")
		}
		c.body = text{{literal: *r.Body}}
	}
	if (c.status == http.StatusNoContent || c.status == http.StatusNotModified) && (len(r.JSON) > 0 || r.Body != nil) {
		p.Addf("response", "a %d answer has no body", c.status)
	}
}

// compileJSON turns a JSON value into a text whose literal parts are
// compact JSON and whose placeholders sit inside string values (never in
// keys). Key order and number spelling are kept.
func compileJSON(raw json.RawMessage, names []string, p *problems.List) text {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var b textBuilder
	if err := jsonValue(dec, &b, names, p, "response.json"); err != nil {
		p.Addf("response.json", "%v", err)
		return nil
	}
	if _, err := dec.Token(); err != io.EOF {
		p.Addf("response.json", "unexpected data after the JSON value")
	}
	return b.text()
}

func jsonValue(dec *json.Decoder, b *textBuilder, names []string, p *problems.List, field string) error {
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch v := tok.(type) {
	case json.Delim:
		return jsonContainer(dec, b, v, names, p, field)
	case string:
		b.literal(`"`)
		for _, pt := range parseText(v, names, p, field) {
			if pt.src == srcLiteral {
				b.literal(string(appendEscaped(nil, pt.literal)))
			} else {
				b.placeholder(pt)
			}
		}
		b.literal(`"`)
	case json.Number:
		b.literal(string(v))
	case bool:
		b.literal(fmt.Sprint(v))
	case nil:
		b.literal("null")
	}
	return nil
}

func jsonContainer(dec *json.Decoder, b *textBuilder, open json.Delim, names []string, p *problems.List, field string) error {
	if open == '[' {
		b.literal("[")
		for i := 0; dec.More(); i++ {
			if i > 0 {
				b.literal(",")
			}
			if err := jsonValue(dec, b, names, p, fmt.Sprintf("%s[%d]", field, i)); err != nil {
				return err
			}
		}
		b.literal("]")
	} else {
		b.literal("{")
		for i := 0; dec.More(); i++ {
			tok, err := dec.Token()
			if err != nil {
				return err
			}
			key, _ := tok.(string)
			if i > 0 {
				b.literal(",")
			}
			b.literal(`"` + string(appendEscaped(nil, key)) + `":`)
			if err := jsonValue(dec, b, names, p, field+"."+key); err != nil {
				return err
			}
		}
		b.literal("}")
	}
	if _, err := dec.Token(); err != nil { // the closing delimiter
		return err
	}
	return nil
}

// textBuilder merges adjacent literals as a text is built.
type textBuilder struct {
	parts text
	lit   strings.Builder
}

func (b *textBuilder) literal(s string) { b.lit.WriteString(s) }

func (b *textBuilder) placeholder(pt part) {
	b.flush()
	b.parts = append(b.parts, pt)
}

func (b *textBuilder) flush() {
	if b.lit.Len() > 0 {
		b.parts = append(b.parts, part{literal: b.lit.String()})
		b.lit.Reset()
	}
}

func (b *textBuilder) text() text {
	b.flush()
	return b.parts
}

func siteRule(sites []SiteRule, name string) (SiteRule, bool) {
	for _, s := range sites {
		if s.Name == name {
			return s, true
		}
	}
	return SiteRule{}, false
}

func siteNames(sites []SiteRule) string {
	names := make([]string, len(sites))
	for i, s := range sites {
		names[i] = s.Name
	}
	return strings.Join(names, ", ")
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// validToken reports an RFC 9110 token: a method or a header name.
func validToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return true
}

// validHeaderValue refuses the controls a header value may not hold (all
// but tab), so a stub cannot split its own response.
func validHeaderValue(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < 0x20 && c != '\t') || c == 0x7f {
			return false
		}
	}
	return true
}
