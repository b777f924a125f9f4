package stub

import (
	"strings"
	"unicode/utf8"

	"github.com/fakeidp/fakeidp/fakeidp/internal/problems"
)

// Limits on one stub, so that a stub cannot make matching or rendering
// costly.
const (
	maxPathLen      = 1024
	maxSegments     = 32
	maxPlaceholders = 256
)

// pathTemplate is a parsed path: literal segments and {name} segments.
// The trailing slash is not significant, as neither ASP.NET nor Express
// routes make it so.
type pathTemplate struct {
	segments []segment
	names    []string // the {name}s, in order
}

type segment struct {
	literal string
	param   bool
}

// parsePath reads a template such as "/V2/policies/{id}". Every problem
// is reported.
func parsePath(path string, p *problems.List, field string) pathTemplate {
	var t pathTemplate
	switch {
	case path == "":
		p.Addf(field, "is empty; give a path such as /V2/policies/{id}")
		return t
	case len(path) > maxPathLen:
		p.Addf(field, "longer than %d bytes", maxPathLen)
		return t
	case path[0] != '/':
		p.Addf(field, "must start with /, got %s", quote(path))
		return t
	case !utf8.ValidString(path):
		p.Addf(field, "must be UTF-8")
		return t
	}
	for seg := range segmentsOf(path) {
		if len(t.segments) == maxSegments {
			p.Addf(field, "more than %d segments", maxSegments)
			return t
		}
		t.segments = append(t.segments, parseSegment(seg, &t, p, field))
	}
	return t
}

func parseSegment(seg string, t *pathTemplate, p *problems.List, field string) segment {
	if strings.HasPrefix(seg, "{") && strings.HasSuffix(seg, "}") {
		name := seg[1 : len(seg)-1]
		switch {
		case !validName(name):
			p.Addf(field, "{%s}: a name is letters, digits and _, not starting with a digit", name)
		case containsName(t.names, name):
			p.Addf(field, "{%s} appears twice", name)
		}
		t.names = append(t.names, name)
		return segment{param: true}
	}
	switch {
	case seg == "":
		p.Addf(field, "has an empty segment (//)")
	case strings.ContainsAny(seg, "{}"):
		p.Addf(field, "segment %s: a {name} must be a whole segment", quote(seg))
	case strings.ContainsAny(seg, "?#"):
		p.Addf(field, "segment %s: the path has no query or fragment", quote(seg))
	}
	return segment{literal: seg}
}

// segmentsOf yields the segments of a path after its leading slash; a
// trailing slash adds none.
func segmentsOf(path string) func(yield func(string) bool) {
	return func(yield func(string) bool) {
		rest := strings.TrimSuffix(path[1:], "/")
		if rest == "" {
			return
		}
		for {
			seg, tail, more := strings.Cut(rest, "/")
			if !yield(seg) || !more {
				return
			}
			rest = tail
		}
	}
}

func validName(name string) bool {
	if name == "" || len(name) > 64 || ('0' <= name[0] && name[0] <= '9') {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c == '_' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9') {
			return false
		}
	}
	return true
}

func containsName(names []string, name string) bool {
	for _, n := range names {
		if n == name {
			return true
		}
	}
	return false
}

// The sources a placeholder reads.
const (
	srcLiteral = iota
	srcTokenSub
	srcTokenClient
	srcTokenScope
	srcPath
	srcQuery
)

// part is a literal piece of text or a placeholder; arg is the path
// parameter's index or the query parameter's name.
type part struct {
	src     int
	literal string
	index   int
	name    string
}

// text is a string with placeholders. A text without any is one literal
// part.
type text []part

// parseText splits s into literal parts and placeholders. "$${" is a
// literal "${". Unknown placeholders and path names the template lacks
// are problems.
func parseText(s string, names []string, p *problems.List, field string) text {
	var out text
	var lit strings.Builder
	for {
		i := strings.Index(s, "${")
		if i < 0 {
			lit.WriteString(s)
			break
		}
		if i > 0 && s[i-1] == '$' {
			lit.WriteString(s[:i-1])
			lit.WriteString("${")
			s = s[i+2:]
			continue
		}
		lit.WriteString(s[:i])
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			p.Addf(field, "unterminated placeholder %s", quote(s[i:]))
			return out
		}
		ph, ok := placeholder(s[i+2:i+end], names)
		if !ok {
			p.Addf(field, "unknown placeholder %s; known: ${token.sub}, ${token.client_id}, ${token.scope}, ${path.NAME} for a {NAME} of the path, ${query.NAME}", quote(s[i:i+end+1]))
		}
		if lit.Len() > 0 {
			out = append(out, part{literal: lit.String()})
			lit.Reset()
		}
		out = append(out, ph)
		if len(out) > maxPlaceholders {
			p.Addf(field, "more than %d placeholders", maxPlaceholders)
			return out
		}
		s = s[i+end+1:]
	}
	if lit.Len() > 0 || len(out) == 0 {
		out = append(out, part{literal: lit.String()})
	}
	return out
}

func placeholder(ref string, names []string) (part, bool) {
	switch ref {
	case "token.sub":
		return part{src: srcTokenSub}, true
	case "token.client_id":
		return part{src: srcTokenClient}, true
	case "token.scope":
		return part{src: srcTokenScope}, true
	}
	if name, ok := strings.CutPrefix(ref, "path."); ok {
		for i, n := range names {
			if n == name {
				return part{src: srcPath, index: i}, true
			}
		}
		return part{}, false
	}
	if name, ok := strings.CutPrefix(ref, "query."); ok && name != "" {
		return part{src: srcQuery, name: name}, true
	}
	return part{}, false
}

// literalOnly reports whether t has no placeholder.
func (t text) literalOnly() bool { return len(t) == 1 && t[0].src == srcLiteral }

// quote echoes a value in an error, cut short.
func quote(s string) string {
	if len(s) > 60 {
		s = s[:60] + "…"
	}
	return `"` + strings.ToValidUTF8(s, "?") + `"`
}
