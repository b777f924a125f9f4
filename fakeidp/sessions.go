package fakeidp

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"sync"
)

// maxSessions bounds the dashboard sessions kept at once; signing in
// beyond it ends the oldest. A browser keeps one; the bound is for a
// script that signs in in a loop.
const maxSessions = 256

// dashboardSessions are the browsers signed in to the dashboard: a random
// value per sign-in, which the session cookie holds. A root and its
// sandboxes share them (the cookie's path is "/", so one sign-in reaches
// every sandbox's dashboard), and signing out forgets the value, so a
// copy of the cookie taken before reads nothing after.
type dashboardSessions struct {
	random io.Reader
	mu     sync.Mutex
	// live is keyed by the SHA-256 of each cookie value: a map lookup's
	// timing can then tell nothing about a value someone tries.
	live map[[sha256.Size]byte]*session
	seq  uint64
}

type session struct {
	seq uint64
	// ctx ends when the session does, and with it the requests it
	// authorised that are still running (journal streams).
	ctx    context.Context
	cancel context.CancelFunc
}

func newDashboardSessions(random io.Reader) *dashboardSessions {
	return &dashboardSessions{random: random, live: map[[sha256.Size]byte]*session{}}
}

// open starts a session and returns the cookie value for it.
func (d *dashboardSessions) open() (string, error) {
	b := make([]byte, 32)
	if _, err := io.ReadFull(d.random, b); err != nil {
		return "", err
	}
	value := base64.RawURLEncoding.EncodeToString(b)
	ctx, cancel := context.WithCancel(context.Background())
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.live) >= maxSessions {
		d.endOldest()
	}
	d.seq++
	d.live[sha256.Sum256([]byte(value))] = &session{seq: d.seq, ctx: ctx, cancel: cancel}
	return value, nil
}

// endOldest ends the session opened first; d.mu is held.
func (d *dashboardSessions) endOldest() {
	var oldest [sha256.Size]byte
	var min uint64
	for k, s := range d.live {
		if min == 0 || s.seq < min {
			oldest, min = k, s.seq
		}
	}
	d.live[oldest].cancel()
	delete(d.live, oldest)
}

// find returns the live session whose cookie value is value, or nil.
func (d *dashboardSessions) find(value string) *session {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.live[sha256.Sum256([]byte(value))]
}

// end forgets the session whose cookie value is value, if it is live,
// and ends the requests it authorised.
func (d *dashboardSessions) end(value string) {
	key := sha256.Sum256([]byte(value))
	d.mu.Lock()
	s := d.live[key]
	delete(d.live, key)
	d.mu.Unlock()
	if s != nil {
		s.cancel()
	}
}
