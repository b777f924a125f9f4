package fakeidp

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/fault"
	"github.com/fakeidp/fakeidp/fakeidp/internal/problems"
	"github.com/fakeidp/fakeidp/fakeidp/stub"
)

// The four readers of documents (fault rules, stubs, fixtures overlays,
// sandbox overlays) share the one problems type, and each reports every
// problem of a document at once, each naming its path.
func TestOneProblemsType(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	base, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		read func() error
		want []string
	}{
		{"fault rule", func() error {
			_, _, err := fault.DecodeJSON([]byte(`{"match": {"site": "kontur", "colour": 1}, "effect": {"type": "error", "error": "invalid_client", "size": 2}}`))
			return err
		}, []string{`match: unknown field "colour"`, `effect: unknown field "size"`}},
		{"stub", func() error {
			_, _, err := stub.DecodeJSON([]byte(`{"site": "medi-api", "path": "/x", "colour": 1, "response": {"size": 2}}`))
			return err
		}, []string{`unknown field "colour"`, `response: unknown field "size"`}},
		{"fixtures", func() error {
			_, err := config.Overlay(base, []byte("kontur:\n  colour: 1\nlivedigital:\n  size: 2\n"), config.OverlayFile)
			return err
		}, []string{`kontur.colour: unknown field`, `livedigital.size: unknown field`}},
		{"sandbox", func() error {
			_, err := s.NewSandbox(context.Background(), []byte("kontur:\n  colour: 1\nlivedigital:\n  size: 2\n"))
			return err
		}, []string{`fixtures.kontur.colour: unknown field`, `fixtures.livedigital.size: unknown field`}},
	} {
		var pe *problems.Error
		if err := tt.read(); !errors.As(err, &pe) {
			t.Errorf("%s: err = %#v, want a *problems.Error", tt.name, err)
			continue
		}
		for _, w := range tt.want {
			if !slices.ContainsFunc(pe.Problems, func(p string) bool { return strings.HasPrefix(p, w) }) {
				t.Errorf("%s: problems %q lack one starting %q", tt.name, pe.Problems, w)
			}
		}
		if len(pe.Problems) != len(tt.want) {
			t.Errorf("%s: %d problems %q, want %d", tt.name, len(pe.Problems), pe.Problems, len(tt.want))
		}
	}
}
