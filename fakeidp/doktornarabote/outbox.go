package doktornarabote

import (
	"net/http"
	"sync"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp/internal/controljson"
)

// SMS is one message the fake "sent".
type SMS struct {
	// Phone is the country code and number, as the token's username.
	Phone string `json:"phone"`
	// Code is the validation code the message carries.
	Code string `json:"code"`
	// Text is the message as the phone would show it.
	Text string `json:"text"`
	// SentAt is the server clock's time of sending.
	SentAt time.Time `json:"sent_at"`
}

// outbox keeps the SMS sent, at most max of them, dropping the oldest.
// It indexes them by phone so that a test reading its own phone's code
// costs the same however many others are logging in.
type outbox struct {
	mu  sync.Mutex
	max int
	// sent[head:] are the kept messages, oldest first.
	sent    []SMS
	head    int
	byPhone map[string][]SMS // oldest first
}

func newOutbox(max int) *outbox {
	return &outbox{max: max, byPhone: map[string][]SMS{}}
}

func (o *outbox) add(m SMS) {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, m)
	o.byPhone[m.Phone] = append(o.byPhone[m.Phone], m)
	if len(o.sent)-o.head > o.max {
		// The oldest message overall is also the oldest of its phone.
		old := o.sent[o.head]
		o.sent[o.head] = SMS{}
		o.head++
		if rest := o.byPhone[old.Phone][1:]; len(rest) > 0 {
			o.byPhone[old.Phone] = rest
		} else {
			delete(o.byPhone, old.Phone)
		}
	}
	if o.head > 0 && o.head*2 >= len(o.sent) {
		o.sent = append([]SMS(nil), o.sent[o.head:]...)
		o.head = 0
	}
}

// list returns phone's messages, or all when phone is empty, newest first.
func (o *outbox) list(phone string) []SMS {
	o.mu.Lock()
	defer o.mu.Unlock()
	src := o.sent[o.head:]
	if phone != "" {
		src = o.byPhone[phone]
	}
	out := make([]SMS, len(src))
	for i, m := range src {
		out[len(src)-1-i] = m
	}
	return out
}

func (o *outbox) clear() {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent, o.head = nil, 0
	o.byPhone = map[string][]SMS{}
}

// listSMS is GET /_fakeidp/sms[?phone=…]: a JSON list, newest first ([]
// when empty, never null).
func (s *Service) listSMS(w http.ResponseWriter, r *http.Request) {
	controljson.Write(w, http.StatusOK, s.outbox.list(r.URL.Query().Get("phone")))
}

// clearSMS is DELETE /_fakeidp/sms.
func (s *Service) clearSMS(w http.ResponseWriter, _ *http.Request) {
	s.outbox.clear()
	controljson.NoContent(w)
}
