package config

import (
	"errors"
	"reflect"
	"testing"
)

// Whatever a sandbox sends as its fixtures, Overlay answers with a
// Config or a ValidationError, never a panic, and leaves the base alone.
func FuzzOverlay(f *testing.F) {
	for _, seed := range []string{
		"kontur:\n  clients:\n    - {id: yourClientId, redirect_uris: [\"http://127.0.0.1/cb\"]}\n",
		`{"kontur": {"users": [{"username": "u", "password": "p", "subject": "s", "claims": {"a": [1, {"b": null}]}}]}}`,
		"a: &a [x, *a]\n",
		"kontur: {clients: [{<<: {id: x}, id: y}]}\n",
		"doktornarabote: {phones: [{code: 1, number: 1}, {code: 1, number: 1}]}\nstubs: [{id: a}, 3]\n",
		"server: {max_tokens: [1]}\nsites: {kontur: null, x: {}}\npresets: [{name: connection-reset, rules: 5}]\n",
		"[[[[[[[[[[]]]]]]]]]]", "{\"a\":", "\t", "- - -", "kontur:\n  code_lifetime: -5s\n",
	} {
		f.Add([]byte(seed), false)
	}
	base, err := Default()
	if err != nil {
		f.Fatal(err)
	}
	before := base.Clone()
	f.Fuzz(func(t *testing.T, doc []byte, sandbox bool) {
		mode := OverlayFile
		if sandbox {
			mode = OverlaySandbox
		}
		c, err := Overlay(base, doc, mode)
		var ve *ValidationError
		if err != nil && !errors.As(err, &ve) {
			t.Fatalf("not a ValidationError: %v", err)
		}
		if err == nil && c == nil {
			t.Fatal("no Config and no error")
		}
		if c == base {
			t.Fatal("the base itself was returned")
		}
	})
	if !reflect.DeepEqual(base, before) {
		f.Error("the base changed")
	}
}
