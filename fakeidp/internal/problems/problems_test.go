package problems

import (
	"slices"
	"testing"
)

func TestList(t *testing.T) {
	var p List
	if p.Err("stub") != nil {
		t.Error("no problems, yet an error")
	}
	p.Add("", "unknown field \"x\"")
	p.Addf("response.status", "%d is not an HTTP status", 99)
	p.Under("stubs[1].", []string{"path: is empty"})
	want := List{`unknown field "x"`, `response.status: 99 is not an HTTP status`, `stubs[1].path: is empty`}
	if !slices.Equal(p, want) {
		t.Errorf("got %q, want %q", p, want)
	}
	if got := p.Err("stub").Error(); got != `invalid stub: unknown field "x"; response.status: 99 is not an HTTP status; stubs[1].path: is empty` {
		t.Errorf("Err: %q", got)
	}
	if got := p[:2].FileErr("fixtures").Error(); got != "invalid fixtures:\n  unknown field \"x\"\n  response.status: 99 is not an HTTP status" {
		t.Errorf("FileErr: %q", got)
	}
	if got := p.Capped(1); !slices.Equal(got, List{`unknown field "x"`, "… and 2 more problems"}) {
		t.Errorf("Capped: %q", got)
	}
	if got := p.Capped(3); len(got) != 3 {
		t.Errorf("Capped(3) of 3: %q", got)
	}
}

func TestBeyond(t *testing.T) {
	decoding := []string{`site: want string, got JSON number`, `unknown field "x"`}
	invalid := []string{`site: "" is not an API site`, `path: is empty`}
	if got := Beyond(decoding, invalid); !slices.Equal(got, []string{`path: is empty`}) {
		t.Errorf("Beyond = %q", got)
	}
}
