package config

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"
)

// walker applies a fixtures document, as yaml.Node, onto a Config field by
// field. Walking the nodes ourselves, rather than decoding into the struct,
// is what lets every problem name its YAML path (kontur.clients[2].id) and
// lets all of them be reported at once: yaml's decoder stops at the first
// unknown field and names a Go type for a wrong one.
type walker struct {
	mode  OverlayMode
	probs Problems
	// bad are the paths with a problem, so that Validate's complaint about
	// the same field is not reported twice.
	bad map[string]bool
	// lines maps each path given in the document to its line, for Validate's
	// problems.
	lines map[string]int
	// renames turn a merged list entry's path into the document's path.
	renames map[string]rename
	// budget bounds the values applied, so YAML aliases cannot multiply a
	// small document into a huge one.
	budget int
}

// rename is where the document gave a list entry (to); note says which
// entry it is when the document did not give it.
type rename struct{ to, note string }

// valueBudget bounds how many values a document of n bytes may apply,
// aliases expanded. Without aliases every value takes at least a byte, so
// only a document that multiplies itself through aliases runs out.
func valueBudget(n int) int { return n + 1024 }

var (
	durationType = reflect.TypeFor[Duration]()
	nodeType     = reflect.TypeFor[yaml.Node]()
)

func newWalker(mode OverlayMode, size int) *walker {
	return &walker{mode: mode, bad: map[string]bool{}, lines: map[string]int{},
		renames: map[string]rename{}, budget: valueBudget(size)}
}

// problem records a problem at path, with the line it is on.
func (w *walker) problem(path string, n *yaml.Node, format string, args ...any) {
	w.bad[path] = true
	msg := fmt.Sprintf(format, args...)
	if n != nil && n.Line > 0 {
		msg += fmt.Sprintf(" (line %d)", n.Line)
	}
	if path == "" {
		path = "(document)"
	}
	w.probs = append(w.probs, path+": "+msg)
}

// resolve follows aliases to the node they name.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func isNull(n *yaml.Node) bool { return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null" }

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// apply sets v from n: mappings merge field by field, keyed lists merge
// entry by entry (see mergeList), and anything else given replaces.
func (w *walker) apply(n *yaml.Node, v reflect.Value, path string) {
	if w.budget--; w.budget == 0 {
		w.problem(path, n, "the document expands to too many values through YAML aliases")
	}
	if w.budget <= 0 {
		return
	}
	n = resolve(n)
	if path != "" {
		w.lines[path] = n.Line
	}
	t := v.Type()
	switch {
	case t == nodeType:
		v.Set(reflect.ValueOf(*n))
	case t == durationType:
		w.duration(n, v, path)
	case t.Kind() == reflect.Struct:
		w.applyStruct(n, v, path)
	case t.Kind() == reflect.Pointer:
		if isNull(n) {
			v.Set(reflect.Zero(t))
			return
		}
		if v.IsNil() {
			v.Set(reflect.New(t.Elem()))
		}
		w.apply(n, v.Elem(), path)
	case t.Kind() == reflect.Map && t.Key().Kind() == reflect.String:
		w.applyMap(n, v, path)
	case t.Kind() == reflect.Slice && t.Elem().Kind() != reflect.Uint8:
		w.applySlice(n, v, path)
	default:
		w.leaf(n, v, path)
	}
}

// shaped does what every list and map does first: null clears v, and a
// node of another kind than the one wanted is a problem. It reports
// whether n is of that kind.
func (w *walker) shaped(n *yaml.Node, v reflect.Value, path string, kind yaml.Kind) bool {
	if isNull(n) {
		v.Set(reflect.Zero(v.Type()))
		return false
	}
	if n.Kind != kind {
		w.problem(path, n, "want %s, got %s", describe(&yaml.Node{Kind: kind}), describe(n))
		return false
	}
	return true
}

// applyStruct merges a mapping onto a struct. A null or empty section
// changes nothing.
func (w *walker) applyStruct(n *yaml.Node, v reflect.Value, path string) {
	if isNull(n) {
		return
	}
	if n.Kind != yaml.MappingNode {
		w.problem(path, n, "want a mapping, got %s", describe(n))
		return
	}
	fields := fieldsOf(v.Type())
	for _, kv := range w.pairs(n, path) {
		key, val := kv[0].Value, kv[1]
		fp := join(path, key)
		// Refusals first: a sandbox is told "tls" is not its to change
		// even by a build that does not know the field.
		if why := w.refused(fp); why != "" {
			w.problem(fp, kv[0], "%s", why)
			continue
		}
		i, ok := fields.index[key]
		if !ok {
			w.problem(fp, kv[0], "unknown field; known: %s", strings.Join(fields.names, ", "))
			continue
		}
		if merge := fields.merge[i]; merge != nil {
			w.mergeList(val, v.Field(i), fp, merge)
			continue
		}
		w.apply(val, v.Field(i), fp)
	}
}

// applyMap merges a mapping onto a map by key: a key given replaces (or,
// for struct values, merges onto) that entry, and null removes it.
func (w *walker) applyMap(n *yaml.Node, v reflect.Value, path string) {
	if !w.shaped(n, v, path, yaml.MappingNode) {
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	for _, kv := range w.pairs(n, path) {
		key := reflect.ValueOf(kv[0].Value).Convert(v.Type().Key())
		if why := w.refused(join(path, kv[0].Value)); why != "" {
			w.problem(join(path, kv[0].Value), kv[0], "%s", why)
			continue
		}
		if isNull(resolve(kv[1])) {
			v.SetMapIndex(key, reflect.Value{})
			continue
		}
		e := reflect.New(v.Type().Elem()).Elem()
		if old := v.MapIndex(key); old.IsValid() {
			e.Set(old)
		}
		w.apply(kv[1], e, join(path, kv[0].Value))
		v.SetMapIndex(key, e)
	}
}

// applySlice replaces a list with the one given.
func (w *walker) applySlice(n *yaml.Node, v reflect.Value, path string) {
	if !w.shaped(n, v, path, yaml.SequenceNode) {
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, e := range n.Content {
		w.apply(e, s.Index(i), fmt.Sprintf("%s[%d]", path, i))
	}
	v.Set(s)
}

// duration reads "5m", "45s" or "1209599s".
func (w *walker) duration(n *yaml.Node, v reflect.Value, path string) {
	if isNull(n) {
		v.SetInt(0)
		return
	}
	if n.Kind != yaml.ScalarNode {
		w.problem(path, n, "want a duration such as \"5m\" or \"45s\", got %s", describe(n))
		return
	}
	d, err := time.ParseDuration(n.Value)
	if err != nil {
		w.problem(path, n, "%q is not a duration such as \"5m\" or \"45s\"", n.Value)
		return
	}
	v.SetInt(int64(d))
}

// leaf decodes a value that is replaced whole: a scalar, or a value of any
// shape (a claim, a space).
func (w *walker) leaf(n *yaml.Node, v reflect.Value, path string) {
	if isNull(n) {
		v.Set(reflect.Zero(v.Type()))
		return
	}
	scalar := v.Kind() != reflect.Interface && v.Kind() != reflect.Map && v.Kind() != reflect.Slice
	if scalar && n.Kind != yaml.ScalarNode {
		w.problem(path, n, "want %s, got %s", want(v.Type()), describe(n))
		return
	}
	p := reflect.New(v.Type())
	if err := n.Decode(p.Interface()); err != nil {
		if scalar {
			w.problem(path, n, "want %s, got %s", want(v.Type()), describe(n))
		} else {
			w.problem(path, n, "%v", err)
		}
		return
	}
	v.Set(p.Elem())
}

// want names the kind of value a Go type takes, in the document's words.
func want(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "a boolean (true or false)"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return t.String()
}

// describe names what a node holds, for "want X, got Y".
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	return strconv.Quote(n.Value)
}
