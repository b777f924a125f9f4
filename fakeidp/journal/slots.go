package journal

import (
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"

	"github.com/fakeidp/fakeidp/fakeidp/internal/controljson"
)

// retryAfter is what a refused stream is told to wait, in seconds: long
// enough for a page that was closed to let its stream go.
const retryAfter = 5

// StreamSlots bound the live streams open at once across every journal
// that shares them: one host's, its sandboxes' included. A stream holds a
// connection, a goroutine and a buffer for as long as its reader stays,
// so without a bound a script could open them until memory ran out.
type StreamSlots struct {
	max  int64
	open atomic.Int64
}

// NewStreamSlots allows max streams at once.
func NewStreamSlots(max int) *StreamSlots { return &StreamSlots{max: int64(max)} }

// Open is how many streams hold a slot.
func (s *StreamSlots) Open() int { return int(s.open.Load()) }

func (s *StreamSlots) take() bool {
	if s.open.Add(1) > s.max {
		s.open.Add(-1)
		return false
	}
	return true
}

func (s *StreamSlots) give() { s.open.Add(-1) }

// ShareStreams makes the journal's streams take their slots from slots.
// Without it a journal's streams are unbounded. Call it before the
// journal is served.
func (j *Journal) ShareStreams(slots *StreamSlots) { j.slots = slots }

// admitStream takes a slot for a stream, or answers 429 with Retry-After
// and says which bound was hit. release gives the slot back.
func (j *Journal) admitStream(w http.ResponseWriter) (release func(), ok bool) {
	if j.slots == nil {
		return func() {}, true
	}
	if !j.slots.take() {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
		controljson.Error(w, http.StatusTooManyRequests, fmt.Sprintf(
			"too many journal streams: this fakeidp allows %d open at once (server.max_streams), its sandboxes' included; close another page's stream, or retry in %d s",
			j.slots.max, retryAfter))
		return nil, false
	}
	return j.slots.give, true
}
