package store

import (
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp/clock"
)

func TestPutGetTakeExpiry(t *testing.T) {
	clk := clock.Frozen(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC))
	s := New[int](clk.Now, 1000)
	s.Put("a", 1, time.Minute)
	if v, ok := s.Get("a"); !ok || v != 1 {
		t.Fatalf("Get = %v, %v", v, ok)
	}
	clk.Advance(time.Minute - time.Nanosecond)
	if _, ok := s.Get("a"); !ok {
		t.Fatal("expired a nanosecond early")
	}
	clk.Advance(time.Nanosecond)
	if _, ok := s.Get("a"); ok {
		t.Fatal("alive at its expiry instant")
	}
	s.Put("b", 2, time.Minute)
	if v, ok := s.Take("b"); !ok || v != 2 {
		t.Fatalf("Take = %v, %v", v, ok)
	}
	if _, ok := s.Take("b"); ok {
		t.Fatal("Take twice")
	}
	s.Put("c", 3, time.Minute)
	clk.Advance(time.Hour)
	if _, ok := s.Take("c"); ok {
		t.Fatal("Take of an expired entry")
	}
}

func TestReplaceKeepsNewestValue(t *testing.T) {
	clk := clock.Frozen(time.Unix(0, 0))
	s := New[string](clk.Now, 1000)
	s.Put("k", "old", time.Second)
	s.Put("k", "new", time.Hour)
	clk.Advance(2 * time.Second)
	if v, ok := s.Get("k"); !ok || v != "new" {
		t.Fatalf("Get = %q, %v; the stale queue slot of the old value must not evict the new one", v, ok)
	}
}

// Memory stays bounded: a store never holds more than its maximum, and
// expired entries go as new ones arrive.
func TestBounded(t *testing.T) {
	clk := clock.Frozen(time.Unix(0, 0))
	s := New[int](clk.Now, 3200)
	for i := range 100_000 {
		s.Put(fmt.Sprint(i), i, time.Hour)
	}
	if n := s.Len(); n > 3200 {
		t.Fatalf("Len = %d, want at most 3200", n)
	}
	if _, ok := s.Get("99999"); !ok {
		t.Fatal("the newest entry was evicted")
	}
	if _, ok := s.Get("0"); ok {
		t.Fatal("the oldest entry survived 100,000 newer ones")
	}
	for i := range s.shards {
		if q := len(s.shards[i].order) - s.shards[i].head; q > 2*len(s.shards[i].items)+64 {
			t.Fatalf("shard %d queue %d for %d items", i, q, len(s.shards[i].items))
		}
	}
	// Expired entries of a shard go on its next Put; 1,000 puts reach
	// every shard (the chance that one is missed is about 1e-13).
	clk.Advance(2 * time.Hour)
	for i := range 1000 {
		s.Put(fmt.Sprint("fresh", i), i, time.Hour)
	}
	if n := s.Len(); n != 1000 {
		t.Errorf("after expiry Len = %d, want the 1000 fresh entries only", n)
	}
}

// Take is the single-use primitive: of many concurrent callers, one wins.
func TestTakeOnceUnderConcurrency(t *testing.T) {
	s := New[int](time.Now, 1000)
	for round := range 50 {
		key := fmt.Sprint("code", round)
		s.Put(key, round, time.Minute)
		var wins atomic.Int32
		var wg sync.WaitGroup
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, ok := s.Take(key); ok {
					wins.Add(1)
				}
			}()
		}
		wg.Wait()
		if wins.Load() != 1 {
			t.Fatalf("round %d: %d winners", round, wins.Load())
		}
	}
}

func TestKeyedDigestKeys(t *testing.T) {
	s := NewKeyed[[32]byte, int64](time.Now, 100)
	var k [32]byte
	k[0] = 7
	s.Put(k, 42, time.Minute)
	if v, ok := s.Get(k); !ok || v != 42 {
		t.Fatalf("Get = %v, %v", v, ok)
	}
	s.DeleteFunc(func(_ [32]byte, v int64) bool { return v == 42 })
	if s.Len() != 0 {
		t.Fatal("DeleteFunc left the entry")
	}
}

func BenchmarkPut(b *testing.B) {
	s := NewKeyed[[32]byte, [48]byte](time.Now, 100_000)
	var k [32]byte
	i := 0
	for b.Loop() {
		i++
		k[0], k[1], k[2] = byte(i), byte(i>>8), byte(i>>16)
		s.Put(k, [48]byte{}, time.Hour)
	}
}
