package config

import (
	"fmt"
	"reflect"
	"strings"
	"sync"

	"go.yaml.in/yaml/v3"
)

// structFields is what the walker needs to know of a struct type.
type structFields struct {
	index map[string]int // yaml name → field index
	names []string       // yaml names in declaration order, for "known: …"
	// merge holds, per field, the key fields of a list merged by key (the
	// field's merge tag), or nil.
	merge [][]string
}

var fieldCache sync.Map // reflect.Type → *structFields

// fieldsOf reads a struct's yaml and merge tags once per type.
func fieldsOf(t reflect.Type) *structFields {
	if f, ok := fieldCache.Load(t); ok {
		return f.(*structFields)
	}
	f := &structFields{index: map[string]int{}, merge: make([][]string, t.NumField())}
	for i := range t.NumField() {
		sf := t.Field(i)
		name, _, _ := strings.Cut(sf.Tag.Get("yaml"), ",")
		if !sf.IsExported() || name == "-" {
			continue
		}
		if name == "" {
			name = strings.ToLower(sf.Name)
		}
		f.index[name] = i
		f.names = append(f.names, name)
		if m := sf.Tag.Get("merge"); m != "" {
			f.merge[i] = strings.Split(m, ",")
		}
	}
	fc, _ := fieldCache.LoadOrStore(t, f)
	return fc.(*structFields)
}

// pairs lists a mapping's key/value pairs, refusing keys given twice (yaml
// keeps the last silently) and non-string keys. YAML merge keys (<<: *x)
// are expanded; keys given explicitly win over merged ones.
func (w *walker) pairs(n *yaml.Node, path string) [][2]*yaml.Node { return w.pairsOf(n, path, true) }

// pairsOf is pairs, reporting problems only when report is set.
func (w *walker) pairsOf(n *yaml.Node, path string, report bool) [][2]*yaml.Node {
	var out, merged [][2]*yaml.Node
	seen := map[string]*yaml.Node{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch {
		case k.Kind == yaml.ScalarNode && k.ShortTag() == "!!merge":
			merged = append(merged, w.mergeKey(v, path, report)...)
		case k.Kind != yaml.ScalarNode:
			if report {
				w.problem(path, k, "keys must be strings, got %s", describe(k))
			}
		case seen[k.Value] != nil:
			if report {
				w.problem(join(path, k.Value), k, "given twice (also on line %d)", seen[k.Value].Line)
			}
		default:
			seen[k.Value] = k
			out = append(out, [2]*yaml.Node{k, v})
		}
	}
	for _, kv := range merged {
		if seen[kv[0].Value] == nil {
			seen[kv[0].Value] = kv[0]
			out = append(out, kv)
		}
	}
	return out
}

// mergeKey returns the pairs a YAML merge key brings in: one mapping or a
// list of them, the first one winning.
func (w *walker) mergeKey(v *yaml.Node, path string, report bool) [][2]*yaml.Node {
	v = resolve(v)
	maps := []*yaml.Node{v}
	if v.Kind == yaml.SequenceNode {
		maps = v.Content
	}
	var out [][2]*yaml.Node
	for _, m := range maps {
		if m = resolve(m); m.Kind != yaml.MappingNode {
			if report {
				w.problem(join(path, "<<"), m, "want a mapping to merge, got %s", describe(m))
			}
			continue
		}
		out = append(out, w.pairsOf(m, path, report)...)
	}
	return out
}

// mergeList merges a list onto a list whose entries are named by keys (a
// client's id, a user's username, a phone's code and number): an entry
// whose key is in the base is merged onto it field by field, any other is
// added. An entry without its key is added too (Validate then says the key
// is empty; stubs without an id are simply appended). The same key twice
// in one document is a problem naming both places.
func (w *walker) mergeList(n *yaml.Node, v reflect.Value, path string, keys []string) {
	if n = resolve(n); !w.shaped(n, v, path, yaml.SequenceNode) {
		return
	}
	touched := map[int]bool{}
	seen := map[string]string{}
	base := v.Len()
	index := make(map[string]int, base)
	for j := range base {
		if key := w.entryKey(v.Index(j), keys); key != "" {
			index[key] = j
		}
	}
	for i, en := range n.Content {
		ep := fmt.Sprintf("%s[%d]", path, i)
		if en = resolve(en); en.Kind != yaml.MappingNode {
			w.problem(ep, en, "want a mapping, got %s", describe(en))
			continue
		}
		idx, known := -1, false
		if key := w.keyOf(en, keys, ep); key != "" {
			if prev, dup := seen[key]; dup {
				w.problem(join(ep, keys[0]), en, "duplicate %s (also at %s)", keyText(keys, key), prev)
			} else {
				seen[key] = ep
				idx, known = index[key]
			}
		}
		if !known {
			v.Set(reflect.Append(v, reflect.Zero(v.Type().Elem())))
			idx = v.Len() - 1
		}
		touched[idx] = true
		w.renames[fmt.Sprintf("%s[%d]", path, idx)] = rename{to: ep}
		w.apply(en, v.Index(idx), ep)
	}
	for j := range base {
		if !touched[j] {
			key := keyText(keys, w.entryKey(v.Index(j), keys))
			f := fmt.Sprintf("%s[%d]", path, j)
			w.renames[f] = rename{to: f, note: "base entry with " + key}
		}
	}
}

// keyOf is an entry's key as the document gives it: the key fields'
// values joined, or "" when none is given.
func (w *walker) keyOf(n *yaml.Node, keys []string, path string) string {
	vals := make([]string, len(keys))
	given := false
	for _, kv := range w.pairsOf(n, path, false) {
		for i, k := range keys {
			if v := resolve(kv[1]); kv[0].Value == k && v.Kind == yaml.ScalarNode && !isNull(v) {
				vals[i], given = v.Value, true
			}
		}
	}
	if !given {
		return ""
	}
	return strings.Join(vals, "\x00")
}

// entryKey is a base entry's key, joined as keyOf joins it. An entry kept
// as a yaml.Node (a stub) has its key read from the node.
func (w *walker) entryKey(e reflect.Value, keys []string) string {
	if e.Type() == nodeType {
		n := e.Addr().Interface().(*yaml.Node)
		if n.Kind != yaml.MappingNode {
			return ""
		}
		return w.keyOf(n, keys, "")
	}
	fields := fieldsOf(e.Type())
	vals := make([]string, len(keys))
	for i, k := range keys {
		vals[i] = fmt.Sprint(e.Field(fields.index[k]).Interface())
	}
	return strings.Join(vals, "\x00")
}

// keyText shows a joined key: id "x", or code "7" number "999".
func keyText(keys []string, key string) string {
	vals := strings.Split(key, "\x00")
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s %q", k, vals[i])
	}
	return strings.Join(parts, " ")
}

// refused says why a sandbox may not set the field at path, or "".
func (w *walker) refused(path string) string {
	if w.mode != OverlaySandbox {
		return ""
	}
	switch top, _, _ := strings.Cut(path, "."); {
	case path == "keys" || path == "spare_keys" || path == "livedigital.hs256_secret":
		return "a sandbox may not change signing keys"
	case top == "tls":
		return "a sandbox may not change TLS settings"
	case top == "server" && path != "server" && path != "server.explain_header":
		// server.explain_header is no limit: it only adds a header to
		// the sandbox's own refused answers.
		return "a sandbox may not change server limits"
	case top == "sites" && path != "sites":
		return "a sandbox's sites live under its own URL, which it may not change"
	}
	return ""
}
