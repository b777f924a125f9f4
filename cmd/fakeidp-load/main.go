// Command fakeidp-load is a small closed-loop load generator for fakeidp's
// token endpoints on loopback. It prints requests per second and latency
// percentiles, so figures in issues and notes can be reproduced:
//
//	GOMAXPROCS=1 taskset -c 0 fakeidp --addr 127.0.0.1:18080 &
//	taskset -c 1 fakeidp-load --url http://127.0.0.1:18080 --flow kontur-cc -c 32 -d 10s
//
// With -startup BIN it times process start to the first 200 on discovery
// instead, and reports the idle RSS.
//
// It sends traffic only where --url points; it refuses any host that is not
// a loopback address.
package main

import (
	"bytes"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// flow is one kind of request to send.
type flow struct {
	path, contentType, body, auth string
}

var flows = map[string]flow{
	"kontur-cc": {
		path: "/kontur/connect/token", contentType: "application/x-www-form-urlencoded",
		body: "grant_type=client_credentials&scope=medi_api",
		auth: "Basic " + base64.StdEncoding.EncodeToString([]byte("medi_test_client:b29d0d9e-872c-4ea5-a92a-71b3abdea091")),
	},
	"kontur-password": {
		path: "/kontur/connect/token", contentType: "application/x-www-form-urlencoded",
		body: "client_id=extern.api&client_secret=extern.api-secret&grant_type=password&scope=extern.api&username=user%40login.ru&password=password",
	},
	"livedigital-client": {
		path: "/livedigital/v1/auth/token", contentType: "application/json",
		body: `{"client_id":"john-smith-livedigital","client_secret":"VTytkTR7ZHH5nLhoWCLjymrUJjKBzfs4","grant_type":"client_credentials"}`,
	},
	"discovery": {path: "/kontur/.well-known/openid-configuration"},
}

func main() {
	base := flag.String("url", "http://127.0.0.1:8080", "fakeidp base URL (loopback only)")
	name := flag.String("flow", "kontur-cc", "what to send: kontur-cc, kontur-password, livedigital-client, discovery")
	conns := flag.Int("c", 32, "concurrent keep-alive connections")
	dur := flag.Duration("d", 10*time.Second, "how long to run")
	max := flag.Int("n", 5_000_000, "stop after this many requests")
	startup := flag.String("startup", "", "instead of load, time this fakeidp binary from exec to the first 200 on discovery (-runs times)")
	runs := flag.Int("runs", 21, "with -startup: how many starts")
	flag.Parse()
	if *startup != "" {
		if err := measureStartup(*startup, *runs); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	f, ok := flows[*name]
	if !ok {
		fmt.Fprintf(os.Stderr, "unknown --flow %q\n", *name)
		os.Exit(2)
	}
	if err := checkLoopback(*base); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	res := run(*base+f.path, f, *conns, *dur, int64(*max))
	res.print(*name, *conns)
	if res.failed > 0 {
		os.Exit(1)
	}
}

func checkLoopback(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	host := u.Hostname()
	if host == "localhost" {
		return nil
	}
	if ip := net.ParseIP(host); ip != nil && ip.IsLoopback() {
		return nil
	}
	return fmt.Errorf("--url must point at a loopback address, got %q", host)
}

type result struct {
	ok, failed int64
	elapsed    time.Duration
	latencies  []time.Duration
}

func run(target string, f flow, conns int, dur time.Duration, max int64) result {
	transport := &http.Transport{MaxIdleConnsPerHost: conns, MaxConnsPerHost: conns, DisableCompression: true}
	client := &http.Client{Transport: transport, Timeout: 10 * time.Second}
	var sent, ok, failed atomic.Int64
	deadline := time.Now().Add(dur)
	lats := make([][]time.Duration, conns)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for time.Now().Before(deadline) && sent.Add(1) <= max {
				t := time.Now()
				if send(client, target, f) {
					ok.Add(1)
				} else {
					failed.Add(1)
				}
				lats[i] = append(lats[i], time.Since(t))
			}
		}()
	}
	wg.Wait()
	r := result{ok: ok.Load(), failed: failed.Load(), elapsed: time.Since(start)}
	for _, l := range lats {
		r.latencies = append(r.latencies, l...)
	}
	slices.Sort(r.latencies)
	return r
}

func send(client *http.Client, target string, f flow) bool {
	method, body := http.MethodGet, io.Reader(nil)
	if f.body != "" {
		method, body = http.MethodPost, bytes.NewBufferString(f.body)
	}
	req, err := http.NewRequest(method, target, body)
	if err != nil {
		return false
	}
	if f.contentType != "" {
		req.Header.Set("Content-Type", f.contentType)
	}
	if f.auth != "" {
		req.Header.Set("Authorization", f.auth)
	}
	resp, err := client.Do(req)
	if err != nil {
		return false
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

func (r result) pct(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[int(float64(len(r.latencies)-1)*p)]
}

func (r result) print(name string, conns int) {
	fmt.Printf("flow %s, %d connections, %.1fs\n", name, conns, r.elapsed.Seconds())
	fmt.Printf("requests: %d ok, %d failed\n", r.ok, r.failed)
	fmt.Printf("throughput: %.0f req/s\n", float64(r.ok+r.failed)/r.elapsed.Seconds())
	fmt.Printf("latency: p50 %v  p90 %v  p99 %v  max %v\n", r.pct(0.50), r.pct(0.90), r.pct(0.99), r.pct(1))
}
