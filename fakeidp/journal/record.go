package journal

import (
	"net/http"
	"strings"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp/reqinfo"
)

// record is an Entry packed for the ring: every string is copied into one
// text, with end offsets in ends. A journal of a thousand entries held as
// maps cost the token endpoint about 8% of its throughput in garbage
// collector marking alone; packed, an entry is two pointer-free blocks
// that the collector does not scan, and it keeps no request memory alive.
type record struct {
	seq      uint64 // set by Journal.add
	at       int64  // Unix nanoseconds
	status   int
	duration float64
	text     string
	ends     []uint32
	pairs    [3]uint16 // how many query, field and header pairs follow the fixed strings
}

// The fixed strings, in order, before the pairs.
const (
	idxSite = iota
	idxMethod
	idxPath
	idxClient
	idxSubject
	idxNote
	numFixed
)

func (r *record) str(i int) string {
	start := uint32(0)
	if i > 0 {
		start = r.ends[i-1]
	}
	return r.text[start:r.ends[i]]
}

func (r *record) entry() Entry {
	e := Entry{
		Time: time.Unix(0, r.at).UTC(), Status: r.status, DurationMS: r.duration,
		Site: r.str(idxSite), Method: r.str(idxMethod), Path: r.str(idxPath),
		ClientID: r.str(idxClient), Subject: r.str(idxSubject), Note: r.str(idxNote),
	}
	i := numFixed
	e.Query, i = r.unpack(i, r.pairs[0], ",")
	e.Fields, i = r.unpack(i, r.pairs[1], ",")
	e.Headers, _ = r.unpack(i, r.pairs[2], ", ")
	return e
}

// unpack rebuilds n pairs from string i on, joining repeated keys.
func (r *record) unpack(i int, n uint16, sep string) (map[string]string, int) {
	if n == 0 {
		return nil, i
	}
	m := make(map[string]string, n)
	for range n {
		k, v := r.str(i), r.str(i+1)
		if old, dup := m[k]; dup {
			v = old + sep + v
		}
		m[k] = v
		i += 2
	}
	return m, i
}

func (r *record) matches(f *Filter) bool {
	return (f.Site == "" || f.Site == r.str(idxSite)) &&
		(f.Path == "" || f.Path == r.str(idxPath)) &&
		(f.ClientID == "" || f.ClientID == r.str(idxClient))
}

// packer builds a record. Every value goes through it already redacted.
type packer struct {
	text  strings.Builder
	ends  []uint32
	pairs [3]uint16
}

// init readies a packer. (A packer escapes all the same: its
// strings.Builder keeps a pointer to itself.)
func (p *packer) init() {
	p.ends = make([]uint32, 0, 32)
	p.text.Grow(512)
}

func (p *packer) add(s string) {
	p.text.WriteString(s)
	p.ends = append(p.ends, uint32(p.text.Len()))
}

func (p *packer) pair(section int, k, v string) {
	if p.pairs[section] == maxPairs {
		return
	}
	p.add(k)
	p.add(v)
	p.pairs[section]++
}

// maxPairs bounds each section, so a request with thousands of parameters
// or headers cannot fill the journal's memory.
const maxPairs = 64

const (
	secQuery = iota
	secFields
	secHeaders
)

// fixed adds the fixed strings, in idx order.
func (p *packer) fixed(site, method, path, clientID, subject, note string) {
	p.add(clip(site))
	p.add(clip(method))
	p.add(clip(path))
	p.add(clip(clientID))
	p.add(clip(subject))
	p.add(note)
}

func (p *packer) params(section int, m map[string]string) {
	for k, v := range m {
		p.pair(section, clip(k), redactParam(k, v))
	}
}

// rawQuery adds the parameters of a query string as they come, without
// building the map url.ParseQuery would.
func (p *packer) rawQuery(raw string) {
	for key, val := range reqinfo.Params(raw) {
		p.pair(secQuery, clip(key), redactParam(key, val))
	}
}

// headers adds request headers; server requests carry canonical keys.
func (p *packer) headers(h http.Header, canonical bool) {
	for k, vs := range h {
		name := k
		if !canonical {
			name = http.CanonicalHeaderKey(k)
		}
		for _, v := range vs {
			p.pair(secHeaders, clip(k), redactHeader(name, v))
		}
	}
}

func (p *packer) record(at time.Time, status int, took float64) record {
	return record{at: at.UnixNano(), status: status, duration: took,
		text: p.text.String(), ends: p.ends, pairs: p.pairs}
}
