package stub

import (
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp/internal/budget"
)

// bigStub is a stub whose JSON body is about n bytes.
func bigStub(i, n int) Stub {
	return Stub{Site: "livedigital", Path: fmt.Sprintf("/v1/big/%d", i),
		Response: Response{JSON: []byte(`{"v":"` + strings.Repeat("x", n) + `"}`)}}
}

// Stubs added at run time count against the host's byte budget, shared by
// sets; deleting, clearing and resetting give the bytes back; fixtures
// stubs are not charged.
func TestSetBudget(t *testing.T) {
	b := budget.New(1 << 20)
	fixtures := []Stub{bigStub(0, 30<<10)}
	opts := Options{Sites: testSites, MaxBody: 64 << 10, Budget: b, Fixtures: fixtures}
	a, err := NewSet(opts)
	if err != nil {
		t.Fatal(err)
	}
	opts.Fixtures = nil
	other, err := NewSet(opts)
	if err != nil {
		t.Fatal(err)
	}
	if b.Used() != 0 {
		t.Fatalf("fixtures were charged: %d", b.Used())
	}
	var ids []string
	for i := 1; ; i++ {
		stored, err := a.Add(bigStub(i, 60<<10))
		var full *budget.ExceededError
		if errors.As(err, &full) {
			if i < 5 || !strings.Contains(err.Error(), "server.max_state_bytes") {
				t.Fatalf("refused after %d stubs: %v", i-1, err)
			}
			break
		}
		if err != nil || i > 100 {
			t.Fatalf("add %d: %v", i, err)
		}
		ids = append(ids, stored[0].ID)
	}
	if _, err := other.Add(bigStub(1, 60<<10)); err == nil {
		t.Fatal("the other set of the host is not bound by the same budget")
	}
	if !a.Delete(ids[0]) {
		t.Fatal("delete")
	}
	if _, err := other.Add(bigStub(1, 60<<10)); err != nil {
		t.Fatalf("after a delete there should be room: %v", err)
	}
	used := b.Used()
	if err := a.Reset(); err != nil || b.Used() >= used || a.Len() != 1 {
		t.Fatalf("reset: %v, used %d → %d, %d stubs", err, used, b.Used(), a.Len())
	}
	other.Clear()
	if b.Used() != 0 {
		t.Fatalf("everything released, yet %d bytes used", b.Used())
	}
}

// Listing streams: the answer allocates less than the stubs hold (1.8 MB
// for 3.7 MB here; 29 MB before),
// where the indenting encoder held the whole list twice (issue 19). Not
// parallel: it reads the process's allocation counter.
func TestListStreams(t *testing.T) {
	s, err := NewSet(Options{Sites: testSites, MaxBody: 64 << 10, Max: 100})
	if err != nil {
		t.Fatal(err)
	}
	const n, size = 60, 60 << 10
	for i := range n {
		if _, err := s.Add(bigStub(i, size)); err != nil {
			t.Fatal(err)
		}
	}
	req, _ := http.NewRequest(http.MethodGet, "/_fakeidp/stubs", nil)
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	s.handleList(discard{h: http.Header{}}, req) // bench_test.go's writer that keeps nothing
	runtime.ReadMemStats(&after)
	if got, limit := after.TotalAlloc-before.TotalAlloc, uint64(n*size); got > limit {
		t.Errorf("listing %d stubs of %d bytes allocated %d bytes, want under %d", n, size, got, limit)
	}
}
