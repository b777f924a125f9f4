// Package store keeps short-lived grants (authorization codes, access and
// refresh tokens, SMS codes) in memory, each with an expiry.
//
// A Store is safe for concurrent use. It never grows without bound: expired
// entries are dropped as new ones arrive, and when a Store holds its maximum
// the oldest entries are evicted first. It reads time only through the
// function it is given, so a server's virtual clock decides what is expired.
//
// It must not import any other fakeidp package.
package store

import (
	"hash/maphash"
	"sync"
	"time"
)

const shardCount = 32

// Store maps opaque keys (token values, codes) to values of type V.
type Store[V any] struct {
	now    func() time.Time
	seed   maphash.Seed
	shards [shardCount]shard[V]
	perMax int
}

type entry[V any] struct {
	value   V
	expires time.Time
	seq     uint64
}

type queued struct {
	key     string
	expires time.Time
	seq     uint64
}

type shard[V any] struct {
	mu    sync.Mutex
	items map[string]entry[V]
	// order lists keys in insertion order, so that eviction of the oldest
	// and cleanup of expired entries cost O(1) amortised per Put.
	order []queued
	head  int
	seq   uint64
}

// New returns a Store that holds at most max entries (0 means 100,000) and
// asks now for the time.
func New[V any](now func() time.Time, max int) *Store[V] {
	if max <= 0 {
		max = 100_000
	}
	per := max / shardCount
	if per < 1 {
		per = 1
	}
	s := &Store[V]{now: now, seed: maphash.MakeSeed(), perMax: per}
	for i := range s.shards {
		s.shards[i].items = make(map[string]entry[V])
	}
	return s
}

func (s *Store[V]) shard(key string) *shard[V] {
	return &s.shards[maphash.String(s.seed, key)%shardCount]
}

// Put stores v under key until ttl has passed, replacing any earlier value.
func (s *Store[V]) Put(key string, v V, ttl time.Duration) {
	now := s.now()
	sh := s.shard(key)
	sh.mu.Lock()
	sh.seq++
	e := entry[V]{value: v, expires: now.Add(ttl), seq: sh.seq}
	sh.items[key] = e
	sh.order = append(sh.order, queued{key: key, expires: e.expires, seq: e.seq})
	sh.trim(now, s.perMax)
	sh.mu.Unlock()
}

// trim drops expired entries from the front of the queue and evicts the
// oldest while the shard is over its share, then compacts the queue.
func (sh *shard[V]) trim(now time.Time, max int) {
	for sh.head < len(sh.order) {
		q := sh.order[sh.head]
		cur, ok := sh.items[q.key]
		live := ok && cur.seq == q.seq
		if live && now.Before(q.expires) && len(sh.items) <= max {
			break
		}
		if live {
			delete(sh.items, q.key)
		}
		sh.order[sh.head] = queued{}
		sh.head++
	}
	// The queue also holds keys that were deleted or replaced; compact it
	// once stale slots dominate, so its size stays proportional to items.
	if sh.head > 0 && (sh.head*2 >= len(sh.order) || len(sh.order)-sh.head > 2*len(sh.items)+64) {
		kept := sh.order[:0:0]
		for _, q := range sh.order[sh.head:] {
			if cur, ok := sh.items[q.key]; ok && cur.seq == q.seq {
				kept = append(kept, q)
			}
		}
		sh.order, sh.head = kept, 0
	}
}

// Get returns the value under key if it exists and has not expired.
func (s *Store[V]) Get(key string) (V, bool) {
	sh := s.shard(key)
	sh.mu.Lock()
	e, ok := sh.items[key]
	if ok && !s.now().Before(e.expires) {
		delete(sh.items, key)
		ok = false
	}
	sh.mu.Unlock()
	if !ok {
		var zero V
		return zero, false
	}
	return e.value, true
}

// Take removes the value under key and returns it if it had not expired.
// Exactly one of several concurrent callers gets it: this is what makes
// authorization codes and refresh tokens single-use.
func (s *Store[V]) Take(key string) (V, bool) {
	sh := s.shard(key)
	sh.mu.Lock()
	e, ok := sh.items[key]
	if ok {
		delete(sh.items, key)
		ok = s.now().Before(e.expires)
	}
	sh.mu.Unlock()
	if !ok {
		var zero V
		return zero, false
	}
	return e.value, true
}

// Delete removes key; it reports whether a live entry was there.
func (s *Store[V]) Delete(key string) bool {
	_, ok := s.Take(key)
	return ok
}

// DeleteFunc removes every entry for which drop returns true.
func (s *Store[V]) DeleteFunc(drop func(key string, v V) bool) {
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		for k, e := range sh.items {
			if drop(k, e.value) {
				delete(sh.items, k)
			}
		}
		sh.mu.Unlock()
	}
}

// Len counts the entries held, expired ones not yet dropped included.
func (s *Store[V]) Len() int {
	n := 0
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		n += len(sh.items)
		sh.mu.Unlock()
	}
	return n
}

// Clear drops every entry.
func (s *Store[V]) Clear() {
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		sh.items = make(map[string]entry[V])
		sh.order, sh.head = nil, 0
		sh.mu.Unlock()
	}
}
