// Package budget is one host's bound on the bytes that control-API state
// may hold: stubs added at run time and sandbox overlays, together
// (server.max_state_bytes). The per-instance caps (5,000 stubs, 1,000
// sandboxes) multiply; this one does not. The root creates the Budget and
// every sandbox shares it.
//
// It imports no other fakeidp package.
package budget

import (
	"fmt"
	"sync/atomic"
)

// Setting is the fixtures' name of the bound, for messages.
const Setting = "server.max_state_bytes"

// Budget counts bytes against a maximum. It is safe for concurrent use.
// A nil *Budget bounds nothing.
type Budget struct {
	max  int64
	used atomic.Int64
}

// New returns a Budget of max bytes; max <= 0 bounds nothing.
func New(max int64) *Budget {
	if max <= 0 {
		return nil
	}
	return &Budget{max: max}
}

// ExceededError is a refused Reserve: it names the bound, what is in use
// and what was asked.
type ExceededError struct {
	Max, Used, Want int64
}

func (e *ExceededError) Error() string {
	return fmt.Sprintf("%s (%d bytes) would be exceeded: stubs and sandbox overlays hold %d bytes on this server "+
		"and this needs %d more; delete stubs or sandboxes, or raise %s", Setting, e.Max, e.Used, e.Want, Setting)
}

// Reserve takes n bytes, or none and an *ExceededError when they do not
// fit.
func (b *Budget) Reserve(n int64) error {
	if b == nil || n <= 0 {
		return nil
	}
	for {
		used := b.used.Load()
		if used+n > b.max {
			return &ExceededError{Max: b.max, Used: used, Want: n}
		}
		if b.used.CompareAndSwap(used, used+n) {
			return nil
		}
	}
}

// Release gives n bytes back.
func (b *Budget) Release(n int64) {
	if b != nil && n > 0 {
		b.used.Add(-n)
	}
}

// Used is the bytes reserved now.
func (b *Budget) Used() int64 {
	if b == nil {
		return 0
	}
	return b.used.Load()
}
