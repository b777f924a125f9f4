package config

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// OverlayMode says what an overlay may change.
type OverlayMode int

const (
	// OverlayFile is fakeidp --config: an overlay may change anything.
	OverlayFile OverlayMode = iota
	// OverlaySandbox is a sandbox's fixtures: keys, spare_keys,
	// livedigital.hs256_secret, tls, every server.* limit and every
	// sites.* entry (a sandbox's site URLs are its own) are refused, each
	// naming its field.
	OverlaySandbox
)

// MaxDocumentBytes caps a fixtures document or overlay: about 80 times
// the default fixtures, and small enough that parsing stays cheap.
const MaxDocumentBytes = 1 << 20

// Overlay applies doc, a partial fixtures document in YAML or JSON, onto a
// copy of base, fills defaults and validates the result. base is not
// modified and may be shared between goroutines.
//
// Lists of named entries merge by name: kontur.clients by id, kontur.users
// by username, kontur.api_resources and presets by name,
// doktornarabote.clients by id, doktornarabote.phones by code and number,
// livedigital.users by email and livedigital.clients by id. An entry whose
// name is in the base is merged onto it field by field; another is added.
// Stubs are added, but for one with the id of a base stub, which replaces
// it.
// Everywhere else a field given replaces that field (a list given replaces
// the list), maps such as claims and sites merge by key, and null clears a
// field or removes a map entry.
//
// Every error is a *ValidationError listing each problem with its path in
// doc (kontur.clients[2].redirect_uris[0]) and, where known, its line.
func Overlay(base *Config, doc []byte, mode OverlayMode) (*Config, error) {
	return applyDoc(base.Clone(), doc, mode)
}

// applyDoc applies doc onto c, which it owns, then fills defaults and
// validates.
func applyDoc(c *Config, doc []byte, mode OverlayMode) (*Config, error) {
	if len(doc) > MaxDocumentBytes {
		return nil, invalid(fmt.Sprintf(
			"(document): too large; a fixtures document may have at most %d bytes", MaxDocumentBytes))
	}
	root, err := parseDoc(doc)
	if err != nil {
		return nil, invalid("(document): " + err.Error())
	}
	w := newWalker(mode, len(doc))
	if root != nil {
		w.apply(root, reflect.ValueOf(c).Elem(), "")
	}
	c.Defaults()
	probs := w.probs
	var ve *ValidationError
	if errors.As(c.Validate(), &ve) {
		for _, p := range ve.Problems {
			if p, ok := w.locate(p); ok {
				probs = append(probs, p)
			}
		}
	}
	if len(probs) > 0 {
		return nil, invalid(probs...)
	}
	return c, nil
}

// locate rewrites one of Validate's problems, which name a path in the
// merged Config, to name the path in the document (and its line) or the
// base entry it concerns. ok is false when the walker already reported a
// problem with that field.
func (w *walker) locate(problem string) (string, bool) {
	field, msg, _ := strings.Cut(problem, ": ")
	note := ""
	for from := field; from != ""; from = parent(from) {
		if r, ok := w.renames[from]; ok {
			field = r.to + field[len(from):]
			if r.note != "" {
				note = " (" + r.note + ")"
			}
			break
		}
	}
	for p := field; p != ""; p = parent(p) {
		if w.bad[p] {
			return "", false
		}
	}
	if line := w.lines[field]; line > 0 && note == "" {
		note = fmt.Sprintf(" (line %d)", line)
	}
	return field + ": " + msg + note, true
}

// parent is the path one step up: a.b[2] → a.b → a → "".
func parent(path string) string {
	i := strings.LastIndexAny(path, ".[")
	if i < 0 {
		return ""
	}
	return path[:i]
}
