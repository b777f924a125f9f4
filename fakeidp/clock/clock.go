// Package clock is the per-server virtual clock. Every expiry decision in
// fakeidp reads time through a *Clock handed down from the composition root,
// never through time.Now, so that parallel servers (and parallel tests) can
// freeze, advance or set their own time without touching each other.
//
// It must not import any other fakeidp package.
package clock

import (
	"sync"
	"time"
)

// Clock is a source of time: a base function (the wall clock, or a frozen
// instant in tests) plus an offset that the control API can move.
// It is safe for concurrent use.
type Clock struct {
	base func() time.Time

	mu     sync.RWMutex
	offset time.Duration
}

// New returns a clock that follows base. A nil base means the wall clock.
func New(base func() time.Time) *Clock {
	if base == nil {
		base = time.Now
	}
	return &Clock{base: base}
}

// Frozen returns a clock that stands still at t until it is advanced or set.
func Frozen(t time.Time) *Clock {
	return New(func() time.Time { return t })
}

// Now is the clock's current time.
func (c *Clock) Now() time.Time {
	c.mu.RLock()
	off := c.offset
	c.mu.RUnlock()
	return c.base().Add(off)
}

// Advance moves the clock forward by d (backward when d is negative).
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// Set makes Now return t at this instant; the clock then runs on from t at
// the pace of its base.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	c.offset = t.Sub(c.base())
	c.mu.Unlock()
}

// Reset removes any offset, so the clock follows its base again.
func (c *Clock) Reset() {
	c.mu.Lock()
	c.offset = 0
	c.mu.Unlock()
}

// Offset is how far the clock has been moved from its base.
func (c *Clock) Offset() time.Duration {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return c.offset
}
