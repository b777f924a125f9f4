package stub

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"sync"

	"github.com/fakeidp/fakeidp/fakeidp/internal/budget"
	"github.com/fakeidp/fakeidp/fakeidp/internal/problems"
)

// DefaultMax is how many stubs a Set holds unless told otherwise: enough
// for any test suite, few enough that a runaway script meets a clear 400.
const DefaultMax = 5000

// maxProblems bounds the problems one refusal lists, so 10,000 broken
// stubs do not make a 10,000-line answer.
const maxProblems = 50

// Set is one server's stubs, indexed by site and path. It is safe for
// concurrent use: requests match under a read lock, and what they get is
// an immutable compiled stub, written after the lock is released.
type Set struct {
	sites    []SiteRule
	maxBody  int
	max      int
	fixtures []Stub
	budget   *budget.Budget

	mu     sync.RWMutex
	roots  map[string]*node
	byID   map[string]*compiled
	seq    uint64
	nextID uint64
}

// Options configure a Set.
type Options struct {
	// Sites are the API sites stubs may name.
	Sites []SiteRule
	// MaxBody caps a stub's response body, in bytes.
	MaxBody int
	// Max caps the number of stubs; 0 is DefaultMax.
	Max int
	// Fixtures are the stubs Reset returns to. They are not charged to
	// Budget: they are the operator's file, or a sandbox overlay that is
	// charged as a whole.
	Fixtures []Stub
	// Budget, shared by every Set of a host, bounds the bytes of the stubs
	// added at run time; nil bounds nothing.
	Budget *budget.Budget
}

// NewSet builds a Set holding the fixtures' stubs. A fixtures stub that is
// invalid is an error naming it.
func NewSet(opts Options) (*Set, error) {
	s := &Set{sites: opts.Sites, maxBody: opts.MaxBody, max: opts.Max, fixtures: opts.Fixtures, budget: opts.Budget}
	if s.max <= 0 {
		s.max = DefaultMax
	}
	if s.maxBody <= 0 {
		s.maxBody = 64 << 10
	}
	if err := s.Reset(); err != nil {
		return nil, err
	}
	return s, nil
}

// Reset returns the set to the fixtures' stubs, numbered from s1 again.
func (s *Set) Reset() error {
	s.mu.Lock()
	s.budget.Release(s.charged())
	s.roots, s.byID, s.seq, s.nextID = map[string]*node{}, map[string]*compiled{}, 0, 0
	s.mu.Unlock()
	if len(s.fixtures) == 0 {
		return nil
	}
	_, err := s.add(s.fixtures, true, false)
	return err
}

// Add validates every stub and, when all are valid and fit under the
// caps (the count, and the host's server.max_state_bytes), stores them
// all; otherwise it stores none. It returns the stubs as stored, with
// their IDs. A refusal by the byte bound is a *budget.ExceededError.
func (s *Set) Add(stubs ...Stub) ([]Stub, error) { return s.add(stubs, len(stubs) > 1, true) }

// charged is the bytes the set's stubs hold against the budget; s.mu held.
func (s *Set) charged() int64 {
	var n int64
	for _, c := range s.byID {
		n += c.charge
	}
	return n
}

// invalid is every problem of st, unprefixed.
func (s *Set) invalid(st Stub) []string {
	if _, err := compile(st, s.sites, s.maxBody); err != nil {
		return err.(*ProblemsError).Problems
	}
	return nil
}

// add is Add; list names each stub's problems by its index; charge counts
// the stubs against the budget.
func (s *Set) add(stubs []Stub, list, charge bool) ([]Stub, error) {
	var p problems.List
	out := make([]*compiled, 0, len(stubs))
	for i, st := range stubs {
		c, err := compile(st, s.sites, s.maxBody)
		if err != nil {
			prefix := ""
			if list {
				prefix = fmt.Sprintf("stubs[%d].", i)
			}
			p.Under(prefix, err.(*ProblemsError).Problems)
			continue
		}
		out = append(out, c)
	}
	if err := p.Capped(maxProblems).Err(what); err != nil {
		return nil, err
	}
	var total int64
	if charge {
		for _, c := range out {
			c.charge = c.size()
			total += c.charge
		}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if have := len(s.byID); have+len(out) > s.max {
		return nil, problems.List{fmt.Sprintf(
			"at most %d stubs: the server holds %d and this adds %d; delete some (DELETE /_fakeidp/stubs) first", s.max, have, len(out))}.Err(what)
	}
	if err := s.budget.Reserve(total); err != nil {
		return nil, err
	}
	stored := make([]Stub, len(out))
	for i, c := range out {
		s.nextID++
		s.seq++
		c.stub.ID, c.seq = "s"+strconv.FormatUint(s.nextID, 10), s.seq
		s.insert(c)
		stored[i] = c.stub
	}
	return stored, nil
}

// Get returns one stub by ID.
func (s *Set) Get(id string) (Stub, bool) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.byID[id]
	if !ok {
		return Stub{}, false
	}
	return c.stub, true
}

// List returns every stub in order of addition.
func (s *Set) List() []Stub {
	s.mu.RLock()
	all := make([]*compiled, 0, len(s.byID))
	for _, c := range s.byID {
		all = append(all, c)
	}
	s.mu.RUnlock()
	sortBySeq(all)
	out := make([]Stub, len(all))
	for i, c := range all {
		out[i] = c.stub
	}
	return out
}

// Len is how many stubs the set holds.
func (s *Set) Len() int {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return len(s.byID)
}

// Delete removes one stub; false when there is none with that ID.
func (s *Set) Delete(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.byID[id]
	if !ok {
		return false
	}
	delete(s.byID, id)
	s.budget.Release(c.charge)
	if root := s.roots[c.stub.Site]; root != nil && root.remove(c, c.path.segments) {
		delete(s.roots, c.stub.Site)
	}
	return true
}

// Clear removes every stub, fixtures' included, and gives their bytes
// back to the budget.
func (s *Set) Clear() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.budget.Release(s.charged())
	s.roots, s.byID = map[string]*node{}, map[string]*compiled{}
}

func (s *Set) insert(c *compiled) {
	root := s.roots[c.stub.Site]
	if root == nil {
		root = &node{}
		s.roots[c.stub.Site] = root
	}
	root.insert(c)
	s.byID[c.stub.ID] = c
}

func sortBySeq(all []*compiled) {
	slices.SortFunc(all, func(a, b *compiled) int { return cmp.Compare(a.seq, b.seq) })
}
