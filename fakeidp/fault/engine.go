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
// matching holds a read lock while it looks the request up, and each
// rule's counter is a single atomic, so under any concurrency "after N"
// lets exactly N requests through and "times N" fires exactly N times.
// Adding or deleting a rule changes the index by that rule only.
type Engine struct {
	mu       sync.RWMutex // writers Lock; matching and listing RLock
	lastID   int
	maxRules int
	entries  []*entry // in insertion order
	byID     map[string]*entry
	// index is made by the first rule: most engines (a sandbox's) never
	// hold one.
	index *ruleIndex
	seed  maphash.Seed
	// count is len(entries), read without the lock by the middleware's
	// fast path: no rules, no work.
	count atomic.Int64
}

// entry is a stored rule and its counter. rule is never modified after
// Add.
type entry struct {
	rule  Rule
	seq   int     // the order rules were added in; ids count it too
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
	return &Engine{maxRules: maxRules, seed: maphash.MakeSeed()}
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
func (e *Engine) AddAll(rules []Rule) ([]Rule, error) {
	if err := validateAll(rules, len(rules) > 1); err != nil {
		return nil, err
	}
	return e.store(Checked{rules}, true)
}

// Replace validates every rule and, in one step, stores them in place of
// all the rules there were, or changes nothing when any is invalid. A
// request sees either the old rules or the new ones, never none.
func (e *Engine) Replace(rules []Rule) ([]Rule, error) {
	if err := validateAll(rules, len(rules) > 1); err != nil {
		return nil, err
	}
	return e.store(Checked{rules}, false)
}

// Checked is rules that DecodeJSON or DecodeYAML read and validated:
// storing them does not validate them again.
type Checked struct{ rules []Rule }

// Rules are the rules, not yet stored (without ids).
func (c Checked) Rules() []Rule { return c.rules }

// FromPreset is a copy of c whose rules name the preset they come from,
// for the journal to say which preset made an answer.
func (c Checked) FromPreset(name string) Checked {
	rules := slices.Clone(c.rules)
	for i := range rules {
		rules[i].Preset = name
	}
	return Checked{rules}
}

// Join is the rules of every c, in order.
func Join(c ...Checked) Checked {
	var all []Rule
	for _, x := range c {
		all = append(all, x.rules...)
	}
	return Checked{all}
}

// AddChecked stores rules that were validated when they were decoded.
func (e *Engine) AddChecked(c Checked) ([]Rule, error) { return e.store(c, true) }

// ReplaceChecked is Replace for rules validated when they were decoded.
func (e *Engine) ReplaceChecked(c Checked) ([]Rule, error) { return e.store(c, false) }

// store adds rules after the existing ones (keep) or instead of them.
func (e *Engine) store(c Checked, keep bool) ([]Rule, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	stored := len(e.entries)
	if !keep {
		stored = 0
	}
	if stored+len(c.rules) > e.maxRules {
		return nil, &TooManyRulesError{Stored: stored, Adding: len(c.rules), Max: e.maxRules}
	}
	if !keep {
		e.clear()
	}
	if e.index == nil {
		e.index, e.byID = newRuleIndex(e.seed), map[string]*entry{}
	}
	out := make([]Rule, len(c.rules))
	for i, r := range c.rules {
		e.lastID++
		r.ID = "f" + strconv.Itoa(e.lastID)
		r.Seen, r.Fired = 0, 0
		r.Match.Method = strings.ToUpper(r.Match.Method)
		en := &entry{rule: r, seq: e.lastID, key: keyOf(e.seed, &r.Match)}
		if r.Effect.Type == TypeLatency {
			en.delay, _ = time.ParseDuration(r.Effect.Delay) // validated before
		}
		e.entries = append(e.entries, en)
		e.byID[r.ID] = en
		e.index.add(en)
		out[i] = r
	}
	e.count.Store(int64(len(e.entries)))
	return out, nil
}

// List returns every rule, spent ones included, in insertion order, with
// their counters.
func (e *Engine) List() []Rule {
	e.mu.RLock()
	defer e.mu.RUnlock()
	out := make([]Rule, len(e.entries))
	for i, en := range e.entries {
		out[i] = en.view()
	}
	return out
}

// Get returns the rule with the given id.
func (e *Engine) Get(id string) (Rule, bool) {
	e.mu.RLock()
	defer e.mu.RUnlock()
	if en := e.byID[id]; en != nil {
		return en.view(), true
	}
	return Rule{}, false
}

// Delete removes a rule; it reports whether the rule existed.
func (e *Engine) Delete(id string) bool {
	e.mu.Lock()
	defer e.mu.Unlock()
	en := e.byID[id]
	if en == nil {
		return false
	}
	// entries are in seq order: find en by binary search.
	i, _ := slices.BinarySearchFunc(e.entries, en.seq, func(x *entry, seq int) int { return x.seq - seq })
	e.entries = slices.Delete(e.entries, i, i+1)
	delete(e.byID, id)
	e.index.remove(en)
	e.count.Store(int64(len(e.entries)))
	return true
}

// Clear removes every rule. Ids keep counting up, so an id never names two
// different rules in one server's life.
func (e *Engine) Clear() {
	e.mu.Lock()
	e.clear()
	e.count.Store(0)
	e.mu.Unlock()
}

// clear empties the engine; e.mu is held.
func (e *Engine) clear() {
	e.entries, e.byID, e.index = nil, nil, nil
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
	e.mu.RLock()
	defer e.mu.RUnlock()
	if e.index == nil {
		return nil
	}
	var c candidates
	e.index.lookup(q, &c)
	for en := c.next(); en != nil; en = c.next() {
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
	return e.count.Load() > 0
}
