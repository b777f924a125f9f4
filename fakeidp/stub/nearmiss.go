package stub

import (
	"cmp"
	"net/http"
	"slices"
	"strings"

	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// maxNearMisses is how many near misses a refusal lists, as WireMock's
// near-miss report does.
const maxNearMisses = 3

// nearMisses lists the stubs of site closest to a request none answered,
// closest first, each with what differs: "method", "path", "token" (the
// kind of token), "scope". Only the refusal path pays for it: it looks at
// every stub of the site.
func (s *Set) nearMisses(siteName, method, path string, tok *Token) []site.NearMiss {
	type scored struct {
		c       *compiled
		differs []string
		score   int
	}
	segs := strings.Split(strings.Trim(path, "/"), "/")
	var all []scored
	s.mu.RLock()
	for _, c := range s.byID {
		if c.stub.Site != siteName {
			continue
		}
		var differs []string
		score := 0
		if c.stub.Method != method && !(method == http.MethodHead && c.stub.Method == http.MethodGet) {
			differs, score = append(differs, "method"), score+1
		}
		if d := c.path.distance(segs); d > 0 {
			// A wrong path weighs more than a wrong method: a stub for
			// the same path is what the caller most likely meant.
			differs, score = append(differs, "path"), score+2+d
		}
		switch code, _ := tok.refusal(&c.stub.Require); code {
		case "token_kind":
			differs, score = append(differs, "token"), score+1
		case "token_scope":
			differs, score = append(differs, "scope"), score+1
		}
		all = append(all, scored{c, differs, score})
	}
	s.mu.RUnlock()
	slices.SortFunc(all, func(a, b scored) int {
		return cmp.Or(cmp.Compare(a.score, b.score), cmp.Compare(a.c.seq, b.c.seq))
	})
	out := make([]site.NearMiss, 0, min(len(all), maxNearMisses))
	for _, x := range all[:min(len(all), maxNearMisses)] {
		out = append(out, site.NearMiss{ID: x.c.stub.ID, Method: x.c.stub.Method, Path: x.c.stub.Path, Differs: x.differs})
	}
	return out
}

// distance is 0 when the template matches the path's segments, else how
// many segments differ (missing or extra ones counted).
func (t *pathTemplate) distance(segs []string) int {
	if len(segs) == 1 && segs[0] == "" {
		segs = nil
	}
	d := max(len(segs), len(t.segments)) - min(len(segs), len(t.segments))
	for i := range min(len(segs), len(t.segments)) {
		seg := t.segments[i]
		if seg.param && segs[i] != "" || !seg.param && seg.literal == segs[i] {
			continue
		}
		d++
	}
	return d
}
