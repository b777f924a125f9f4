package fault

import "hash/maphash"

// The index makes a miss cheap with many rules: instead of comparing up to
// seven strings per rule, each rule is reduced to a hash of the values it
// requires, and a request is hashed once per distinct combination of
// match fields in use (usually one or two). The scan then compares one
// integer per rule, in insertion order, and only a hash hit is confirmed
// by comparing the strings.

const numKeys = 7

// values lists a match's fields in a fixed order; an empty string means
// "any".
func (m *Match) values() [numKeys]string {
	return [numKeys]string{m.Site, m.Path, m.Method, m.GrantType, m.ClientID, m.Username, m.Phone}
}

func (q *request) values() [numKeys]string {
	return [numKeys]string{q.site, q.path, q.method, q.grantType, q.clientID, q.username, q.phone}
}

// maxMasks bounds the per-request hash array kept on the stack; a rule set
// with more distinct combinations falls back to comparing strings.
const maxMasks = 16

type ruleIndex struct {
	seed  maphash.Seed
	masks []uint8 // distinct sets of required fields, bit k = values()[k]
	used  uint8   // union of masks: the fields worth hashing per request
	keys  []ruleKey
}

type ruleKey struct {
	hash uint64
	mask uint8 // index into masks
}

func newRuleIndex(seed maphash.Seed, matchers []Match) *ruleIndex {
	ix := &ruleIndex{seed: seed, keys: make([]ruleKey, len(matchers))}
	for i := range matchers {
		vals := matchers[i].values()
		var mask uint8
		var fields [numKeys]uint64
		for k, v := range vals {
			if v != "" {
				mask |= 1 << k
				fields[k] = maphash.String(seed, v)
			}
		}
		ix.used |= mask
		ix.keys[i] = ruleKey{hash: combine(mask, &fields), mask: ix.maskIndex(mask)}
	}
	if len(ix.masks) > maxMasks {
		return nil
	}
	return ix
}

func (ix *ruleIndex) maskIndex(mask uint8) uint8 {
	for i, m := range ix.masks {
		if m == mask {
			return uint8(i)
		}
	}
	ix.masks = append(ix.masks, mask)
	return uint8(len(ix.masks) - 1)
}

// combine mixes the hashes of the fields in mask into one.
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

// requestHashes hashes q once per mask in use.
func (ix *ruleIndex) requestHashes(q *request) (out [maxMasks]uint64) {
	vals := q.values()
	var fields [numKeys]uint64
	for k, v := range vals {
		if ix.used&(1<<k) != 0 {
			fields[k] = maphash.String(ix.seed, v)
		}
	}
	for i, mask := range ix.masks {
		out[i] = combine(mask, &fields)
	}
	return out
}
