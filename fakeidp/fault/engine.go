package fault

import (
	"fmt"
	"hash/maphash"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp/reqinfo"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// Engine holds one server's fault rules. It is safe for concurrent use:
// matching reads an immutable snapshot of the rule list without locking, and
// each rule's counter is a single atomic, so under any concurrency "after N"
// lets exactly N requests through and "times N" fires exactly N times.
type Engine struct {
	mu       sync.Mutex // serialises writers; readers use rules
	lastID   int
	maxRules int
	seed     maphash.Seed
	rules    atomic.Pointer[ruleSet]
}

// ruleSet is an immutable snapshot of the rules. index finds the rules
// that may match a request (see index.go).
type ruleSet struct {
	entries []*entry
	index   *ruleIndex
}

func (e *Engine) newRuleSet(entries []*entry) *ruleSet {
	if len(entries) == 0 {
		return nil
	}
	return &ruleSet{entries: entries, index: newRuleIndex(e.seed, entries)}
}

// entry is a stored rule and its counter. rule is never modified after
// Add, so a snapshot of the list can be read without locking.
type entry struct {
	rule  Rule
	key   ruleKey // where the index files it
	delay time.Duration
	// seen is the number of matching requests examined while live; the
	// n-th one passes when n <= After and fires when n-After <= Times.
	seen  atomic.Int64
	spent atomic.Bool
}

// DefaultMaxRules is how many rules NewEngine holds; the fixtures'
// server.max_fault_rules sets a server's.
const DefaultMaxRules = 10_000

// NewEngine returns an engine with no rules that holds at most
// DefaultMaxRules.
func NewEngine() *Engine { return NewEngineMax(DefaultMaxRules) }

// NewEngineMax returns an engine with no rules that holds at most
// maxRules, spent ones included: adding more is refused with a
// *TooManyRulesError.
func NewEngineMax(maxRules int) *Engine {
	return &Engine{seed: maphash.MakeSeed(), maxRules: maxRules}
}

// TooManyRulesError refuses rules beyond the engine's cap.
type TooManyRulesError struct{ Stored, Adding, Max int }

func (e *TooManyRulesError) Error() string {
	return fmt.Sprintf("too many fault rules: %d stored and %d more would exceed the limit of %d (server.max_fault_rules); delete rules first (DELETE /_fakeidp/faults)", e.Stored, e.Adding, e.Max)
}

// Add validates r and stores it after the existing rules. The returned
// rule carries its new id.
func (e *Engine) Add(r Rule) (Rule, error) {
	added, err := e.AddAll([]Rule{r})
	if err != nil {
		return Rule{}, err
	}
	return added[0], nil
}

// AddAll validates every rule and stores them all, or none when any is
// invalid (the error then lists every problem, as rules[i].field: …).
func (e *Engine) AddAll(rules []Rule) ([]Rule, error) { return e.store(rules, true) }

// Replace validates every rule and, in one step, stores them in place of
// all the rules there were, or changes nothing when any is invalid. A
// request sees either the old rules or the new ones, never none.
func (e *Engine) Replace(rules []Rule) ([]Rule, error) { return e.store(rules, false) }

// store adds rules after the existing ones (keep) or instead of them.
func (e *Engine) store(rules []Rule, keep bool) ([]Rule, error) {
	if err := validateAll(rules, len(rules) > 1); err != nil {
		return nil, err
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	var list []*entry
	if keep {
		list = e.snapshot()
	}
	if len(list)+len(rules) > e.maxRules {
		return nil, &TooManyRulesError{Stored: len(list), Adding: len(rules), Max: e.maxRules}
	}
	out := make([]Rule, len(rules))
	for i, r := range rules {
		e.lastID++
		r.ID = "f" + strconv.Itoa(e.lastID)
		r.Seen, r.Fired = 0, 0
		r.Match.Method = strings.ToUpper(r.Match.Method)
		en := &entry{rule: r, key: keyOf(e.seed, &r.Match)}
		if r.Effect.Type == TypeLatency {
			en.delay, _ = time.ParseDuration(r.Effect.Delay) // validated above
		}
		list = append(list, en)
		out[i] = r
	}
	e.rules.Store(e.newRuleSet(list))
	return out, nil
}

// snapshot is a copy of the rule list to modify; call with mu held.
func (e *Engine) snapshot() []*entry {
	if set := e.rules.Load(); set != nil {
		return slices.Clone(set.entries)
	}
	return nil
}

// List returns every rule, spent ones included, in insertion order, with
// their counters.
func (e *Engine) List() []Rule {
	set := e.rules.Load()
	if set == nil {
		return []Rule{}
	}
	out := make([]Rule, len(set.entries))
	for i, en := range set.entries {
		out[i] = en.view()
	}
	return out
}

// Get returns the rule with the given id.
func (e *Engine) Get(id string) (Rule, bool) {
	if set := e.rules.Load(); set != nil {
		for _, en := range set.entries {
			if en.rule.ID == id {
				return en.view(), true
			}
		}
	}
	return Rule{}, false
}

// Delete removes a rule; it reports whether the rule existed.
func (e *Engine) Delete(id string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	list := e.snapshot()
	i := slices.IndexFunc(list, func(en *entry) bool { return en.rule.ID == id })
	if i < 0 {
		return false
	}
	list = slices.Delete(list, i, i+1)
	e.rules.Store(e.newRuleSet(list))
	return true
}

// Clear removes every rule. Ids keep counting up, so an id never names two
// different rules in one server's life.
func (e *Engine) Clear() {
	e.mu.Lock()
	e.rules.Store(nil)
	e.mu.Unlock()
}

// view is the rule with its counters.
func (en *entry) view() Rule {
	r := en.rule
	r.Seen = en.seen.Load()
	fired := max(r.Seen-int64(r.After), 0)
	if r.Times > 0 {
		fired = min(fired, int64(r.Times))
	}
	r.Fired = fired
	return r
}

// request is what rules match on, copied out of the request so that a
// miss costs no allocation.
type request struct {
	site, path, method, grantType, clientID, username, phone string
}

func requestOf(r *http.Request) request {
	info := reqinfo.From(r)
	if info == nil {
		// Without the reqinfo middleware only site, path and method are
		// known; body-based matches then never apply.
		return request{site: site.Name(r), path: r.URL.Path, method: r.Method}
	}
	return request{
		site: info.Site, path: info.Path, method: r.Method, grantType: info.GrantType,
		clientID: info.ClientID, username: info.Username, phone: info.Phone,
	}
}

func (m *Match) matches(q *request) bool {
	return (m.Site == "" || m.Site == q.site) &&
		(m.Path == "" || m.Path == q.path) &&
		(m.Method == "" || m.Method == q.method) &&
		(m.GrantType == "" || m.GrantType == q.grantType) &&
		(m.ClientID == "" || m.ClientID == q.clientID) &&
		(m.Username == "" || m.Username == q.username) &&
		(m.Phone == "" || m.Phone == q.phone)
}

// pick returns the rule to fire for q, or nil. The first live matching rule
// decides: it lets the request through while counting up to After, fires
// while within Times, and once spent hands over to the rules after it.
func (e *Engine) pick(q *request) *entry {
	set := e.rules.Load()
	if set == nil {
		return nil
	}
	var c candidates
	set.index.lookup(q, &c)
	for i, ok := c.next(); ok; i, ok = c.next() {
		en := set.entries[i]
		if !en.rule.Match.matches(q) {
			continue // a hash collision
		}
		if fire, decided := en.take(); decided {
			if fire {
				return en
			}
			return nil
		}
	}
	return nil
}

// take counts a matching request: the n-th passes untouched while
// n <= After and fires while n-After <= Times. decided is false once the
// rule is spent, so that the next rule decides.
func (en *entry) take() (fire, decided bool) {
	if en.spent.Load() {
		return false, false
	}
	n := en.seen.Add(1)
	after, times := int64(en.rule.After), int64(en.rule.Times)
	switch {
	case n <= after:
		return false, true
	case times == 0 || n-after <= times:
		return true, true
	}
	en.spent.Store(true)
	return false, false
}

// hasRules is the fast path of the middleware: no rules, no work.
func (e *Engine) hasRules() bool {
	return e.rules.Load() != nil
}
