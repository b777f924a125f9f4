package budget

import (
	"errors"
	"strings"
	"sync"
	"testing"
)

func TestReserveRelease(t *testing.T) {
	b := New(100)
	if err := b.Reserve(60); err != nil {
		t.Fatal(err)
	}
	err := b.Reserve(41)
	var ee *ExceededError
	if !errors.As(err, &ee) || ee.Max != 100 || ee.Used != 60 || ee.Want != 41 || !strings.Contains(err.Error(), Setting) {
		t.Fatalf("over the bound: %v", err)
	}
	if b.Used() != 60 {
		t.Fatalf("a refused Reserve took bytes: %d", b.Used())
	}
	b.Release(60)
	if err := b.Reserve(100); err != nil || b.Used() != 100 {
		t.Fatalf("after release: %v, used %d", err, b.Used())
	}
}

func TestNilBoundsNothing(t *testing.T) {
	var b *Budget = New(0)
	if b != nil || b.Reserve(1<<40) != nil || b.Used() != 0 {
		t.Fatal("a zero bound should be nil and bound nothing")
	}
	b.Release(5)
}

// Concurrent reservations never take more than the bound together.
func TestConcurrentReserve(t *testing.T) {
	b := New(1000)
	var wg sync.WaitGroup
	var mu sync.Mutex
	granted := 0
	for range 50 {
		wg.Go(func() {
			for range 10 {
				if b.Reserve(7) == nil {
					mu.Lock()
					granted += 7
					mu.Unlock()
				}
			}
		})
	}
	wg.Wait()
	if granted > 1000 || int64(granted) != b.Used() || granted < 1000-7 {
		t.Fatalf("granted %d, used %d", granted, b.Used())
	}
}
