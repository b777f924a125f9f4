package clock

import (
	"testing"
	"time"
)

func TestFrozenAdvanceSetReset(t *testing.T) {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := Frozen(t0)
	if !c.Now().Equal(t0) {
		t.Fatalf("Now = %v", c.Now())
	}
	c.Advance(25 * time.Hour)
	if got := c.Now(); !got.Equal(t0.Add(25 * time.Hour)) {
		t.Fatalf("after Advance: %v", got)
	}
	target := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	c.Set(target)
	if !c.Now().Equal(target) || c.Offset() != target.Sub(t0) {
		t.Fatalf("after Set: %v offset %v", c.Now(), c.Offset())
	}
	c.Reset()
	if !c.Now().Equal(t0) || c.Offset() != 0 {
		t.Fatalf("after Reset: %v", c.Now())
	}
}

// A set clock keeps running at the pace of its base.
func TestSetClockRunsOn(t *testing.T) {
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	c := New(func() time.Time { return base })
	c.Set(time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
	base = base.Add(time.Minute)
	if got := c.Now(); !got.Equal(time.Date(2030, 1, 1, 0, 1, 0, 0, time.UTC)) {
		t.Fatalf("Now = %v, want a minute past the set time", got)
	}
}

func TestConcurrentUse(t *testing.T) {
	c := New(nil)
	done := make(chan struct{})
	go func() {
		for range 1000 {
			c.Advance(time.Second)
		}
		close(done)
	}()
	for range 1000 {
		_ = c.Now()
	}
	<-done
	if c.Offset() != 1000*time.Second {
		t.Fatalf("offset %v", c.Offset())
	}
}
