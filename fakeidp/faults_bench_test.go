package fakeidp_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fixtures"
)

// BenchmarkFaultRulesOneByOne adds 8,000 fault rules one control request
// at a time, as a suite that sets up its error cases does, and reports
// how much longer the last 1,000 took than the first 1,000: the index is
// updated by each rule, so the ratio stays near 1 (issue 18 asks ≤ 1.5;
// rebuilding the index on every add made it 5).
//
//	go test -run '^$' -bench FaultRulesOneByOne -benchtime 1x -count 6 ./fakeidp/
func BenchmarkFaultRulesOneByOne(b *testing.B) {
	const total, slice = 8000, 1000
	client := &http.Client{}
	for b.Loop() {
		srv := fakeidp.StartTest(b, fakeidp.Options{})
		url := srv.URL() + "/_fakeidp/faults"
		var first, last time.Duration
		for i := range total {
			body := fmt.Sprintf(`{"match":{"site":"kontur","client_id":"client-%d"},"effect":{"type":"error","error":"invalid_client"}}`, i)
			start := time.Now()
			resp, err := client.Post(url, "application/json", strings.NewReader(body))
			if err != nil {
				b.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusCreated {
				b.Fatalf("rule %d: %s", i, resp.Status)
			}
			switch took := time.Since(start); {
			case i < slice:
				first += took
			case i >= total-slice:
				last += took
			}
		}
		b.ReportMetric(float64(last)/float64(first), "last/first")
		b.ReportMetric(float64(last)/slice/1e3, "µs/last-add")
		srv.Close()
	}
}

// BenchmarkNewFreshConfig builds 5,000 Servers, each from a Config parsed
// afresh, drops them, collects, and reports how far the live heap is from
// where it started: nothing a Server parsed from its Config (its presets
// above all) may outlive it. Issue 18 wants ≤ 1 MB; a presets cache keyed
// by *config.Config kept about 11 MB per 1,000.
//
//	go test -run '^$' -bench NewFreshConfig -benchtime 1x ./fakeidp/
func BenchmarkNewFreshConfig(b *testing.B) {
	for b.Loop() {
		before := liveHeap()
		for range 5000 {
			cfg, err := config.Parse(fixtures.DefaultYAML)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := fakeidp.New(fakeidp.Options{Config: cfg}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric((float64(liveHeap())-float64(before))/(1<<20), "heap-MB-left")
	}
}
