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
	// pairs is how many query, field, request header and response header
	// pairs follow the fixed strings; near how many near misses (four
	// strings each) follow the pairs.
	pairs [numSections]uint16
	near  uint8
	flags uint8
}

// The fixed strings, in order, before the pairs.
const (
	idxSite = iota
	idxMethod
	idxPath
	idxClient
	idxSubject
	idxNote
	idxReasonCode
	idxReasonMessage
	idxFaultID
	idxPreset
	idxBody
	numFixed
)

// The flags.
const (
	flagResponse  = 1 << iota // the entry has a response
	flagTruncated             // its body was cut at MaxBody
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
	if code := r.str(idxReasonCode); code != "" {
		e.Reason = &Reason{Code: code, Message: r.str(idxReasonMessage)}
	}
	if id := r.str(idxFaultID); id != "" {
		e.Fault = &FaultRef{ID: id, Preset: r.str(idxPreset)}
	}
	i := numFixed
	e.Query, i = r.unpack(i, r.pairs[secQuery], ",")
	e.Fields, i = r.unpack(i, r.pairs[secFields], ",")
	e.Headers, i = r.unpack(i, r.pairs[secHeaders], ", ")
	respHeaders, i := r.unpack(i, r.pairs[secResponse], ", ")
	if r.flags&flagResponse != 0 {
		e.Response = &Response{Status: r.status, Headers: respHeaders,
			Body: r.str(idxBody), Truncated: r.flags&flagTruncated != 0}
	}
	for range r.near {
		e.NearMisses = append(e.NearMisses, NearMiss{ID: r.str(i), Method: r.str(i + 1),
			Path: r.str(i + 2), Differs: strings.Split(r.str(i+3), ",")})
		i += 4
	}
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
		(f.ClientID == "" || f.ClientID == r.str(idxClient)) &&
		(f.Reason == "" || f.Reason == r.str(idxReasonCode)) &&
		(f.Status == 0 || f.Status == r.status) &&
		(f.StatusClass == 0 || f.StatusClass == r.status/100)
}

// packer builds a record. Every value goes through it already redacted.
type packer struct {
	text  strings.Builder
	ends  []uint32
	pairs [numSections]uint16
	near  uint8
	flags uint8
}

// init readies a packer. (A packer escapes all the same: its
// strings.Builder keeps a pointer to itself.)
func (p *packer) init() {
	p.ends = make([]uint32, 0, 48)
	p.text.Grow(1024)
}

func (p *packer) add(s string) {
	p.text.WriteString(s)
	p.end()
}

// end closes the string written to text since the last end.
func (p *packer) end() { p.ends = append(p.ends, uint32(p.text.Len())) }

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

// maxMessage bounds a reason's message, which may quote what was sent.
const maxMessage = 1024

// maxNearMisses is how many near misses an entry keeps.
const maxNearMisses = 3

const (
	secQuery = iota
	secFields
	secHeaders
	secResponse // response headers
	numSections
)

// fixed adds the fixed strings of the request, in idx order.
func (p *packer) fixed(site, method, path, clientID, subject, note string) {
	p.add(clip(site))
	p.add(clip(method))
	p.add(clip(path))
	p.add(clip(clientID))
	p.add(clip(subject))
	p.add(note)
}

// explained adds the reason and the fault rule, in idx order.
func (p *packer) explained(code, message, faultID, preset string) {
	p.add(clip(code))
	p.add(reqinfo.Cut(message, maxMessage))
	p.add(clip(faultID))
	p.add(clip(preset))
}

// body adds the first MaxBody bytes of a response body of size bytes,
// with secrets cut when it is JSON, and notes a cut.
func (p *packer) body(contentType string, b []byte, size int) {
	if size > len(b) || len(b) > MaxBody {
		p.flags |= flagTruncated
		b = b[:min(len(b), MaxBody)]
	}
	redactBody(&p.text, contentType, b)
	p.end()
}

// nearMiss adds a near miss; past maxNearMisses it is left out.
func (p *packer) nearMiss(id, method, path string, differs []string) {
	if p.near == maxNearMisses {
		return
	}
	p.add(clip(id))
	p.add(clip(method))
	p.add(clip(path))
	p.add(clip(strings.Join(differs, ",")))
	p.near++
}

func (p *packer) params(section int, m map[string]string) {
	for k, v := range m {
		p.pair(section, clip(k), redactParam(k, v))
	}
}

// rawQuery adds the parameters of a query string as they come, without
// building the map url.ParseQuery would.
func (p *packer) rawQuery(raw string) {
	phone := phoneQuery(raw)
	for key, val := range reqinfo.Params(raw) {
		if phone && key == "code" {
			p.pair(secQuery, key, clip(val))
			continue
		}
		p.pair(secQuery, clip(key), redactParam(key, val))
	}
}

// phoneQuery reports a query that names a phone by country code and
// number, as Doktornarabote's validation-code request does
// (code=7&number=9161234567): its code is the country's, part of a phone
// number that the SMS outbox shows anyway, not a secret to cut.
func phoneQuery(raw string) bool {
	for key := range reqinfo.Params(raw) {
		if key == "number" {
			return true
		}
	}
	return false
}

// headers adds request or response headers; server requests carry
// canonical keys.
func (p *packer) headers(section int, h http.Header, canonical bool) {
	for k, vs := range h {
		name := k
		if !canonical {
			name = http.CanonicalHeaderKey(k)
		}
		for _, v := range vs {
			p.pair(section, clip(k), redactHeader(name, v))
		}
	}
}

func (p *packer) record(at time.Time, status int, took float64) record {
	return record{at: at.UnixNano(), status: status, duration: took,
		text: p.text.String(), ends: p.ends, pairs: p.pairs, near: p.near, flags: p.flags}
}
