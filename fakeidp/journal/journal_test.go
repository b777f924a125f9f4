package journal

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp/reqinfo"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

var t0 = time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)

func paths(entries []Entry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.Path)
	}
	return out
}

func TestRingBounds(t *testing.T) {
	j := New(3, func() time.Time { return t0 })
	if got := j.List(Filter{}); len(got) != 0 {
		t.Fatalf("new journal lists %v", got)
	}
	for i := range 5 {
		j.Record(Entry{Path: fmt.Sprint("/", i), Site: []string{"kontur", "livedigital"}[i%2]})
	}
	tests := []struct {
		filter Filter
		want   string
	}{
		{Filter{}, "[/4 /3 /2]"},
		{Filter{Limit: 2}, "[/4 /3]"},
		{Filter{Limit: 10}, "[/4 /3 /2]"},
		{Filter{Site: "kontur"}, "[/4 /2]"},
		{Filter{Site: "livedigital"}, "[/3]"},
		{Filter{Path: "/2"}, "[/2]"},
		{Filter{Path: "/0"}, "[]"},
	}
	for _, tt := range tests {
		if got := fmt.Sprint(paths(j.List(tt.filter))); got != tt.want {
			t.Errorf("List(%+v) = %s, want %s", tt.filter, got, tt.want)
		}
	}
	if e := j.List(Filter{Limit: 1})[0]; !e.Time.Equal(t0) {
		t.Errorf("Time = %v, want the injected clock's %v", e.Time, t0)
	}
	j.Clear()
	j.Record(Entry{Path: "/after"})
	if got := fmt.Sprint(paths(j.List(Filter{}))); got != "[/after]" {
		t.Errorf("after Clear: %s", got)
	}
}

func TestRingWrapsManyTimes(t *testing.T) {
	j := New(7, nil)
	for i := range 100 {
		j.Record(Entry{Path: fmt.Sprint(i)})
		want := min(i+1, 7)
		got := j.List(Filter{})
		if len(got) != want || got[0].Path != fmt.Sprint(i) || got[len(got)-1].Path != fmt.Sprint(i+1-want) {
			t.Fatalf("after %d records: %v", i+1, paths(got))
		}
	}
}

type nopHandler struct{}

func (nopHandler) ServeHTTP(http.ResponseWriter, *http.Request) {}

func TestDisabled(t *testing.T) {
	j := New(0, nil)
	next := nopHandler{}
	if h := j.Middleware()(next); h != http.Handler(next) {
		t.Error("a disabled journal wraps the handler")
	}
	j.Record(Entry{Path: "/x"})
	if len(j.List(Filter{})) != 0 || j.Enabled() || New(-5, nil).Size() != 0 {
		t.Error("a disabled journal recorded")
	}
}

// Record, List and Clear from many goroutines at once (run with -race).
func TestConcurrentRecordList(t *testing.T) {
	j := New(50, nil)
	h := j.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) }))
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 300 {
				r := httptest.NewRequest("POST", "/connect/token?x=1", nil)
				r = site.WithBase(r, "kontur", "http://x/kontur")
				h.ServeHTTP(httptest.NewRecorder(), reqinfo.WithInfo(r, reqinfo.Read(r, 1024)))
				j.Record(Entry{Site: "livedigital", Path: fmt.Sprint(g, i)})
				if got := j.List(Filter{Site: "kontur", Limit: 5}); len(got) > 5 {
					t.Errorf("limit ignored: %d", len(got))
				}
				if i%100 == 99 {
					j.Clear()
				}
			}
		})
	}
	wg.Wait()
	if n := len(j.List(Filter{})); n > 50 {
		t.Errorf("ring holds %d entries, size 50", n)
	}
}

func TestStatusCapture(t *testing.T) {
	tests := []struct {
		name    string
		handler http.HandlerFunc
		status  int
		note    string
	}{
		{"explicit", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(404) }, 404, ""},
		{"implicit", func(w http.ResponseWriter, _ *http.Request) { _, _ = w.Write([]byte("x")) }, 200, ""},
		{"nothing written", func(http.ResponseWriter, *http.Request) {}, 200, ""},
		{"second WriteHeader ignored", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(503)
			w.WriteHeader(200)
		}, 503, ""},
		{"interim then final", func(w http.ResponseWriter, _ *http.Request) {
			w.WriteHeader(103)
			w.WriteHeader(401)
		}, 401, ""},
		{"panic", func(http.ResponseWriter, *http.Request) { panic(http.ErrAbortHandler) }, 0, "handler aborted"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			j := New(4, nil)
			h := j.Middleware()(tt.handler)
			func() {
				defer func() { _ = recover() }()
				h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/x", nil))
			}()
			got := j.List(Filter{})
			if len(got) != 1 || got[0].Status != tt.status || got[0].Note != tt.note {
				t.Errorf("entries = %+v, want status %d note %q", got, tt.status, tt.note)
			}
		})
	}
}

func TestRecorderFlushes(t *testing.T) {
	j := New(4, nil)
	var flushable bool
	h := j.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, flushable = w.(http.Flusher)
		_, _ = w.Write([]byte("part"))
		if err := http.NewResponseController(w).Flush(); err != nil {
			t.Errorf("Flush through the recorder: %v", err)
		}
	}))
	rr := httptest.NewRecorder()
	h.ServeHTTP(rr, httptest.NewRequest("GET", "/x", nil))
	if !flushable || !rr.Flushed {
		t.Errorf("flushable %v, flushed %v", flushable, rr.Flushed)
	}
}

func BenchmarkRecord(b *testing.B) {
	j := New(1000, nil)
	h := j.Middleware()(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(200) }))
	r := httptest.NewRequest("POST", "/kontur/connect/token", nil)
	r.Header.Set("Authorization", "Basic bWVkaV90ZXN0X2NsaWVudDpiMjlkMGQ5ZQ==")
	r.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	r.Header.Set("Accept", "application/json")
	r.Header.Set("User-Agent", "Go-http-client/1.1")
	r = site.WithBase(r, "kontur", "http://x/kontur")
	r = reqinfo.WithInfo(r, &reqinfo.Info{Site: "kontur", Path: "/connect/token", GrantType: "client_credentials",
		ClientID: "medi_test_client", Fields: map[string]string{"grant_type": "client_credentials", "scope": "medi_api"}})
	w := httptest.NewRecorder()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeHTTP(w, r)
	}
}

// What goes in through Record comes out of List, redacted, with repeated
// query parameters and header values joined and each section bounded.
func TestRecordRoundTrip(t *testing.T) {
	j := New(2, nil)
	many := map[string]string{}
	for i := range 200 {
		many[fmt.Sprint("k", i)] = "v"
	}
	in := Entry{Time: t0, Site: "kontur", Method: "POST", Path: "/connect/token", ClientID: "c",
		Status: 400, DurationMS: 1.25, Note: "n",
		Query:   map[string]string{"state": "xyz", "ключ": "значение"},
		Fields:  map[string]string{"grant_type": "password", "password": "123456"},
		Headers: map[string]string{"accept": "application/json"}}
	j.Record(in)
	j.Record(Entry{Fields: many})
	got := j.List(Filter{})
	if len(got) != 2 || len(got[0].Fields) != maxPairs {
		t.Fatalf("got %d entries, first with %d fields; want 2 and %d", len(got), len(got[0].Fields), maxPairs)
	}
	out := got[1]
	want := in
	want.Fields = map[string]string{"grant_type": "password", "password": "1…"}
	if fmt.Sprint(out) != fmt.Sprint(want) || !out.Time.Equal(t0) {
		t.Errorf("round trip:\n got %+v\nwant %+v", out, want)
	}

	r := httptest.NewRequest("GET", "/x?a=1&a=2&b=%zz&=v&c", nil)
	r.Header.Add("Accept", "text/html")
	r.Header.Add("Accept", "application/json")
	j.Middleware()(nopHandler{}).ServeHTTP(httptest.NewRecorder(), r)
	e := j.List(Filter{Limit: 1})[0]
	if e.Query["a"] != "1,2" || e.Query["c"] != "" || len(e.Query) != 2 ||
		e.Headers["Accept"] != "text/html, application/json" || e.Path != "/x" {
		t.Errorf("query %q headers %q path %q", e.Query, e.Headers, e.Path)
	}
}
