// Command fakeidp-load is a small closed-loop load generator for fakeidp's
// token endpoints on loopback. It prints requests per second and latency
// percentiles, so figures in issues and notes can be reproduced:
//
//	GOMAXPROCS=1 taskset -c 0 fakeidp --addr 127.0.0.1:18080 &
//	taskset -c 1 fakeidp-load --url http://127.0.0.1:18080 --flow kontur-cc -c 32 -d 10s
//	taskset -c 1 fakeidp-load --url http://127.0.0.1:18080 --flow medi-api -stubs 1000 -c 32 -d 10s
//
// With -startup BIN it times process start to the first 200 on discovery
// instead, and reports the idle RSS; with -tls too, BIN also serves HTTPS
// with a CA kept in a directory (made before the first start), and the
// first 200 is over HTTPS. With -baseline ADDR it serves a frozen
// copy of a flow's response through plain net/http, to measure what the
// HTTP server alone allows (see baseline.go).
//
// It sends traffic only where --url points; it refuses any host that is not
// a loopback address.
package main

import (
	"bufio"
	"bytes"
	"encoding/base64"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"slices"
	"strconv"
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
	name := flag.String("flow", "kontur-cc", "what to send: kontur-cc, kontur-password, livedigital-client, discovery, medi-api (an API call; installs stubs first)")
	stubs := flag.Int("stubs", 1, "with --flow medi-api: how many stubs to install, the one that answers included")
	conns := flag.Int("c", 32, "concurrent keep-alive connections")
	dur := flag.Duration("d", 10*time.Second, "how long to run")
	max := flag.Int("n", 5_000_000, "stop after this many requests")
	startup := flag.String("startup", "", "instead of load, time this fakeidp binary from exec to the first 200 on discovery (-runs times)")
	runs := flag.Int("runs", 21, "with -startup: how many starts")
	startTLS := flag.Bool("tls", false, "with -startup: start with --tls-addr and a kept --tls-dir, and wait for the first 200 over HTTPS")
	baseline := flag.String("baseline", "", "instead of load, serve the --flow's response, captured once from fakeidp, through plain net/http on this loopback address")
	flag.Parse()
	if *baseline != "" {
		if err := serveBaseline(*baseline, *name); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	if *startup != "" {
		if err := measureStartup(*startup, *runs, *startTLS); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	f, ok := flows[*name]
	setup, api := apiFlows[*name]
	if !ok && !api {
		fmt.Fprintf(os.Stderr, "unknown --flow %q\n", *name)
		os.Exit(2)
	}
	if err := checkLoopback(*base); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if api {
		var err error
		if f, err = setup(*base, *stubs); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	res := run(*base+f.path, f, *conns, *dur, int64(*max))
	res.print(os.Stdout, *name, *conns)
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
	latencies  []time.Duration // of the successful requests only
}

// run keeps conns connections busy, each sending its next request as soon
// as the last answer is in, until dur has passed or max requests are sent.
func run(target string, f flow, conns int, dur time.Duration, max int64) result {
	u, err := url.Parse(target)
	if err != nil {
		return result{failed: 1}
	}
	req := rawRequest(u, f)
	var sent, ok, failed atomic.Int64
	deadline := time.Now().Add(dur)
	lats := make([][]time.Duration, conns)
	var wg sync.WaitGroup
	start := time.Now()
	for i := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var c *conn
			for time.Now().Before(deadline) && sent.Add(1) <= max {
				t := time.Now()
				good := false
				if c == nil {
					c, _ = dial(u.Host)
				}
				if c != nil {
					var status int
					var err error
					status, err = c.roundTrip(req)
					good = (err == nil || err == errClosed) && status == http.StatusOK
					if err != nil {
						c.close()
						c = nil
					}
				}
				if good {
					ok.Add(1)
					lats[i] = append(lats[i], time.Since(t))
				} else {
					failed.Add(1)
				}
			}
			if c != nil {
				c.close()
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

// The generator speaks HTTP/1.1 itself, over keep-alive connections, with
// the request written once in advance: net/http's client spent more CPU a
// request than the server it measured, and on the load generator's one
// core it topped out near 16,000 req/s whatever the server. Like wrk, it
// reads only what it needs of a response: the status, the framing and the
// body.

// rawRequest is the flow's request as it goes on the wire.
func rawRequest(u *url.URL, f flow) []byte {
	method := http.MethodGet
	if f.body != "" {
		method = http.MethodPost
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\nUser-Agent: fakeidp-load\r\n", method, u.RequestURI(), u.Host)
	if f.contentType != "" {
		fmt.Fprintf(&b, "Content-Type: %s\r\n", f.contentType)
	}
	if f.auth != "" {
		fmt.Fprintf(&b, "Authorization: %s\r\n", f.auth)
	}
	if f.body != "" {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(f.body))
	}
	b.WriteString("\r\n")
	b.WriteString(f.body)
	return b.Bytes()
}

type conn struct {
	c  net.Conn
	br *bufio.Reader
}

func dial(host string) (*conn, error) {
	c, err := net.Dial("tcp", host)
	if err != nil {
		return nil, err
	}
	return &conn{c: c, br: bufio.NewReaderSize(c, 16<<10)}, nil
}

func (c *conn) close() { _ = c.c.Close() }

// roundTrip sends req and reads the whole response, returning its status.
// An error means the connection is no longer usable.
func (c *conn) roundTrip(req []byte) (int, error) {
	_ = c.c.SetDeadline(time.Now().Add(10 * time.Second))
	if _, err := c.c.Write(req); err != nil {
		return 0, err
	}
	line, err := c.br.ReadSlice('\n')
	if err != nil {
		return 0, err
	}
	status := 0
	if len(line) < 12 || !bytes.HasPrefix(line, []byte("HTTP/1.")) {
		return 0, fmt.Errorf("malformed status line %q", line)
	}
	if status, err = strconv.Atoi(string(line[9:12])); err != nil {
		return 0, fmt.Errorf("malformed status line %q", line)
	}
	length, chunked, closing := -1, false, false
	for {
		line, err := c.br.ReadSlice('\n')
		if err != nil {
			return 0, err
		}
		if len(bytes.TrimSpace(line)) == 0 {
			break
		}
		name, value, _ := bytes.Cut(line, []byte(":"))
		value = bytes.TrimSpace(value)
		switch {
		case bytes.EqualFold(name, []byte("Content-Length")):
			if length, err = strconv.Atoi(string(value)); err != nil {
				return 0, fmt.Errorf("bad Content-Length %q", value)
			}
		case bytes.EqualFold(name, []byte("Transfer-Encoding")):
			chunked = bytes.EqualFold(value, []byte("chunked"))
		case bytes.EqualFold(name, []byte("Connection")):
			closing = bytes.EqualFold(value, []byte("close"))
		}
	}
	switch {
	case status == http.StatusNoContent || status == http.StatusNotModified:
		// no body
	case chunked:
		_, err = io.Copy(io.Discard, httputil.NewChunkedReader(c.br))
		for err == nil { // the trailer section, up to its empty line
			if line, err = c.br.ReadSlice('\n'); len(bytes.TrimSpace(line)) == 0 {
				break
			}
		}
	case length >= 0:
		_, err = c.br.Discard(length)
	default:
		_, err = io.Copy(io.Discard, c.br) // delimited by the close
		closing = true
	}
	if err == nil && closing {
		err = io.EOF // answered, but the connection is done
	}
	if err == io.EOF && closing {
		return status, errClosed
	}
	return status, err
}

var errClosed = errors.New("server closed the connection")

func (r result) pct(p float64) time.Duration {
	if len(r.latencies) == 0 {
		return 0
	}
	return r.latencies[int(float64(len(r.latencies)-1)*p)]
}

// print reports the successful requests' rate and latency; failures
// (often fast refusals) are counted apart, never in the throughput.
func (r result) print(w io.Writer, name string, conns int) {
	secs := r.elapsed.Seconds()
	fmt.Fprintf(w, "flow %s, %d connections, %.1fs\n", name, conns, secs)
	fmt.Fprintf(w, "requests: %d ok, %d failed\n", r.ok, r.failed)
	fmt.Fprintf(w, "throughput: %.0f ok req/s\n", float64(r.ok)/secs)
	if r.failed > 0 {
		fmt.Fprintf(w, "failed: %.0f req/s, not counted above: the figures are not a clean run\n", float64(r.failed)/secs)
	}
	fmt.Fprintf(w, "latency (ok): p50 %v  p90 %v  p99 %v  max %v\n", r.pct(0.50), r.pct(0.90), r.pct(0.99), r.pct(1))
}
