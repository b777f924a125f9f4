package fault

import (
	"hash/maphash"
	"slices"
)

// The index finds the rules that may match a request without looking at
// the others, however many rules there are and however many combinations
// of match fields they use.
//
// A rule requires a value for some of the seven match fields (its mask;
// an empty field means "any"), and is filed in a bucket under one hash of
// its mask and those values. A request is hashed once per mask in use,
// which names the one bucket of rules with that mask that may match it;
// masks that require a field the request lacks are skipped, as no rule in
// them can match. Each bucket lists its rules in insertion order and the
// look-up merges the buckets by the rules' sequence numbers, so the first
// live matching rule still decides; a hash hit is confirmed by comparing
// the strings.
//
// A miss costs one hash per mask in use (at most 127, usually one or
// two) and a bit test in a filter of the rules' hashes, which spares most
// of them the map look-up; not one comparison per rule.
//
// Adding or deleting a rule updates the index by that rule alone: rules
// arrive one control request at a time, and rebuilding the index for
// each would make adding n rules cost n².

const (
	numKeys  = 7
	numMasks = 1 << numKeys
)

// values lists a match's fields in a fixed order; an empty string means
// "any".
func (m *Match) values() [numKeys]string {
	return [numKeys]string{m.Site, m.Path, m.Method, m.GrantType, m.ClientID, m.Username, m.Phone}
}

func (q *request) values() [numKeys]string {
	return [numKeys]string{q.site, q.path, q.method, q.grantType, q.clientID, q.username, q.phone}
}

// ruleKey is where a rule is filed: computed once, when it is added.
type ruleKey struct {
	hash uint64
	mask uint8 // bit k: values()[k] is required
}

func keyOf(seed maphash.Seed, m *Match) ruleKey {
	var mask uint8
	var fields [numKeys]uint64
	for k, v := range m.values() {
		if v != "" {
			mask |= 1 << k
			fields[k] = maphash.String(seed, v)
		}
	}
	return ruleKey{hash: combine(mask, &fields), mask: mask}
}

// combine mixes the mask and the hashes of the fields in it into one.
func combine(mask uint8, fields *[numKeys]uint64) uint64 {
	h := uint64(mask) + 0x9E3779B97F4A7C15
	for k := range numKeys {
		if mask&(1<<k) != 0 {
			h = (h ^ fields[k]) * 0xBF58476D1CE4E5B9
			h ^= h >> 31
		}
	}
	return h
}

// ruleIndex is mutable; the Engine's lock guards it.
type ruleIndex struct {
	seed      maphash.Seed
	masks     []uint8 // the distinct masks in use
	maskRules [numMasks]int32
	used      uint8 // union of masks: the fields worth hashing per request
	buckets   map[uint64][]*entry
	// filter has bit hash&filterBits set for every rule's hash, at least
	// eight bits per rule: a clear bit proves a bucket empty. A deleted
	// rule's bit stays set (another rule may share it) until the filter
	// is next resized.
	filter     []uint64
	filterBits uint64
	rules      int
}

func newRuleIndex(seed maphash.Seed) *ruleIndex {
	return &ruleIndex{seed: seed, buckets: map[uint64][]*entry{}, filter: make([]uint64, 1), filterBits: 63}
}

// add files en after every rule already filed.
func (ix *ruleIndex) add(en *entry) {
	k := en.key
	if ix.maskRules[k.mask] == 0 {
		ix.masks = append(ix.masks, k.mask)
		ix.used |= k.mask
	}
	ix.maskRules[k.mask]++
	ix.buckets[k.hash] = append(ix.buckets[k.hash], en)
	ix.rules++
	if 8*uint64(ix.rules) > ix.filterBits+1 {
		ix.resizeFilter(2 * (ix.filterBits + 1))
	} else {
		ix.setBit(k.hash)
	}
}

// remove takes en out of its bucket.
func (ix *ruleIndex) remove(en *entry) {
	k := en.key
	list := ix.buckets[k.hash]
	for i, other := range list {
		if other == en {
			list = slices.Delete(list, i, i+1)
			break
		}
	}
	if len(list) == 0 {
		delete(ix.buckets, k.hash)
	} else {
		ix.buckets[k.hash] = list
	}
	ix.rules--
	if ix.maskRules[k.mask]--; ix.maskRules[k.mask] == 0 {
		ix.used = 0
		kept := ix.masks[:0]
		for _, m := range ix.masks {
			if m != k.mask {
				kept = append(kept, m)
				ix.used |= m
			}
		}
		ix.masks = kept
	}
}

func (ix *ruleIndex) setBit(h uint64) {
	b := h & ix.filterBits
	ix.filter[b/64] |= 1 << (b % 64)
}

// resizeFilter refills the filter at a new size; sizes double, so the
// cost per added rule stays constant.
func (ix *ruleIndex) resizeFilter(bits uint64) {
	ix.filter, ix.filterBits = make([]uint64, bits/64), bits-1
	for h := range ix.buckets {
		ix.setBit(h)
	}
}

// candidates are the buckets a request falls in, merged in rule order.
// It lives on the caller's stack: a miss allocates nothing.
type candidates struct {
	lists [numMasks][]*entry
	n     int
}

// lookup fills c with the buckets of rules that may match q.
func (ix *ruleIndex) lookup(q *request, c *candidates) {
	vals := q.values()
	var present uint8
	var fields [numKeys]uint64
	for k, v := range vals {
		if ix.used&(1<<k) != 0 && v != "" {
			present |= 1 << k
			fields[k] = maphash.String(ix.seed, v)
		}
	}
	for _, mask := range ix.masks {
		if mask&^present != 0 {
			continue // requires a field the request lacks
		}
		h := combine(mask, &fields)
		if b := h & ix.filterBits; ix.filter[b/64]&(1<<(b%64)) == 0 {
			continue
		}
		if l := ix.buckets[h]; len(l) > 0 {
			c.lists[c.n] = l
			c.n++
		}
	}
}

// next returns the earliest added rule left in any bucket, or nil.
func (c *candidates) next() *entry {
	if c.n == 0 {
		return nil
	}
	best := 0
	for j := 1; j < c.n; j++ {
		if c.lists[j][0].seq < c.lists[best][0].seq {
			best = j
		}
	}
	en := c.lists[best][0]
	if c.lists[best] = c.lists[best][1:]; len(c.lists[best]) == 0 {
		c.n--
		c.lists[best] = c.lists[c.n]
	}
	return en
}
