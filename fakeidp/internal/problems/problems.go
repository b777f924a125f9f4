// Package problems is fakeidp's one way of saying what is wrong with a
// document it was given (a fault rule, a stub, a fixtures file or
// overlay, a sandbox request): every problem at once, each naming its
// path, e.g. "stubs[2].response.status: …" or
// "kontur.clients[2].redirect_uris[0]: … (line 7)". The control API
// sends the list as {"error": …, "problems": […]} (controljson.Error).
//
// It imports no other fakeidp package.
package problems

import (
	"fmt"
	"slices"
	"strings"
)

// List collects problems so that all are reported at once.
type List []string

// Add records msg about path; an empty path is the document itself.
func (p *List) Add(path, msg string) {
	if path == "" {
		*p = append(*p, msg)
		return
	}
	*p = append(*p, path+": "+msg)
}

// Addf is Add with a format.
func (p *List) Addf(path, format string, args ...any) {
	p.Add(path, fmt.Sprintf(format, args...))
}

// Under records each of msgs prefixed by prefix, e.g. "stubs[2]." or
// "rules[0]: ".
func (p *List) Under(prefix string, msgs []string) {
	for _, m := range msgs {
		*p = append(*p, prefix+m)
	}
}

// Capped keeps the first max problems and says how many more there are,
// so that 10,000 broken items do not make a 10,000-line refusal.
func (p List) Capped(max int) List {
	if len(p) <= max {
		return p
	}
	return append(p[:max:max], fmt.Sprintf("… and %d more problems", len(p)-max))
}

// Err is nil when there are no problems, else an *Error about what
// ("stub", "fault rule"), its problems listed on one line.
func (p List) Err(what string) error {
	if len(p) == 0 {
		return nil
	}
	return &Error{What: what, Problems: p}
}

// FileErr is Err for a file read by a person at a terminal (the
// fixtures): one problem per line.
func (p List) FileErr(what string) error {
	if len(p) == 0 {
		return nil
	}
	return &Error{What: what, Problems: p, Lines: true}
}

// Beyond is the problems of invalid (a validator's, "field: …") whose
// field decoding (strictjson.DecodeAll's) has not already reported as of
// the wrong type: a field of the wrong type is reported as such, not
// again as missing or invalid.
func Beyond(decoding, invalid []string) []string {
	var out []string
	for _, msg := range invalid {
		field, _, _ := strings.Cut(msg, ": ")
		if !slices.ContainsFunc(decoding, func(d string) bool { return strings.HasPrefix(d, field+": want ") }) {
			out = append(out, msg)
		}
	}
	return out
}

// Error lists everything wrong with a document, each problem naming its
// path. It is the one problems type of fault rules, stubs, fixtures
// (config) and sandbox requests.
type Error struct {
	// What was invalid: "stub", "fault rule", "fixtures", "sandbox".
	What     string
	Problems []string
	// Lines puts each problem on a line of its own.
	Lines bool
}

func (e *Error) Error() string {
	if e.Lines {
		return "invalid " + e.What + ":\n  " + strings.Join(e.Problems, "\n  ")
	}
	return "invalid " + e.What + ": " + strings.Join(e.Problems, "; ")
}
