package kontur

import (
	"github.com/fakeidp/fakeidp/fakeidp/oauth"
	"github.com/fakeidp/fakeidp/fakeidp/store"
)

// How a single-use grant was spent, as k.spent remembers it.
const (
	spentUsed uint8 = iota + 1
	spentRevoked
)

// onceWords name a kind of single-use grant in its refusals.
type onceWords struct {
	noun                            string // "code", "refresh token"
	used, expired, unknown, revoked string // reason codes
}

var (
	codeWords    = onceWords{"authorization code", "code_used", "code_expired", "code_unknown", "code_unknown"}
	refreshWords = onceWords{"refresh token", "refresh_token_reused", "refresh_token_expired", "refresh_token_unknown", "refresh_token_revoked"}
)

// takeOnce takes a code or refresh token, spending it whatever happens
// next, and says precisely why one cannot be taken: used before, expired
// (when, and the virtual clock's time), revoked, or never issued here.
func takeOnce[V any](k *Site, s *store.Store[V], raw string, words onceWords) (V, *oauth.Error) {
	v, state, expires := s.TakeState(raw)
	now := k.env.Clock.Now()
	switch state {
	case store.Live:
		k.spent.Mark(raw, spentUsed, expires.Sub(now))
		return v, nil
	case store.Expired:
		return v, oauth.InvalidGrant("").Because(words.expired, oauth.Expired(words.noun, expires, now))
	}
	switch how, _ := k.spent.How(raw); how {
	case spentUsed:
		return v, oauth.InvalidGrant("").Because(words.used, "the "+words.noun+" was already used once; it is single-use")
	case spentRevoked:
		return v, oauth.InvalidGrant("").Because(words.revoked, "the "+words.noun+" was revoked (POST /connect/revocation)")
	}
	return v, oauth.InvalidGrant("").Because(words.unknown, "the "+words.noun+" was never issued by this server, or was dropped by a reset or the store's limit")
}
