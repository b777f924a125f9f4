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
	"crypto/sha256"
	"hash/maphash"
	"sync"
	"time"
)

// maxShards is the shards of a large store; a small one (a sandbox's)
// has one per minShardItems entries it may hold, so that it costs its
// entries and not 32 locks and maps that stay empty.
const (
	maxShards     = 32
	minShardItems = 256
)

// Keyed maps keys of type K to values of type V. When neither K nor V holds
// a pointer (say a [32]byte digest and a struct of integers), the garbage
// collector never scans the store, which is what keeps a server holding
// 100,000 live tokens fast.
type Keyed[K comparable, V any] struct {
	now    func() time.Time
	seed   maphash.Seed
	shards []shard[K, V]
	perMax int
}

// Store is the common case: opaque string keys (token values, codes).
type Store[V any] = Keyed[string, V]

// Expiry instants are Unix nanoseconds rather than time.Time, whose
// location pointer would make every entry a pointer for the collector.
type entry[V any] struct {
	value   V
	expires int64
	seq     uint64
}

type queued[K comparable] struct {
	key     K
	expires int64
	seq     uint64
}

type shard[K comparable, V any] struct {
	mu    sync.Mutex
	items map[K]entry[V]
	// order lists keys in insertion order, so that eviction of the oldest
	// and cleanup of expired entries cost O(1) amortised per Put.
	order []queued[K]
	head  int
	seq   uint64
}

// New returns a string-keyed Store that holds at most max entries (0 means
// 100,000) and asks now for the time.
func New[V any](now func() time.Time, max int) *Store[V] {
	return NewKeyed[string, V](now, max)
}

// NewKeyed is New for any comparable key type.
func NewKeyed[K comparable, V any](now func() time.Time, max int) *Keyed[K, V] {
	if max <= 0 {
		max = 100_000
	}
	n := max / minShardItems
	switch {
	case n < 1:
		n = 1
	case n > maxShards:
		n = maxShards
	}
	per := max / n
	if per < 1 {
		per = 1
	}
	// A shard's map is made by its first Put: a server (a sandbox above
	// all) holds many stores, most of whose shards stay empty.
	return &Keyed[K, V]{now: now, seed: maphash.MakeSeed(), perMax: per, shards: make([]shard[K, V], n)}
}

func (s *Keyed[K, V]) shard(key K) *shard[K, V] {
	return &s.shards[maphash.Comparable(s.seed, key)%uint64(len(s.shards))]
}

// Put stores v under key until ttl has passed, replacing any earlier value.
func (s *Keyed[K, V]) Put(key K, v V, ttl time.Duration) {
	now := s.now().UnixNano()
	sh := s.shard(key)
	sh.mu.Lock()
	sh.seq++
	e := entry[V]{value: v, expires: now + int64(ttl), seq: sh.seq}
	if sh.items == nil {
		sh.items = make(map[K]entry[V])
	}
	sh.items[key] = e
	sh.order = append(sh.order, queued[K]{key: key, expires: e.expires, seq: e.seq})
	sh.trim(now, s.perMax)
	sh.mu.Unlock()
}

// trim drops expired entries from the front of the queue and evicts the
// oldest while the shard is over its share, then compacts the queue.
func (sh *shard[K, V]) trim(now int64, max int) {
	for sh.head < len(sh.order) {
		q := sh.order[sh.head]
		cur, ok := sh.items[q.key]
		live := ok && cur.seq == q.seq
		if live && now < q.expires && len(sh.items) <= max {
			break
		}
		if live {
			delete(sh.items, q.key)
		}
		sh.order[sh.head] = queued[K]{}
		sh.head++
	}
	// The queue also holds keys that were deleted or replaced; compact it
	// once stale slots dominate, so its size stays proportional to items.
	if sh.head > 0 && (sh.head*2 >= len(sh.order) || len(sh.order)-sh.head > 2*len(sh.items)+64) {
		n := 0
		for _, q := range sh.order[sh.head:] {
			if cur, ok := sh.items[q.key]; ok && cur.seq == q.seq {
				sh.order[n] = q
				n++
			}
		}
		clear(sh.order[n:])
		sh.order, sh.head = sh.order[:n], 0
	}
}

// Get returns the value under key if it exists and has not expired.
func (s *Keyed[K, V]) Get(key K) (V, bool) {
	sh := s.shard(key)
	sh.mu.Lock()
	e, ok := sh.items[key]
	if ok && s.now().UnixNano() >= e.expires {
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

// GetState is Get that also tells an expired value from an absent one,
// and returns when the value expires (or expired).
func (s *Keyed[K, V]) GetState(key K) (V, State, time.Time) {
	sh := s.shard(key)
	sh.mu.Lock()
	e, ok := sh.items[key]
	state := Absent
	if ok {
		state = Live
		if s.now().UnixNano() >= e.expires {
			delete(sh.items, key)
			state = Expired
		}
	}
	sh.mu.Unlock()
	if state != Live {
		var zero V
		return zero, state, time.Unix(0, e.expires)
	}
	return e.value, Live, time.Unix(0, e.expires)
}

// Take removes the value under key and returns it if it had not expired.
// Exactly one of several concurrent callers gets it: this is what makes
// authorization codes and refresh tokens single-use.
func (s *Keyed[K, V]) Take(key K) (V, bool) {
	sh := s.shard(key)
	sh.mu.Lock()
	e, ok := sh.items[key]
	if ok {
		delete(sh.items, key)
		ok = s.now().UnixNano() < e.expires
	}
	sh.mu.Unlock()
	if !ok {
		var zero V
		return zero, false
	}
	return e.value, true
}

// Delete removes key; it reports whether a live entry was there.
func (s *Keyed[K, V]) Delete(key K) bool {
	_, ok := s.Take(key)
	return ok
}

// DeleteFunc removes every entry for which drop returns true.
func (s *Keyed[K, V]) DeleteFunc(drop func(key K, v V) bool) {
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
func (s *Keyed[K, V]) Len() int {
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
func (s *Keyed[K, V]) Clear() {
	for i := range s.shards {
		sh := &s.shards[i]
		sh.mu.Lock()
		sh.items = nil
		sh.order, sh.head = nil, 0
		sh.mu.Unlock()
	}
}

// State is what TakeState and GetState found under a key.
type State int

const (
	// Absent: nothing under the key (never stored, taken, evicted, or
	// expired and dropped).
	Absent State = iota
	// Live: the value was there and is now taken.
	Live
	// Expired: the value was there but had expired; it is dropped.
	Expired
)

// TakeState is Take that also tells an expired value from an absent one,
// and returns when the value expires (or expired), so that a refusal can
// say so.
func (s *Keyed[K, V]) TakeState(key K) (V, State, time.Time) {
	sh := s.shard(key)
	sh.mu.Lock()
	e, ok := sh.items[key]
	if ok {
		delete(sh.items, key)
	}
	sh.mu.Unlock()
	var zero V
	switch {
	case !ok:
		return zero, Absent, time.Time{}
	case s.now().UnixNano() >= e.expires:
		return zero, Expired, time.Unix(0, e.expires)
	}
	return e.value, Live, time.Unix(0, e.expires)
}

// Spent remembers, for as long as they would have lived, the keys of
// single-use grants that were taken (authorization codes, rotated refresh
// tokens), so that a second use can be told from a key never issued. It
// keeps SHA-256 digests, not the keys, and at most max of them.
type Spent struct{ keys *Keyed[[32]byte, uint8] }

// NewSpent returns a Spent of at most max keys, reading time from now.
func NewSpent(now func() time.Time, max int) *Spent {
	return &Spent{keys: NewKeyed[[32]byte, uint8](now, max)}
}

// Mark records key as spent, in the way how says (the caller's own
// numbering: used, revoked…), until ttl has passed.
func (s *Spent) Mark(key string, how uint8, ttl time.Duration) {
	s.keys.Put(sha256.Sum256([]byte(key)), how, ttl)
}

// How reports whether key was marked, and how, while its mark lasts.
func (s *Spent) How(key string) (uint8, bool) {
	return s.keys.Get(sha256.Sum256([]byte(key)))
}

// Clear forgets every mark.
func (s *Spent) Clear() { s.keys.Clear() }
