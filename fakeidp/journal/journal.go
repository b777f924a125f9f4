package journal

import (
	"net/http"
	"sync"
	"time"
)

// Entry is one journalled request. Every value in it has been redacted;
// maps are shared between copies and must not be modified.
type Entry struct {
	// Time is when the request arrived, by the server's clock.
	Time time.Time `json:"time"`
	Site string    `json:"site"`
	// Method is the HTTP method.
	Method string `json:"method"`
	// Path is the path below the site's prefix, as fault rules match it.
	Path string `json:"path"`
	// Query holds the query parameters, repeated ones joined by ",".
	Query map[string]string `json:"query,omitempty"`
	// Fields are the top-level form or JSON body fields.
	Fields map[string]string `json:"fields,omitempty"`
	// Headers are the request headers, repeated ones joined by ", ".
	Headers map[string]string `json:"headers,omitempty"`
	// Status is the response status; 0 when the connection was hijacked
	// (closed or reset by a fault) or the handler aborted.
	Status int `json:"status"`
	// DurationMS is how long the request took, in milliseconds of real
	// time (not the server's virtual clock, which tests may freeze).
	DurationMS float64 `json:"duration_ms"`
	// ClientID is the client the request named, by body, Basic or query;
	// on an API site, the client its accepted token was issued to.
	ClientID string `json:"client_id,omitempty"`
	// Subject is whom an API call's accepted token was issued to (empty
	// for a client token).
	Subject string `json:"subject,omitempty"`
	// Note explains an unusual ending, e.g. a hijacked connection.
	Note string `json:"note,omitempty"`
	// Reason is why fakeidp refused the request; nil for a success.
	Reason *Reason `json:"reason,omitempty"`
	// Fault names the fault rule that made the answer (Reason.Code
	// "fault").
	Fault *FaultRef `json:"fault,omitempty"`
	// NearMisses are the stubs closest to an API call that none answered
	// (Reason.Code "no_stub"), closest first.
	NearMisses []NearMiss `json:"near_misses,omitempty"`
	// Response is what the client was sent.
	Response *Response `json:"response,omitempty"`
}

// Reason is why fakeidp refused a request: a stable snake_case code (see
// docs/explain.md) and one English sentence. Neither holds a secret.
type Reason struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// FaultRef names the fault rule that made an answer, and the preset that
// added it, if any.
type FaultRef struct {
	ID     string `json:"id"`
	Preset string `json:"preset,omitempty"`
}

// NearMiss is a stub that nearly answered a request: its id, method and
// path template, and what about the request differs from what it wants
// ("method", "path", "query", "scope", "token"…), as WireMock reports.
type NearMiss struct {
	ID      string   `json:"id"`
	Method  string   `json:"method"`
	Path    string   `json:"path"`
	Differs []string `json:"differs"`
}

// Response is the answer a request got. Secrets in the body (tokens, a
// cabinet's client secret) and headers (a code in Location, cookies) are
// cut to their short prefix; a body over MaxBody bytes is cut and marked
// Truncated.
type Response struct {
	Status    int               `json:"status"`
	Headers   map[string]string `json:"headers,omitempty"`
	Body      string            `json:"body"`
	Truncated bool              `json:"truncated,omitempty"`
}

// MaxBody is how much of a response body an entry keeps.
const MaxBody = 8 << 10

// Filter selects entries; empty fields match everything.
type Filter struct {
	Site, Path, ClientID string
	// Reason is a reason code, e.g. "client_secret_mismatch".
	Reason string
	// Status is an exact status, e.g. 401; StatusClass a class, e.g. 4
	// for every 4xx.
	Status, StatusClass int
	// Limit is the most entries to return; 0 means all.
	Limit int
}

// Journal is a ring buffer of the last Size entries. It is safe for
// concurrent use. A Journal of size 0 records nothing and costs nothing.
type Journal struct {
	now func() time.Time

	mu      sync.Mutex
	entries []record // ring; next is the slot the next entry takes
	size    int      // how many entries the ring holds when full
	next    int
	full    bool
	// seq numbers the entries ever added, so a live stream can tell how
	// many it skipped.
	seq uint64
	// subs are the live streams; each add offers them the entry.
	subs []*subscriber

	// slots bound the live streams of this journal and those it shares
	// them with; nil: unbounded.
	slots *StreamSlots

	// streamsDone ends every live stream (at shutdown).
	streamsDone chan struct{}
	endOnce     sync.Once
}

// New returns a journal keeping the last size entries, timestamped by now
// (the server's clock; nil means time.Now). size 0 disables it.
func New(size int, now func() time.Time) *Journal {
	if now == nil {
		now = time.Now
	}
	// The ring grows to size as entries come: a server that sees few
	// requests (a sandbox, say) does not pay for a full one.
	return &Journal{now: now, size: max(size, 0), streamsDone: make(chan struct{})}
}

// Size is how many entries the journal keeps.
func (j *Journal) Size() int { return j.size }

// Enabled reports whether the journal records anything.
func (j *Journal) Enabled() bool { return j.size > 0 }

// Record stores a copy of e, redacting its query, fields and headers, so
// that no caller can store a secret in full. A zero Time is set to now.
func (j *Journal) Record(e Entry) {
	if !j.Enabled() {
		return
	}
	if e.Time.IsZero() {
		e.Time = j.now()
	}
	var p packer
	p.init()
	p.fixed(e.Site, e.Method, e.Path, e.ClientID, e.Subject, clip(e.Note))
	var why Reason
	if e.Reason != nil {
		why = *e.Reason
	}
	var ref FaultRef
	if e.Fault != nil {
		ref = *e.Fault
	}
	p.explained(why.Code, why.Message, ref.ID, ref.Preset)
	var resp Response
	if e.Response != nil {
		resp = *e.Response
		p.flags |= flagResponse
		if resp.Truncated {
			p.flags |= flagTruncated
		}
	}
	p.body("", []byte(resp.Body), len(resp.Body))
	p.params(secQuery, e.Query)
	p.params(secFields, e.Fields)
	p.headers(secHeaders, headerOf(e.Headers), false)
	p.headers(secResponse, headerOf(resp.Headers), false)
	for _, n := range e.NearMisses {
		p.nearMiss(n.ID, n.Method, n.Path, n.Differs)
	}
	j.add(p.record(e.Time, e.Status, e.DurationMS))
}

func headerOf(m map[string]string) http.Header {
	h := make(http.Header, len(m))
	for k, v := range m {
		h[k] = []string{v}
	}
	return h
}

// Last returns the newest entry, if there is one: in a Go test, the
// request its client just made, and why it was refused.
func (j *Journal) Last() (Entry, bool) {
	if es := j.List(Filter{Limit: 1}); len(es) > 0 {
		return es[0], true
	}
	return Entry{}, false
}

// add stores a packed, redacted entry and offers it to the live streams.
// The offer is made under the lock, so that each stream sees entries in
// order and exactly once after its snapshot; it never waits (see publish).
func (j *Journal) add(e record) {
	j.mu.Lock()
	j.seq++
	e.seq = j.seq
	j.publish(e)
	switch {
	case j.size == 0:
	case len(j.entries) < j.size:
		j.entries = append(j.entries, e)
		j.next = len(j.entries) % j.size
		j.full = j.next == 0
	default:
		j.entries[j.next] = e
		j.next = (j.next + 1) % j.size
	}
	j.mu.Unlock()
}

// List returns the entries f selects, newest first.
func (j *Journal) List(f Filter) []Entry {
	out := []Entry{}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.each(func(e *record) bool {
		if e.matches(&f) {
			out = append(out, e.entry())
		}
		return f.Limit == 0 || len(out) < f.Limit
	})
	return out
}

// each calls fn on the entries, newest first, while it returns true. j.mu
// is held.
func (j *Journal) each(fn func(*record) bool) {
	n := j.next
	if j.full {
		n = len(j.entries)
	}
	for i := 1; i <= n; i++ {
		if !fn(&j.entries[(j.next-i+len(j.entries))%len(j.entries)]) {
			return
		}
	}
}

// Clear forgets every entry.
func (j *Journal) Clear() {
	j.mu.Lock()
	clear(j.entries)
	j.entries = j.entries[:0]
	j.next, j.full = 0, false
	for _, sub := range j.subs {
		sub.cleared(j.seq)
	}
	j.mu.Unlock()
}
