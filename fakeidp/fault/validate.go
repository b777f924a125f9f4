package fault

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp/internal/problems"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// ProblemsError lists everything wrong with one or more rules, each
// problem naming its field, e.g. "effect.delay: …": the one problems type,
// shared with stubs, fixtures and sandboxes.
type ProblemsError = problems.Error

// what names what the problems are about in ProblemsError's text.
const what = "fault rule"

func problemsOf(field, msg string) error {
	var p problems.List
	p.Add(field, msg)
	return p.Err(what)
}

// validateAll validates each rule, prefixing problems with rules[i] when
// the rules came as a list.
func validateAll(rules []Rule, list bool) error {
	var all problems.List
	for i := range rules {
		err, _ := rules[i].Validate().(*ProblemsError)
		if err == nil {
			continue
		}
		for _, msg := range err.Problems {
			if list {
				msg = fmt.Sprintf("rules[%d].%s", i, msg)
			}
			all = append(all, msg)
		}
	}
	return all.Err(what)
}

// EffectTypes lists the effect types, the commonest first.
func EffectTypes() []string {
	return []string{TypeError, TypeResponse, TypeLatency, TypeHang, TypeClose, TypeReset,
		TypeTruncate, TypeMalformed, TypeContentType}
}

// effectFields says which optional effect fields each type uses.
var effectFields = map[string][]string{
	TypeError:       {"error", "description", "status", "value", "fields", "headers"},
	TypeResponse:    {"status", "body", "headers"},
	TypeLatency:     {"delay"},
	TypeHang:        nil,
	TypeClose:       nil,
	TypeReset:       nil,
	TypeTruncate:    nil,
	TypeMalformed:   nil,
	TypeContentType: {"content_type"},
}

// Validate reports every problem of r at once, as a *ProblemsError.
func (r *Rule) Validate() error {
	var p problems.List
	r.Match.validate(&p)
	if r.Times < 0 {
		p.Addf("times", "must be 0 (always) or more, got %d", r.Times)
	}
	if r.After < 0 {
		p.Addf("after", "must be 0 or more, got %d", r.After)
	}
	r.Effect.validate(&p)
	return p.Err(what)
}

func (m *Match) validate(p *problems.List) {
	if m.Site != "" {
		if _, ok := site.ByName(m.Site); !ok {
			p.Addf("match.site", "unknown site %q; want one of %s", m.Site, siteNames())
		}
	}
	if m.Path != "" && !strings.HasPrefix(m.Path, "/") {
		p.Addf("match.path", "must start with / (the path below the site prefix), got %q", m.Path)
	}
	if m.Method != "" && !isToken(m.Method) {
		p.Addf("match.method", "not an HTTP method: %q", m.Method)
	}
}

func siteNames() string {
	names := make([]string, len(site.All))
	for i, s := range site.All {
		names[i] = s.Name
	}
	return strings.Join(names, ", ")
}

func (e *Effect) validate(p *problems.List) {
	allowed, ok := effectFields[e.Type]
	switch {
	case e.Type == "":
		p.Add("effect.type", "is missing; want one of "+effectTypes)
		return
	case !ok:
		p.Addf("effect.type", "unknown effect %q; want one of %s", e.Type, effectTypes)
		return
	}
	for _, name := range e.setFields() {
		if !slices.Contains(allowed, name) {
			p.Addf("effect."+name, "not used by effect type %q", e.Type)
		}
	}
	e.validateValues(p)
}

const effectTypes = "error, response, latency, hang, close, reset, truncate, malformed, content_type"

// setFields names the optional fields that are set.
func (e *Effect) setFields() []string {
	var set []string
	for _, f := range []struct {
		name  string
		isSet bool
	}{
		{"error", e.Error != ""}, {"description", e.Description != ""}, {"status", e.Status != 0},
		{"value", e.Value != ""}, {"fields", e.Fields != nil}, {"body", e.Body != ""},
		{"headers", e.Headers != nil}, {"delay", e.Delay != ""}, {"content_type", e.ContentType != ""},
	} {
		if f.isSet {
			set = append(set, f.name)
		}
	}
	return set
}

func (e *Effect) validateValues(p *problems.List) {
	if e.Type == TypeError && e.Error == "" {
		p.Add("effect.error", "is required for an error effect, e.g. \"invalid_client\"")
	}
	if e.Error != "" && !isErrorCode(e.Error) {
		p.Addf("effect.error", "%q is not an OAuth error code (printable ASCII, no quote or backslash)", e.Error)
	}
	// 1xx are interim responses: net/http would follow them with a 200.
	if e.Status != 0 && (e.Status < 200 || e.Status > 599) {
		p.Addf("effect.status", "must be between 200 and 599, got %d", e.Status)
	}
	if e.Type == TypeLatency {
		validateDelay(p, e.Delay)
	}
	if strings.ContainsAny(e.ContentType, "\r\n") {
		p.Add("effect.content_type", "must not contain a line break")
	}
	validateHeaders(p, e.Headers)
	validateFields(p, e.Fields)
}

func validateDelay(p *problems.List, delay string) {
	if delay == "" {
		p.Add("effect.delay", "is required for a latency effect, e.g. \"5s\"")
		return
	}
	d, err := time.ParseDuration(delay)
	switch {
	case err != nil:
		p.Addf("effect.delay", "%q is not a duration such as \"500ms\" or \"5s\"", delay)
	case d <= 0:
		p.Addf("effect.delay", "must be positive, got %q", delay)
	}
}

func validateHeaders(p *problems.List, headers map[string]string) {
	for _, name := range slices.Sorted(maps.Keys(headers)) {
		field := "effect.headers." + name
		switch {
		case !isToken(name):
			p.Addf("effect.headers", "%q is not a header name", name)
		case strings.ContainsAny(headers[name], "\r\n\x00"):
			p.Add(field, "must not contain a line break")
		case framingHeader(name):
			// The effect sets the body; a wrong length would corrupt the
			// connection rather than simulate a provider.
			p.Add(field, "is set by fakeidp from the body")
		}
	}
}

func framingHeader(name string) bool {
	switch http.CanonicalHeaderKey(name) {
	case "Content-Length", "Transfer-Encoding", "Connection":
		return true
	}
	return false
}

func validateFields(p *problems.List, fields Fields) {
	seen := map[string]bool{}
	for i, f := range fields {
		field := fmt.Sprintf("effect.fields[%d]", i)
		switch {
		case f.Key == "":
			p.Add(field, "empty key")
		case f.Key == "error" || f.Key == "error_description":
			p.Addf(field, "%q is written from effect.error / effect.description", f.Key)
		case f.Key == "value":
			p.Add(field, `"value" is written from effect.value`)
		case seen[f.Key]:
			p.Addf(field, "duplicate key %q", f.Key)
		}
		seen[f.Key] = true
	}
}

// isToken reports whether s is an RFC 9110 token (methods, header names).
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c <= ' ' || c >= 0x7f || strings.IndexByte(`"(),/:;<=>?@[\]{}`, c) >= 0 {
			return false
		}
	}
	return true
}

// isErrorCode: RFC 6749 §5.2 allows %x20-21 / %x23-5B / %x5D-7E.
func isErrorCode(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}
