package stub

import (
	"maps"
	"net/http"
	"slices"
	"strings"
)

// node is one level of a site's path index. A request walks it segment by
// segment, trying the literal child before the {name} child, so that
// "/policies/special" wins over "/policies/{id}". Each node sits at one
// depth and is reached by one route, so a walk visits every node at most
// once however the stubs are shaped: matching costs the path's length,
// not the number of stubs.
type node struct {
	literal map[string]*node
	param   *node
	// stubs ending here, newest first: a stub added later overrides an
	// earlier one for the same method and path.
	stubs []*compiled
}

func (n *node) insert(c *compiled) {
	for _, seg := range c.path.segments {
		n = n.child(seg)
	}
	n.stubs = append([]*compiled{c}, n.stubs...)
}

func (n *node) child(seg segment) *node {
	if seg.param {
		if n.param == nil {
			n.param = &node{}
		}
		return n.param
	}
	if n.literal == nil {
		n.literal = map[string]*node{}
	}
	next := n.literal[seg.literal]
	if next == nil {
		next = &node{}
		n.literal[seg.literal] = next
	}
	return next
}

// remove drops c below n and prunes the nodes it leaves empty; it reports
// whether n itself is empty now.
func (n *node) remove(c *compiled, segs []segment) bool {
	if len(segs) == 0 {
		for i, x := range n.stubs {
			if x == c {
				n.stubs = append(n.stubs[:i:i], n.stubs[i+1:]...)
				break
			}
		}
	} else {
		seg := segs[0]
		switch {
		case seg.param && n.param != nil:
			if n.param.remove(c, segs[1:]) {
				n.param = nil
			}
		case !seg.param && n.literal[seg.literal] != nil:
			if n.literal[seg.literal].remove(c, segs[1:]) {
				delete(n.literal, seg.literal)
			}
		}
	}
	return len(n.stubs) == 0 && len(n.literal) == 0 && n.param == nil
}

// maxParams bounds the {name}s a path may have: a template has at most
// maxSegments segments.
const maxParams = maxSegments

// found is the stubs of the first node, in walk order, that has a stub
// for the request's method, with the path's {name} values.
type found struct {
	stubs  []*compiled
	params [maxParams]string
	n      int
}

// find walks rest (the path after a leading slash, trailing slash
// dropped) from n.
func (n *node) find(method, rest string, f *found) bool {
	if rest == "" {
		return f.take(n.stubs, method)
	}
	seg, tail, _ := strings.Cut(rest, "/")
	if next := n.literal[seg]; next != nil && next.find(method, tail, f) {
		return true
	}
	if n.param != nil && seg != "" && f.n < maxParams {
		f.params[f.n] = seg
		f.n++
		if n.param.find(method, tail, f) {
			return true
		}
		f.n--
	}
	return false
}

// take keeps the stubs for method, if there are any.
func (f *found) take(stubs []*compiled, method string) bool {
	for i, c := range stubs {
		if c.stub.Method == method || (method == http.MethodHead && c.stub.Method == http.MethodGet) {
			f.stubs = stubs[i:]
			return true
		}
	}
	return false
}

// match is the stub that answers a request, or why none does.
type match struct {
	stub   *compiled
	params []string
	// reason is set when stubs matched the path and method but none
	// accepted the token; code is its reason code, refusedBy the stub.
	code, reason, refusedBy string
}

// match finds the stub for a request on site. The stub is immutable; the
// lock is released before it is written.
func (s *Set) match(site, method, path string, tok *Token) match {
	var f found
	path = strings.TrimSuffix(path, "/")
	s.mu.RLock()
	root := s.roots[site]
	ok := root != nil && root.find(method, strings.TrimPrefix(path, "/"), &f)
	s.mu.RUnlock()
	if !ok {
		return match{}
	}
	var refused match
	for _, c := range f.stubs {
		if c.stub.Method != method && !(method == http.MethodHead && c.stub.Method == http.MethodGet) {
			continue
		}
		code, why := tok.refusal(&c.stub.Require)
		if code == "" {
			return match{stub: c, params: slices.Clone(f.params[:f.n])}
		}
		if refused.code == "" {
			refused.code, refused.reason, refused.refusedBy = code, why, c.stub.ID
		}
	}
	return refused
}

// allowed lists, for the Allow header, the methods that stubs on site
// answer for path under any template that matches it (a GET stub answers
// HEAD too), sorted and comma-separated; "" when no stub matches the path.
func (s *Set) allowed(site, path string) string {
	path = strings.TrimPrefix(strings.TrimSuffix(path, "/"), "/")
	methods := map[string]bool{}
	s.mu.RLock()
	if root := s.roots[site]; root != nil {
		root.methods(path, 0, methods)
	}
	s.mu.RUnlock()
	if methods[http.MethodGet] {
		methods[http.MethodHead] = true
	}
	return strings.Join(slices.Sorted(maps.Keys(methods)), ", ")
}

// methods adds the methods of every stub whose template matches rest,
// literal and {name} branches alike, as endpoint routing collects the
// candidates before it looks at the method. depth bounds the {name}s as
// find does.
func (n *node) methods(rest string, depth int, into map[string]bool) {
	if rest == "" {
		for _, c := range n.stubs {
			into[c.stub.Method] = true
		}
		return
	}
	seg, tail, _ := strings.Cut(rest, "/")
	if next := n.literal[seg]; next != nil {
		next.methods(tail, depth, into)
	}
	if n.param != nil && seg != "" && depth < maxParams {
		n.param.methods(tail, depth+1, into)
	}
}
