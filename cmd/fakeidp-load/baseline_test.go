package main

import (
	"io"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// The baseline must put on the wire what fakeidp puts there for the same
// flow: the status, the same header names and a body of the same shape
// and length, or comparing the two measures nothing.
func TestBaselineSendsWhatFakeidpSends(t *testing.T) {
	for name, f := range flows {
		t.Run(name, func(t *testing.T) {
			c, err := capture(f)
			if err != nil {
				t.Fatal(err)
			}
			base := httptest.NewServer(c)
			defer base.Close()
			real := fakeidp.StartTest(t, fakeidp.Options{})
			got, want := fetch(t, base.URL, f), fetch(t, real.URL(), f)
			// Discovery names the issuer, whose host differs; token
			// responses are the same length whatever the values.
			sameLen := name == "discovery" || len(got.body) == len(want.body)
			if got.status != want.status || !slices.Equal(got.names, want.names) || !sameLen {
				t.Errorf("baseline %d %v %d bytes, fakeidp %d %v %d bytes",
					got.status, got.names, len(got.body), want.status, want.names, len(want.body))
			}
			if name != "discovery" && got.body == want.body {
				t.Errorf("two token responses are identical: %s", got.body)
			}
		})
	}
}

var plainClient = &http.Client{Transport: &http.Transport{DisableCompression: true}}

type wire struct {
	status int
	names  []string
	body   string
}

func fetch(t *testing.T, base string, f flow) wire {
	t.Helper()
	method, body := http.MethodGet, ""
	if f.body != "" {
		method, body = http.MethodPost, f.body
	}
	req, _ := http.NewRequest(method, base+f.path, strings.NewReader(body))
	if f.contentType != "" {
		req.Header.Set("Content-Type", f.contentType)
	}
	if f.auth != "" {
		req.Header.Set("Authorization", f.auth)
	}
	// No Accept-Encoding, as the load generator sends none: Kontur would
	// gzip the answer, the baseline replays it plain.
	resp, err := plainClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for k := range resp.Header {
		names = append(names, k)
	}
	slices.Sort(names)
	return wire{resp.StatusCode, names, string(b)}
}

// The generator counts 200s as ok and anything else, dropped connections
// included, as failed, and it keeps going after a failure.
func TestRunCounts(t *testing.T) {
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	f := flows["kontur-cc"]
	res := run(srv.URL()+f.path, f, 4, time.Minute, 200)
	if res.ok != 200 || res.failed != 0 || len(res.latencies) != 200 {
		t.Errorf("kontur-cc: %d ok, %d failed, %d latencies; want 200, 0, 200", res.ok, res.failed, len(res.latencies))
	}
	bad := f
	bad.auth = "Basic bm9ib2R5Om5vcGU=" // nobody:nope
	if res := run(srv.URL()+f.path, bad, 2, time.Minute, 50); res.ok != 0 || res.failed != 50 {
		t.Errorf("wrong secret: %d ok, %d failed; want 0, 50", res.ok, res.failed)
	}
	var n atomic.Int64
	flaky := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch n.Add(1) % 3 {
		case 0: // drop the connection without an answer
			c, _, _ := http.NewResponseController(w).Hijack()
			c.Close()
		case 1:
			w.Header().Set("Connection", "close")
			fallthrough
		default:
			w.Header().Set("Transfer-Encoding", "chunked")
			_, _ = w.Write([]byte(`{"access_token":"x"}`))
		}
	}))
	defer flaky.Close()
	res = run(flaky.URL+f.path, f, 1, time.Minute, 90)
	if res.ok != 60 || res.failed != 30 || len(res.latencies) != 60 {
		t.Errorf("flaky server: %d ok, %d failed, %d latencies; want 60, 30, 60", res.ok, res.failed, len(res.latencies))
	}
}

// The throughput counts successful requests only; failures are reported
// apart (a run once showed 106,937 req/s while 368,988 requests failed).
func TestPrintSeparatesFailures(t *testing.T) {
	var out strings.Builder
	result{ok: 1000, failed: 3000, elapsed: 2 * time.Second}.print(&out, "kontur-cc", 4)
	report := out.String()
	for _, want := range []string{"requests: 1000 ok, 3000 failed", "throughput: 500 ok req/s", "failed: 1500 req/s"} {
		if !strings.Contains(report, want) {
			t.Errorf("report lacks %q:\n%s", want, report)
		}
	}
	if strings.Contains(report, "2000") {
		t.Errorf("report counts failures in the throughput:\n%s", report)
	}
	out.Reset()
	result{ok: 1000, elapsed: time.Second}.print(&out, "kontur-cc", 4)
	if strings.Contains(out.String(), "failed:") {
		t.Errorf("a clean run reports failures:\n%s", out.String())
	}
}
