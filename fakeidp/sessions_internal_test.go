package fakeidp

import (
	"crypto/rand"
	"testing"
)

// Signing in past maxSessions ends the oldest session, and its requests.
func TestDashboardSessionsBounded(t *testing.T) {
	d := newDashboardSessions(rand.Reader)
	first, err := d.open()
	if err != nil {
		t.Fatal(err)
	}
	firstSession := d.find(first)
	var last string
	for range maxSessions {
		if last, err = d.open(); err != nil {
			t.Fatal(err)
		}
	}
	if d.find(first) != nil || firstSession.ctx.Err() == nil {
		t.Error("the oldest session outlived the bound")
	}
	if d.find(last) == nil || len(d.live) != maxSessions {
		t.Errorf("newest found: %v, sessions kept: %d, want %d", d.find(last) != nil, len(d.live), maxSessions)
	}
}
