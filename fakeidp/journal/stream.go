package journal

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync/atomic"
	"time"
)

// A live stream is a dashboard's view of the journal as it grows: a
// snapshot of the newest entries, then each new one, over Server-Sent
// Events. Request handling must never wait for a reader, however slow or
// stalled: each stream has a buffered channel that add offers entries to
// without blocking. An entry that does not fit is dropped from that stream
// only (the ring keeps it), and the stream tells its reader how many it
// missed, which it learns from the entries' sequence numbers.
const (
	// streamBuffer is how many entries a stream holds for its reader.
	streamBuffer = 256
	// streamWindow lets a burst gather so that it goes out in one write;
	// it bounds how late an entry reaches the page.
	streamWindow = 250 * time.Millisecond
	// streamBatch is the most entries written per window: a page shows
	// people what happens, and at thousands of requests a second no one
	// reads them all (they are in the journal).
	streamBatch = 32
	// streamPing keeps proxies from closing an idle stream and finds
	// readers that went away.
	streamPing = 15 * time.Second
	// streamWriteTimeout ends a stream whose reader stopped reading.
	streamWriteTimeout = 10 * time.Second
	// defaultSnapshot is how many entries a new stream starts with.
	defaultSnapshot = 200
)

// subscriber is one live stream's side of the journal.
type subscriber struct {
	entries chan record
	// clearedAt is the sequence number at the last Clear since the
	// stream began; kick wakes the reader to tell its page.
	clearedAt atomic.Uint64
	kick      chan struct{}
}

func (s *subscriber) cleared(seq uint64) {
	s.clearedAt.Store(seq)
	select {
	case s.kick <- struct{}{}:
	default:
	}
}

// publish offers e to every stream without waiting. j.mu is held.
func (j *Journal) publish(e record) {
	for _, sub := range j.subs {
		select {
		case sub.entries <- e:
		default: // the reader is behind: this stream skips e
		}
	}
}

// subscribe starts a stream. It returns the newest limit entries, newest
// first, and the sequence number of the last of them: entries after it
// reach the stream's channel, in order.
func (j *Journal) subscribe(limit int) (*subscriber, []record, uint64) {
	sub := &subscriber{entries: make(chan record, streamBuffer), kick: make(chan struct{}, 1)}
	j.mu.Lock()
	defer j.mu.Unlock()
	j.subs = append(j.subs, sub)
	var snap []record
	if limit == 0 {
		return sub, nil, j.seq
	}
	j.each(func(e *record) bool {
		snap = append(snap, *e)
		return len(snap) < limit
	})
	return sub, snap, j.seq
}

func (j *Journal) unsubscribe(sub *subscriber) {
	j.mu.Lock()
	j.subs = slices.DeleteFunc(j.subs, func(s *subscriber) bool { return s == sub })
	j.mu.Unlock()
}

// catchUp returns the newest entries after seq, at most max of them and
// oldest first, when the stream's channel is empty: the entries it was not
// offered at the end of a burst. Called by the reader.
func (j *Journal) catchUp(sub *subscriber, seq uint64, max int) []record {
	j.mu.Lock()
	defer j.mu.Unlock()
	if len(sub.entries) > 0 || j.seq <= seq {
		return nil
	}
	var recs []record
	j.each(func(e *record) bool {
		if e.seq <= seq {
			return false
		}
		recs = append(recs, *e)
		return len(recs) < max
	})
	slices.Reverse(recs)
	return recs
}

// Streams is how many live streams are open.
func (j *Journal) Streams() int {
	j.mu.Lock()
	defer j.mu.Unlock()
	return len(j.subs)
}

// EndStreams ends every live stream, now and from now on. A server calls
// it when it shuts down, since a stream never ends by itself.
func (j *Journal) EndStreams() { j.endOnce.Do(func() { close(j.streamsDone) }) }

// handleStream is GET /journal/stream[?limit=N], Server-Sent Events:
//
//	event: reset    data: {"size":N}     start over; the snapshot follows
//	event: entry    data: {…an Entry…}   one request, redacted as GET /journal
//	event: dropped  data: {"count":N}    N requests were not sent live
//
// A stream starts with reset and the newest entries (200 by default),
// oldest first. Clearing the journal sends reset again. Beyond the
// journal's StreamSlots, the answer is 429 with Retry-After.
func (j *Journal) handleStream(w http.ResponseWriter, r *http.Request) {
	limit := defaultSnapshot
	if s := r.URL.Query().Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			writeBadLimit(w)
			return
		}
		limit = n
	}
	release, ok := j.admitStream(w)
	if !ok {
		return
	}
	defer release()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-store")
	h.Set("X-Accel-Buffering", "no") // reverse proxies: do not buffer
	rc := http.NewResponseController(w)
	// The server's read timeout would end the stream: net/http cancels
	// the request when its background read of the idle connection times
	// out. A stream reads nothing after its request.
	_ = rc.SetReadDeadline(time.Time{})
	sub, snap, last := j.subscribe(limit)
	defer j.unsubscribe(sub)
	out := &eventWriter{w: w, rc: rc}
	out.event("reset", "", map[string]int{"size": j.Size()})
	for i := len(snap) - 1; i >= 0; i-- {
		out.entry(&snap[i])
	}
	out.last = last
	if out.flush() != nil {
		return
	}
	j.follow(r, sub, out)
}

// follow writes what reaches the stream until the reader goes away, a
// write times out or the server shuts down.
func (j *Journal) follow(r *http.Request, sub *subscriber, out *eventWriter) {
	ping := time.NewTicker(streamPing)
	defer ping.Stop()
	var clearedSeen uint64
	batch := make([]record, 0, streamBuffer)
	for {
		batch = batch[:0]
		select {
		case e := <-sub.entries:
			batch = append(batch, e)
		case <-sub.kick:
		case <-ping.C:
			out.comment("ping")
			if out.flush() != nil {
				return
			}
			continue
		case <-r.Context().Done():
			return
		case <-j.streamsDone:
			return
		}
		if !j.wait(r, streamWindow) {
			return
		}
		batch = drain(sub.entries, batch)
		if c := sub.clearedAt.Load(); c > clearedSeen {
			clearedSeen, out.last = c, c
			out.event("reset", "", map[string]int{"size": j.Size()})
		}
		if len(batch) == streamBuffer {
			// The buffer filled: the reader is behind a flood. Its
			// oldest entries are not worth writing, as the ring's newest
			// follow; the gap is reported.
			batch = batch[:0]
		}
		out.entries(batch)
		// The newest entries of a burst may not have fitted: the ring
		// has them.
		out.entries(j.catchUp(sub, out.last, streamBatch))
		if out.flush() != nil {
			return
		}
	}
}

// wait sleeps d, or less when the reader goes or the server shuts down;
// it reports whether the stream goes on.
func (j *Journal) wait(r *http.Request, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
	case <-j.streamsDone:
	}
	return false
}

func drain(ch chan record, batch []record) []record {
	for {
		select {
		case e := <-ch:
			batch = append(batch, e)
		default:
			return batch
		}
	}
}

// eventWriter writes Server-Sent Events. The first error sticks.
type eventWriter struct {
	w   http.ResponseWriter
	rc  *http.ResponseController
	err error
	// armed: the write deadline is set for what is being written.
	armed bool
	// last is the sequence number of the last entry written or skipped.
	last uint64
}

// entries writes the newest streamBatch of batch, oldest first, and notes
// the gaps before them: entries skipped here or never offered.
func (ew *eventWriter) entries(batch []record) {
	if len(batch) > streamBatch {
		batch = batch[len(batch)-streamBatch:]
	}
	for i := range batch {
		e := &batch[i]
		if e.seq <= ew.last {
			continue // before the last clear
		}
		if gap := e.seq - ew.last - 1; gap > 0 {
			ew.dropped(gap)
		}
		ew.entry(e)
		ew.last = e.seq
	}
}

func (ew *eventWriter) entry(e *record) {
	ew.event("entry", strconv.FormatUint(e.seq, 10), e.entry())
}

func (ew *eventWriter) dropped(n uint64) {
	ew.event("dropped", "", map[string]uint64{"count": n})
}

func (ew *eventWriter) event(name, id string, v any) {
	if ew.err != nil {
		return
	}
	data, err := json.Marshal(v)
	if err != nil {
		ew.err = err
		return
	}
	if id != "" {
		id = "id: " + id + "\n"
	}
	ew.arm()
	// JSON from encoding/json has no raw newline, so one data line holds it.
	_, ew.err = fmt.Fprintf(ew.w, "event: %s\n%sdata: %s\n\n", name, id, data)
}

func (ew *eventWriter) comment(text string) {
	if ew.err == nil {
		ew.arm()
		_, ew.err = fmt.Fprintf(ew.w, ": %s\n\n", text)
	}
}

// arm sets the write deadline before the first write of a flush: net/http
// buffers writes and may send part of them before flush, and a reader that
// stopped reading must end its stream rather than hold a goroutine and a
// connection for ever.
func (ew *eventWriter) arm() {
	if !ew.armed {
		_ = ew.rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
		ew.armed = true
	}
}

// flush sends what was written.
func (ew *eventWriter) flush() error {
	if ew.err != nil {
		return ew.err
	}
	ew.arm()
	ew.err = ew.rc.Flush()
	ew.armed = false
	return ew.err
}
