package stub

import (
	"net/http"
	"strings"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp/internal/problems"
)

// FuzzPathTemplate: any template either parses with no problem, and then
// matches a path made from it with each {name} filled in, or is refused
// with problems; it never panics.
func FuzzPathTemplate(f *testing.F) {
	for _, seed := range []string{"/", "/V2/policies/{id}", "/a/{b}/c/{d}/", "//", "/{}", "/{1a}", "/x{y}", "/{a}/{a}", "", "nope", "/é/{ü}", "/a?b"} {
		f.Add(seed, "v")
	}
	f.Fuzz(func(t *testing.T, template, value string) {
		var p problems.List
		tmpl := parsePath(template, &p, "path")
		if len(p) > 0 {
			return
		}
		if value == "" || strings.ContainsAny(value, "/?#") {
			value = "v"
		}
		s := newTestSet(t, 0)
		if _, err := s.Add(Stub{Site: "medi-api", Path: template}); err != nil {
			t.Fatalf("template %q parsed but Add refused it: %v", template, err)
		}
		var b strings.Builder
		for _, seg := range tmpl.segments {
			b.WriteByte('/')
			if seg.param {
				b.WriteString(value)
			} else {
				b.WriteString(seg.literal)
			}
		}
		path := b.String()
		if path == "" {
			path = "/"
		}
		m := s.match("medi-api", http.MethodGet, path, &Token{})
		if m.stub == nil {
			t.Fatalf("template %q does not match %q", template, path)
		}
		for _, v := range m.params {
			if v != value {
				t.Fatalf("template %q on %q: param %q, want %q", template, path, v, value)
			}
		}
	})
}

// FuzzMatch: whatever stubs are installed and whatever is asked, matching
// never panics, a match has one value per {name}, and rendering the answer
// with those values gives valid output.
func FuzzMatch(f *testing.F) {
	f.Add("/a/{x}", "/a/{y}/b", "/a/1/b", "GET", "q=1")
	f.Add("/", "/{x}", "/", "HEAD", "")
	f.Add("/p/special", "/p/{id}", "/p/special/", "POST", "a=%zz")
	f.Add("/{a}/{b}/{c}", "/x/y/z", "/x/y/z", "GET", "")
	f.Fuzz(func(t *testing.T, t1, t2, path, method, query string) {
		s := newTestSet(t, 0)
		for _, tmpl := range []string{t1, t2} {
			_, _ = s.Add(Stub{Site: "medi-api", Path: tmpl, Response: Response{
				Headers: map[string]string{"X-Q": "${query.q}"},
				JSON:    []byte(`{"q":"${query.q}","sub":"${token.sub}"}`),
			}})
		}
		if !strings.HasPrefix(path, "/") {
			path = "/" + path
		}
		m := s.match("medi-api", method, path, &Token{Subject: "\x00\"\\"})
		if m.stub == nil {
			return
		}
		if len(m.params) != len(m.stub.path.names) {
			t.Fatalf("%d values for %d names", len(m.params), len(m.stub.path.names))
		}
		v := &values{token: &Token{Subject: "\x00\"\\"}, params: m.params, rawQuery: query}
		body := m.stub.body.appendTo(nil, v, true)
		if !jsonValid(body) {
			t.Fatalf("rendered body is not JSON: %q", body)
		}
		if h := m.stub.headers[0].value.appendTo(nil, v, false); !validHeaderValue(string(h)) {
			t.Fatalf("rendered header %q is not a valid header value", h)
		}
	})
}
