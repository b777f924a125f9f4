package fakeidp

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/internal/problems"
	"github.com/fakeidp/fakeidp/fakeidp/internal/route"
)

// A sandbox is an instance of its own, built by the same constructor as
// the root instance (host.build) with its own stores, clock, keys, fault
// rules, presets and journal. The host's front door picks it by path,
// /sandbox/{id}/…, or by the Fakeidp-Sandbox header before anything else
// runs, and hands it the request with the path below /sandbox/{id}; below
// the front door no handler knows sandboxes exist.

// SandboxPrefix is the path under which each sandbox mirrors the root's
// tree: /sandbox/{id}/kontur/…, /sandbox/{id}/_fakeidp/….
const SandboxPrefix = "/sandbox/"

// SandboxHeader selects a sandbox for a request that does not name one in
// its path, such as one routed by a real host name through a proxy.
const SandboxHeader = "Fakeidp-Sandbox"

// What each sandbox may hold. Sandboxes are many and short-lived, so their
// stores and journal are smaller than a root's: memory stays bounded by
// server.max_sandboxes times these.
const (
	sandboxMaxTokens   = 1000
	sandboxJournalSize = 100
	// DefaultSandboxTTL is how long a sandbox lives after its last use.
	DefaultSandboxTTL = time.Hour
)

// sandboxes are the registry of the sandboxes a host holds.
type sandboxes struct {
	host *host
	wall func() time.Time
	// control serves the registry's endpoints, behind the guard.
	control http.Handler
	// base is the root's fixtures as every sandbox starts from them:
	// smaller stores, no configured public URLs (a sandbox lives under
	// the root's /sandbox/{id}/).
	base *config.Config

	mu   sync.RWMutex
	byID map[string]*sandbox
	// pending are the ids of sandboxes being built, so that the cap
	// holds while their instances are built outside the lock.
	pending map[string]bool
	// sweeping is whether the sweeper runs: from the first sandbox until
	// none is left, or the host shuts down (closed).
	sweeping, closed bool
}

// sandbox is one entry: its instance and its lifetime in wall-clock time.
type sandbox struct {
	id      string
	in      *Instance
	created time.Time
	ttl     time.Duration
	lastUse atomic.Int64 // wall clock, Unix nanoseconds
	// charge is what its overlay counts against server.max_state_bytes.
	charge int64
}

// overlayWeight turns an overlay's length into the bytes the sandbox
// built from it holds: measured, a 1 MiB overlay of users makes a
// sandbox 5.5 MiB larger (parsed config, indexes, the maps of users).
const overlayWeight = 6

func newSandboxes(h *host, wall func() time.Time) *sandboxes {
	if wall == nil {
		wall = time.Now
	}
	base := *h.cfg // shallow: a Config is never modified
	// A sandbox lives under the root's /sandbox/{id}/, never at a
	// configured public URL; the sites' extra host names stay.
	// Nor has it a TLS listener of its own: the root's serve it.
	base.TLS = config.TLS{}
	base.Sites = make(map[string]config.Site, len(base.Sites))
	for name, st := range h.cfg.Sites {
		st.PublicURL = ""
		base.Sites[name] = st
	}
	base.Server.MaxTokens = min(base.Server.MaxTokens, sandboxMaxTokens)
	base.Server.JournalSize = min(base.Server.JournalSize, sandboxJournalSize)
	r := &sandboxes{host: h, wall: wall, base: &base, byID: map[string]*sandbox{}, pending: map[string]bool{}}
	r.control = h.controlGuard(controlMiddleware(h.log, route.Dispatch{Router: h.registry.get}))
	return r
}

func (sb *sandbox) expiresAt() time.Time { return time.Unix(0, sb.lastUse.Load()).Add(sb.ttl) }

// sandboxSpec is what a new sandbox is made of.
type sandboxSpec struct {
	// fixtures is an overlay (YAML or JSON) on the root's fixtures.
	fixtures []byte
	presets  []string
	ttl      time.Duration
	// read: the request's body was a JSON object, so its fields could
	// be checked one by one.
	read bool
}

// ErrTooManySandboxes: server.max_sandboxes sandboxes exist already.
var ErrTooManySandboxes = errors.New("fakeidp: too many sandboxes (server.max_sandboxes)")

// invalidSandbox is the *problems.Error listing every problem of a
// sandbox request, each naming its field.
func invalidSandbox(p problems.List) error { return p.Err("sandbox") }

// create builds and registers a sandbox.
func (r *sandboxes) create(spec sandboxSpec) (*sandbox, error) {
	cfg, presets, probs := r.fixtures(spec)
	if err := invalidSandbox(probs); err != nil {
		return nil, err
	}
	charge := overlayWeight * int64(len(spec.fixtures))
	if err := r.host.budget.Reserve(charge); err != nil {
		return nil, err
	}
	id, err := r.reserve()
	if err == nil {
		var sb *sandbox
		sb, err = r.build(id, spec, cfg, presets)
		var pe *problems.Error
		if errors.As(err, &pe) {
			// The overlay's stubs, checked as the instance takes them:
			// bad input, named under "fixtures" like the rest.
			err = invalidSandbox(underFixtures(err))
		}
		r.mu.Lock()
		defer r.mu.Unlock()
		delete(r.pending, id)
		if err == nil {
			sb.charge = charge
			r.byID[id] = sb
			r.startSweeper()
			return sb, nil
		}
	}
	r.host.budget.Release(charge)
	return nil, err
}

// reserve takes a place under server.max_sandboxes and a fresh id, first
// dropping the sandboxes that have expired.
func (r *sandboxes) reserve() (string, error) {
	r.sweep()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.byID)+len(r.pending) >= r.host.cfg.Server.MaxSandboxes {
		return "", ErrTooManySandboxes
	}
	for {
		// 80 random bits: ids cannot be guessed, so one suite cannot
		// reach into another's sandbox by accident.
		id := r.host.root.env.Random.Alphabet(16, "abcdefghijklmnopqrstuvwxyz234567")
		if r.byID[id] == nil && !r.pending[id] {
			r.pending[id] = true
			return id, nil
		}
	}
}

// fixtures applies the spec's overlay to the sandbox base and checks its
// presets, naming every problem.
func (r *sandboxes) fixtures(spec sandboxSpec) (*config.Config, map[string]*preset, problems.List) {
	cfg, presets := r.base, r.host.root.presets
	var p problems.List
	if len(spec.fixtures) > 0 {
		c, err := config.Overlay(r.base, spec.fixtures, config.OverlaySandbox)
		if err == nil {
			cfg = c
			presets, err = parsePresets(c)
		}
		if err != nil {
			presets = nil
			p = append(p, underFixtures(err)...)
		}
	}
	for i, name := range spec.presets {
		if presets != nil && presets[name] == nil {
			p.Addf(fmt.Sprintf("presets[%d]", i), "unknown preset %q", truncate(name, 60))
		}
	}
	return cfg, presets, p
}

// underFixtures names each of err's problems by its path in a create
// request's body, under "fixtures".
func underFixtures(err error) []string {
	var ve *config.ValidationError
	if !errors.As(err, &ve) {
		return []string{"fixtures: " + err.Error()}
	}
	out := make([]string, len(ve.Problems))
	for i, p := range ve.Problems {
		if rest, ok := strings.CutPrefix(p, "(document)"); ok {
			out[i] = "fixtures" + rest
		} else {
			out[i] = "fixtures." + p
		}
	}
	return out
}

// build makes the sandbox's instance with the same constructor as the
// root's.
// Its livedigital secret is its own, derived from the root's: livedigital
// tokens are HS256 JWTs checked by signature alone, and one sandbox's must
// not verify in another or in the root.
func (r *sandboxes) build(id string, spec sandboxSpec, cfg *config.Config, presets map[string]*preset) (*sandbox, error) {
	own := *cfg
	own.Livedigital.HS256Secret = sandboxSecret(cfg.Livedigital.HS256Secret, id)
	opts := r.host.opts
	opts.Logger = r.host.log.With("sandbox", id)
	opts.Presets = slices.Clone(spec.presets)
	in, err := r.host.build(opts, &own, presets, id)
	if err != nil {
		return nil, err
	}
	now := r.wall()
	sb := &sandbox{id: id, in: in, created: now, ttl: spec.ttl}
	if sb.ttl <= 0 {
		sb.ttl = DefaultSandboxTTL
	}
	sb.lastUse.Store(now.UnixNano())
	return sb, nil
}

// sandboxSecret is a sandbox's livedigital HS256 secret.
func sandboxSecret(rootSecret, id string) string {
	m := hmac.New(sha256.New, []byte(rootSecret))
	m.Write([]byte("fakeidp sandbox " + id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// lookup finds a live sandbox and marks it used; an expired one is removed.
func (r *sandboxes) lookup(id string) *sandbox {
	r.mu.RLock()
	sb := r.byID[id]
	r.mu.RUnlock()
	if sb == nil {
		return nil
	}
	now := r.wall()
	if !now.Before(sb.expiresAt()) {
		r.remove(sb)
		return nil
	}
	sb.lastUse.Store(now.UnixNano())
	return sb
}

// remove deletes sb, if it is still registered, and ends its hanging
// faults and journal streams. Requests already inside it finish; later
// ones get 404. It reports whether sb was registered.
func (r *sandboxes) remove(sb *sandbox) bool {
	r.mu.Lock()
	found := r.byID[sb.id] == sb
	if found {
		delete(r.byID, sb.id)
	}
	r.mu.Unlock()
	if found {
		sb.in.stopFaults()
		// Its overlay and its stubs no longer count against the host.
		sb.in.stubs.Clear()
		r.host.budget.Release(sb.charge)
	}
	return found
}

// sweep removes every expired sandbox.
func (r *sandboxes) sweep() {
	now := r.wall()
	for _, sb := range r.list() {
		if !now.Before(sb.expiresAt()) {
			r.remove(sb)
		}
	}
}

// list is every registered sandbox, oldest first.
func (r *sandboxes) list() []*sandbox {
	r.mu.RLock()
	out := make([]*sandbox, 0, len(r.byID))
	for _, sb := range r.byID {
		out = append(out, sb)
	}
	r.mu.RUnlock()
	slices.SortFunc(out, func(a, b *sandbox) int {
		return cmpTimeThenID(a.created, b.created, a.id, b.id)
	})
	return out
}

func cmpTimeThenID(a, b time.Time, ida, idb string) int {
	if c := a.Compare(b); c != 0 {
		return c
	}
	return strings.Compare(ida, idb)
}

// stopAll ends every sandbox's hanging faults and streams, and the
// sweeper, at shutdown.
func (r *sandboxes) stopAll() {
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	for _, sb := range r.list() {
		sb.in.stopFaults()
	}
}

// sweepEvery is how often the sweeper looks for expired sandboxes: a
// sandbox's URLs answer 404, and its streams are closed, within this
// long after its ttl.
const sweepEvery = 250 * time.Millisecond

// startSweeper runs the sweeper unless it runs already: expired
// sandboxes must not linger, with their streams and hanging requests,
// until the next request happens to look at them. It runs only while
// sandboxes exist, so a Server without any has no goroutine to stop.
func (r *sandboxes) startSweeper() {
	if r.sweeping || r.closed { // r.mu is held
		return
	}
	r.sweeping = true
	go func() {
		t := time.NewTicker(sweepEvery)
		defer t.Stop()
		for range t.C {
			r.sweep()
			r.mu.Lock()
			if len(r.byID)+len(r.pending) == 0 || r.closed {
				r.sweeping = false
				r.mu.Unlock()
				return
			}
			r.mu.Unlock()
		}
	}()
}

// servePath serves /sandbox/{id}/rest as the sandbox's /rest.
func (r *sandboxes) servePath(w http.ResponseWriter, req *http.Request) {
	rest := req.URL.Path[len(SandboxPrefix)-1:]
	id, rest, _ := strings.Cut(strings.TrimPrefix(rest, "/"), "/")
	if ids, ok := req.Header[SandboxHeader]; ok && (len(ids) != 1 || ids[0] != id) {
		writeControlError(w, http.StatusBadRequest, "the "+SandboxHeader+" header names another sandbox than the path")
		return
	}
	sb := r.lookup(id)
	if sb == nil {
		writeNoSandbox(w, id)
		return
	}
	prefix := SandboxPrefix + id
	r2 := new(http.Request)
	*r2 = *req
	u := *req.URL
	u.Path = "/" + rest
	u.RawPath = ""
	if strings.HasPrefix(req.URL.RawPath, prefix+"/") {
		u.RawPath = req.URL.RawPath[len(prefix):]
	}
	r2.URL = &u
	sb.in.serve(w, r2)
}

func (r *sandboxes) serveHeader(w http.ResponseWriter, req *http.Request, ids []string) {
	if len(ids) != 1 {
		writeControlError(w, http.StatusBadRequest, "give one "+SandboxHeader+" header")
		return
	}
	sb := r.lookup(ids[0])
	if sb == nil {
		writeNoSandbox(w, ids[0])
		return
	}
	sb.in.serve(w, req)
}

func writeNoSandbox(w http.ResponseWriter, id string) {
	writeControlError(w, http.StatusNotFound, fmt.Sprintf("no sandbox %q: it expired, was deleted or never existed", truncate(id, 40)))
}
