package fakeidp_test

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// BenchmarkSandboxToken is the medi-api token request through the whole
// handler, in the root and in a sandbox of the same server, in one run.
// The issue wants the sandbox at 90% of the root's throughput or better on
// one core:
//
//	go test -run '^$' -bench SandboxToken -cpu 1 -count 5 ./fakeidp/
func BenchmarkSandboxToken(b *testing.B) {
	srv, err := fakeidp.New(fakeidp.Options{})
	if err != nil {
		b.Fatal(err)
	}
	sb, err := srv.NewSandbox(context.Background(), nil)
	if err != nil {
		b.Fatal(err)
	}
	defer sb.Close()
	for _, c := range []struct{ name, prefix string }{{"root", ""}, {"sandbox", "/sandbox/" + sb.ID()}} {
		b.Run(c.name, func(b *testing.B) {
			h := srv.Handler()
			b.ReportAllocs()
			for b.Loop() {
				tokenAt(b, h, c.prefix+"/kontur/connect/token")
			}
		})
	}
}

func tokenAt(b *testing.B, h http.Handler, path string) {
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:8080"+path, strings.NewReader("grant_type=client_credentials&scope=medi_api"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Basic bWVkaV90ZXN0X2NsaWVudDpiMjlkMGQ5ZS04NzJjLTRlYTUtYTkyYS03MWIzYWJkZWEwOTE=")
	rec := &discardWriter{header: http.Header{}}
	h.ServeHTTP(rec, req)
	if rec.status != http.StatusOK {
		b.Fatalf("%s: status %d", path, rec.status)
	}
}

// discardWriter is a ResponseWriter that keeps only the status, so the
// benchmark measures the server rather than a recorder's buffer.
type discardWriter struct {
	header http.Header
	status int
}

func (w *discardWriter) Header() http.Header { return w.header }
func (w *discardWriter) WriteHeader(s int) {
	if w.status == 0 {
		w.status = s
	}
}
func (w *discardWriter) Write(p []byte) (int, error) {
	w.WriteHeader(http.StatusOK)
	return len(p), nil
}

// BenchmarkSandboxCreateDelete creates and deletes a sandbox over HTTP on
// loopback, and reports the 50th and 99th percentile of each pair (issue
// 18 wants p99 ≤ 1 ms; BenchmarkPlainHTTPPair is this machine's floor):
//
//	go test -run '^$' -bench SandboxCreateDelete -benchtime 2000x ./fakeidp/
func BenchmarkSandboxCreateDelete(b *testing.B) {
	srv := fakeidp.StartTest(b, fakeidp.Options{})
	createDeletePairs(b, srv.URL())
}

// BenchmarkPlainHTTPPair is the floor under BenchmarkSandboxCreateDelete:
// the same two loopback round trips (a POST answered 201 with a small JSON
// body, then a DELETE answered 204), served by plain net/http doing no
// work. Its p99 is what this machine's scheduler and network stack add
// on their own; judge the sandbox figures against it, run in the same
// session:
//
//	go test -run '^$' -bench 'SandboxCreateDelete|PlainHTTPPair' -benchtime 2000x -count 3 ./fakeidp/
func BenchmarkPlainHTTPPair(b *testing.B) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodDelete {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusCreated)
		_, _ = io.WriteString(w, "{\n  \"id\": \"sb-0123456789abcdef\",\n  \"ttl\": \"1h0m0s\"\n}\n")
	}))
	defer ts.Close()
	createDeletePairs(b, ts.URL)
}

// createDeletePairs creates a sandbox and deletes it, over HTTP on base,
// once per iteration, and reports the 50th and 99th percentile of a pair.
func createDeletePairs(b *testing.B, base string) {
	client := &http.Client{}
	var took []time.Duration
	for b.Loop() {
		start := time.Now()
		req, _ := http.NewRequest(http.MethodPost, base+"/_fakeidp/sandboxes", nil)
		req.Header.Set("Content-Type", "application/json")
		id := sandboxID(b, client, req)
		del, _ := http.NewRequest(http.MethodDelete, base+"/_fakeidp/sandboxes/"+id, nil)
		resp, err := client.Do(del)
		if err != nil || resp.StatusCode != http.StatusNoContent {
			b.Fatalf("delete: %v %v", resp, err)
		}
		resp.Body.Close()
		took = append(took, time.Since(start))
	}
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)/2].Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(took[len(took)*99/100].Microseconds())/1000, "p99-ms")
}

func sandboxID(b *testing.B, client *http.Client, req *http.Request) string {
	resp, err := client.Do(req)
	if err != nil || resp.StatusCode != http.StatusCreated {
		b.Fatalf("create: %v %v", resp, err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if id, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), `"id": "`); ok {
			return strings.TrimSuffix(id, `",`)
		}
	}
	b.Fatal("no id in the answer")
	return ""
}

// BenchmarkSandboxMemory holds 1,000 live sandboxes and reports the
// extra resident memory and live heap they cost. "kontur-token": each
// sandbox has issued one Kontur token (issue 18 wants ≤ 25 MB of RSS);
// "four-tokens": three Kontur tokens and a livedigital token each (the
// sandboxes issue wanted ≤ 100 MB). Run one at a time, once per process,
// as RSS seldom shrinks:
//
//	go test -run '^$' -bench 'SandboxMemory/kontur-token' -benchtime 1x ./fakeidp/
//	go test -run '^$' -bench 'SandboxMemory/four-tokens' -benchtime 1x ./fakeidp/
func BenchmarkSandboxMemory(b *testing.B) {
	for _, c := range []struct {
		name        string
		kontur      int
		livedigital bool
	}{{"kontur-token", 1, false}, {"four-tokens", 3, true}} {
		b.Run(c.name, func(b *testing.B) {
			srv, err := fakeidp.New(fakeidp.Options{})
			if err != nil {
				b.Fatal(err)
			}
			h := srv.Handler()
			tokenAt(b, h, "/kontur/connect/token") // the host's routers compiled
			for b.Loop() {
				heap0, rss0 := liveHeap(), rss(b)
				boxes := make([]*fakeidp.Sandbox, 1000)
				for i := range boxes {
					if boxes[i], err = srv.NewSandbox(context.Background(), nil); err != nil {
						b.Fatal(err)
					}
					for range c.kontur {
						tokenAt(b, h, "/sandbox/"+boxes[i].ID()+"/kontur/connect/token")
					}
					if c.livedigital {
						benchLivedigitalToken(b, h, "/sandbox/"+boxes[i].ID())
					}
				}
				heap1, rss1 := liveHeap(), rss(b)
				b.ReportMetric(float64(rss1-rss0)/(1<<20), "rss-MB/1000")
				b.ReportMetric(float64(heap1-heap0)/(1<<20), "heap-MB/1000")
				for _, sb := range boxes {
					sb.Close()
				}
			}
		})
	}
}

func benchLivedigitalToken(b *testing.B, h http.Handler, prefix string) {
	req, _ := http.NewRequest(http.MethodPost, "http://127.0.0.1:8080"+prefix+"/livedigital/v1/auth/token",
		strings.NewReader(`{"grant_type":"client_credentials","client_id":"john-smith-livedigital","client_secret":"VTytkTR7ZHH5nLhoWCLjymrUJjKBzfs4"}`))
	req.Header.Set("Content-Type", "application/json")
	rec := &discardWriter{header: http.Header{}}
	h.ServeHTTP(rec, req)
	if rec.status != http.StatusOK {
		b.Fatalf("livedigital token: %d", rec.status)
	}
}

// liveHeap is the heap in use after a collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapInuse
}

// rss is the process's resident set, from /proc (Linux only).
func rss(b *testing.B) int64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		b.Skipf("no /proc/self/status: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10
		}
	}
	b.Skip("no VmRSS in /proc/self/status")
	return 0
}
