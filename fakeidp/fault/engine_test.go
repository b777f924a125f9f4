package fault

import (
	"fmt"
	"hash/maphash"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp/reqinfo"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

func reset() Effect { return Effect{Type: TypeReset} }

func tokenRequest() request {
	return request{site: "kontur", path: "/connect/token", method: "POST", grantType: "password",
		clientID: "extern.api", username: "user@login.ru", phone: "11111111111"}
}

func TestMatch(t *testing.T) {
	q := tokenRequest()
	tests := []struct {
		match Match
		want  bool
	}{
		{Match{}, true},
		{Match{Site: "kontur"}, true},
		{Match{Site: "livedigital"}, false},
		{Match{Path: "/connect/token"}, true},
		{Match{Path: "/connect/token/"}, false},
		{Match{Method: "POST"}, true},
		{Match{Method: "GET"}, false},
		{Match{GrantType: "password"}, true},
		{Match{GrantType: "client_credentials"}, false},
		{Match{ClientID: "extern.api"}, true},
		{Match{ClientID: "Extern.api"}, false},
		{Match{Username: "user@login.ru"}, true},
		{Match{Username: "user"}, false},
		{Match{Phone: "11111111111"}, true},
		{Match{Phone: "1111111111"}, false},
		{Match{"kontur", "/connect/token", "POST", "password", "extern.api", "user@login.ru", "11111111111"}, true},
		{Match{"kontur", "/connect/token", "POST", "password", "extern.api", "user@login.ru", "2"}, false},
	}
	for _, tt := range tests {
		if got := tt.match.matches(&q); got != tt.want {
			t.Errorf("%+v.matches = %v, want %v", tt.match, got, tt.want)
		}
	}
}

// fire runs n sequential requests and records which rule fired for each.
func fire(e *Engine, n int) []string {
	q := tokenRequest()
	out := make([]string, n)
	for i := range out {
		if en := e.pick(&q); en != nil {
			out[i] = en.rule.ID
		}
	}
	return out
}

func TestCounts(t *testing.T) {
	tests := []struct {
		name         string
		times, after int
		want         []string
	}{
		{"always", 0, 0, []string{"f1", "f1", "f1", "f1"}},
		{"once", 1, 0, []string{"f1", "", "", ""}},
		{"twice", 2, 0, []string{"f1", "f1", "", ""}},
		{"after 2", 0, 2, []string{"", "", "f1", "f1"}},
		{"after 1, once", 1, 1, []string{"", "f1", "", ""}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := NewEngine()
			if _, err := e.Add(Rule{Effect: reset(), Times: tt.times, After: tt.after}); err != nil {
				t.Fatal(err)
			}
			if got := fire(e, 4); fmt.Sprint(got) != fmt.Sprint(tt.want) {
				t.Errorf("fired %q, want %q", got, tt.want)
			}
		})
	}
}

// A spent rule hands over to the next one; a rule letting a request
// through ("after") does not.
func TestFirstLiveRuleDecides(t *testing.T) {
	e := NewEngine()
	mustAdd(t, e, Rule{Match: Match{Site: "livedigital"}, Effect: reset()})
	mustAdd(t, e, Rule{Match: Match{Site: "kontur"}, Effect: reset(), Times: 1})
	mustAdd(t, e, Rule{Effect: Effect{Type: TypeHang}, After: 1})
	got := fire(e, 4)
	if want := []string{"f2", "", "f3", "f3"}; fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("fired %q, want %q", got, want)
	}
	list := e.List()
	if list[1].Fired != 1 || list[2].Seen != 3 || list[2].Fired != 2 || list[0].Seen != 0 {
		t.Errorf("counters = %+v", list)
	}
}

func mustAdd(t testing.TB, e *Engine, r Rule) Rule {
	t.Helper()
	got, err := e.Add(r)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// Under 50 concurrent goroutines, "after N" lets exactly N through and
// "times M" fires exactly M times.
func TestCountsConcurrent(t *testing.T) {
	const after, times, n = 7, 11, 50
	e := NewEngine()
	mustAdd(t, e, Rule{Effect: reset(), After: after, Times: times})
	var fired, passed atomic.Int64
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			q := tokenRequest()
			if e.pick(&q) != nil {
				fired.Add(1)
			} else {
				passed.Add(1)
			}
		})
	}
	wg.Wait()
	if fired.Load() != times || passed.Load() != n-times {
		t.Errorf("fired %d, passed %d; want %d and %d", fired.Load(), passed.Load(), times, n-times)
	}
	if r := e.List()[0]; r.Fired != times {
		t.Errorf("listed fired = %d, want %d", r.Fired, times)
	}
}

func TestEngineCRUD(t *testing.T) {
	e := NewEngine()
	if _, err := e.Add(Rule{}); err == nil {
		t.Fatal("Add accepted an invalid rule")
	}
	a := mustAdd(t, e, Rule{ID: "mine", Seen: 9, Match: Match{Method: "post"}, Effect: reset()})
	b := mustAdd(t, e, Rule{Effect: reset()})
	if a.ID != "f1" || b.ID != "f2" || a.Seen != 0 || a.Match.Method != "POST" {
		t.Errorf("added %+v, %+v", a, b)
	}
	if _, err := e.AddAll([]Rule{{Effect: reset()}, {Effect: Effect{Type: "bad"}}}); err == nil {
		t.Error("AddAll accepted a list with an invalid rule")
	}
	if len(e.List()) != 2 {
		t.Errorf("a refused AddAll stored rules: %+v", e.List())
	}
	if got, ok := e.Get("f2"); !ok || got.ID != "f2" {
		t.Errorf("Get(f2) = %+v, %v", got, ok)
	}
	if !e.Delete("f1") || e.Delete("f1") || e.Delete("nope") {
		t.Error("Delete reported wrongly")
	}
	if _, ok := e.Get("f1"); ok {
		t.Error("deleted rule still found")
	}
	e.Clear()
	if len(e.List()) != 0 {
		t.Error("Clear left rules")
	}
	if c := mustAdd(t, e, Rule{Effect: reset()}); c.ID != "f3" {
		t.Errorf("id after Clear = %s, want f3 (ids are never reused)", c.ID)
	}
}

// Replace swaps every rule for the given ones, or changes nothing when one
// is invalid.
func TestEngineReplace(t *testing.T) {
	e := NewEngine()
	mustAdd(t, e, Rule{Effect: reset()})
	if _, err := e.Replace([]Rule{{Effect: reset()}, {Effect: Effect{Type: "bad"}}}); err == nil {
		t.Error("Replace accepted a list with an invalid rule")
	}
	if got := e.List(); len(got) != 1 || got[0].ID != "f1" {
		t.Errorf("a refused Replace changed the rules: %+v", got)
	}
	got, err := e.Replace([]Rule{{Match: Match{Path: "/a"}, Effect: reset()}, {Effect: reset()}})
	if err != nil || len(got) != 2 || got[0].ID != "f2" {
		t.Fatalf("Replace = %+v, %v", got, err)
	}
	if list := e.List(); len(list) != 2 || list[0].ID != "f2" || list[1].ID != "f3" {
		t.Errorf("after Replace: %+v", list)
	}
	if _, err := e.Replace(nil); err != nil || len(e.List()) != 0 {
		t.Errorf("Replace(nil) = %v, left %d rules", err, len(e.List()))
	}
}

// Listing and editing while requests are matched is race-free.
func TestEngineConcurrentEdits(t *testing.T) {
	e := NewEngine()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 200 {
				r := mustAdd(t, e, Rule{Match: Match{ClientID: fmt.Sprint(i, j)}, Effect: reset(), Times: 1})
				q := tokenRequest()
				e.pick(&q)
				_ = e.List()
				e.Delete(r.ID)
			}
		})
	}
	wg.Wait()
}

// hundredRules are rules that never match the token request.
func hundredRules(tb testing.TB) *Engine {
	e := NewEngine()
	for i := range 100 {
		mustAdd(tb, e, Rule{Match: Match{Site: "kontur", ClientID: fmt.Sprintf("client-%d", i)},
			Effect: Effect{Type: TypeError, Error: "invalid_client"}})
	}
	return e
}

func siteRequest() *http.Request {
	r := httptest.NewRequest("POST", "/kontur/connect/token", nil)
	r = site.WithBase(r, "kontur", "http://x/kontur")
	return reqinfo.WithInfo(r, &reqinfo.Info{Site: "kontur", Path: "/connect/token",
		GrantType: "client_credentials", ClientID: "medi_test_client"})
}

func TestMissAllocatesNothing(t *testing.T) {
	e := hundredRules(t)
	h := e.Middleware(nil, nil)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	r, w := siteRequest(), httptest.NewRecorder()
	if n := testing.AllocsPerRun(100, func() { h.ServeHTTP(w, r) }); n != 0 {
		t.Errorf("a miss over 100 rules allocates %v times", n)
	}
}

// BenchmarkMatch100 is the per-request cost of the fault middleware with
// 100 installed rules, none of which matches.
func BenchmarkMatch100(b *testing.B) {
	e := hundredRules(b)
	h := e.Middleware(nil, nil)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	r, w := siteRequest(), httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, r)
	}
}

func BenchmarkMatch100Parallel(b *testing.B) {
	e := hundredRules(b)
	h := e.Middleware(nil, nil)(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	r := siteRequest()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		w := httptest.NewRecorder()
		for pb.Next() {
			h.ServeHTTP(w, r)
		}
	})
}

// The index never changes which rules are looked at, nor their order:
// compare it with a plain scan over many rule sets and requests, with
// every combination of match fields.
func TestIndexAgreesWithPlainScan(t *testing.T) {
	values := []string{"", "a", "b"}
	var requests []request
	for k := range 1 << numKeys {
		v := func(bit int) string { return values[(k>>bit)&1+1] }
		requests = append(requests, request{v(0), v(1), v(2), v(3), v(4), v(5), v(6)})
		// The same request without the fields of k's low bits.
		requests = append(requests, request{values[k&1*2], v(1), "a", values[k>>1&1*2], "b", "", v(6)})
	}
	for seed := range 40 {
		var entries []*entry
		hs := maphash.MakeSeed()
		for i := range 20 + 10*seed {
			k := i*7 + seed*13
			m := Match{values[k%3], values[k/3%3], values[(k+seed)%3], values[k/9%3],
				values[k/27%3], values[(k/2+seed)%3], values[(k*5)%3]}
			entries = append(entries, &entry{rule: Rule{Match: m}, seq: i, key: keyOf(hs, &m)})
		}
		ix := newRuleIndex(hs)
		for _, en := range entries {
			ix.add(en)
		}
		for _, q := range requests {
			var plain, indexed []int32
			for i, en := range entries {
				if en.rule.Match.matches(&q) {
					plain = append(plain, int32(i))
				}
			}
			var c candidates
			ix.lookup(&q, &c)
			for en := c.next(); en != nil; en = c.next() {
				if en.rule.Match.matches(&q) {
					indexed = append(indexed, int32(en.seq))
				}
			}
			if !slices.Equal(plain, indexed) {
				t.Fatalf("seed %d request %+v: index finds rules %v, a scan %v", seed, q, indexed, plain)
			}
		}
	}
}

// With rules over all 127 combinations of fields, none matching, the
// one rule that matches is still found, and first in order wins.
func TestIndexWithEveryCombination(t *testing.T) {
	e := NewEngine()
	for mask := 1; mask < numMasks; mask++ {
		var vals [numKeys]string
		for k := range numKeys {
			if mask&(1<<k) != 0 {
				vals[k] = "no"
			}
		}
		vals[0] = map[bool]string{true: "livedigital", false: ""}[vals[0] != ""]
		vals[1] = map[bool]string{true: "/no", false: ""}[vals[1] != ""]
		mustAdd(t, e, Rule{Match: Match{vals[0], vals[1], vals[2], vals[3], vals[4], vals[5], vals[6]}, Effect: reset()})
	}
	hit := mustAdd(t, e, Rule{Match: Match{Site: "kontur", ClientID: "hit"}, Effect: reset()})
	later := mustAdd(t, e, Rule{Match: Match{ClientID: "hit"}, Effect: reset()})
	if n := len(e.index.masks); n != numMasks-1 {
		t.Fatalf("%d masks in use, want %d", n, numMasks-1)
	}
	q := request{site: "kontur", path: "/", method: "POST", clientID: "hit"}
	if en := e.pick(&q); en == nil || en.rule.ID != hit.ID {
		t.Errorf("picked %+v, want %s", en, hit.ID)
	}
	q.site = "doktornarabote-api"
	if en := e.pick(&q); en == nil || en.rule.ID != later.ID {
		t.Errorf("picked %+v, want %s", en, later.ID)
	}
	q.clientID = "miss"
	if en := e.pick(&q); en != nil {
		t.Errorf("picked %+v for a request no rule matches", en)
	}
}

// Rules added and deleted one at a time leave the index as a scan of the
// rules left would see them: the index is updated by each change, never
// rebuilt, so this checks every update path (new masks, emptied masks and
// buckets, a filter that grows).
func TestIndexUpdatedByEachChange(t *testing.T) {
	values := []string{"", "/a", "/b"}
	e := NewEngine()
	var live []Rule
	for i := range 600 {
		m := Match{Path: values[i%3], ClientID: values[i/3%3], Username: values[i/9%3], Phone: values[i/27%3]}
		r := mustAdd(t, e, Rule{Match: m, Effect: reset()})
		live = append(live, r)
		if i%3 == 2 { // delete one of the older rules
			j := (i * 7) % len(live)
			if !e.Delete(live[j].ID) {
				t.Fatalf("Delete(%s) = false", live[j].ID)
			}
			live = slices.Delete(live, j, j+1)
		}
		for _, q := range []request{{path: "/a", clientID: "/b"}, {path: "/b", clientID: "/a", username: "/a", phone: "/b"}, {}} {
			var want []string
			for _, r := range live {
				if r.Match.matches(&q) {
					want = append(want, r.ID)
				}
			}
			var got []string
			e.mu.RLock()
			var c candidates
			e.index.lookup(&q, &c)
			for en := c.next(); en != nil; en = c.next() {
				if en.rule.Match.matches(&q) {
					got = append(got, en.rule.ID)
				}
			}
			e.mu.RUnlock()
			if !slices.Equal(got, want) {
				t.Fatalf("after %d adds, request %+v: index finds %v, a scan %v", i+1, q, got, want)
			}
		}
	}
	if got := len(e.List()); got != len(live) {
		t.Errorf("List has %d rules, want %d", got, len(live))
	}
}
