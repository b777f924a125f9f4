package main

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// The baseline answers every request with one response captured from
// fakeidp's own handler for a flow, served by plain net/http with nothing
// of fakeidp in the way: the same bytes on the wire, none of the work.
// Loading it exactly as fakeidp is loaded shows what the HTTP server alone
// allows on this machine:
//
//	GOMAXPROCS=1 taskset -c 0 fakeidp-load -baseline 127.0.0.1:18090 &
//	taskset -c 1 fakeidp-load --url http://127.0.0.1:18090 --flow kontur-cc

// captured is one response of fakeidp's, frozen.
type captured struct {
	status int
	header http.Header
	body   []byte
}

// capture runs f once through a fresh in-process fakeidp.
func capture(f flow) (captured, error) {
	srv, err := fakeidp.New(fakeidp.Options{})
	if err != nil {
		return captured{}, err
	}
	method, body := http.MethodGet, io.Reader(nil)
	if f.body != "" {
		method, body = http.MethodPost, strings.NewReader(f.body)
	}
	req := httptest.NewRequest(method, f.path, body)
	if f.contentType != "" {
		req.Header.Set("Content-Type", f.contentType)
	}
	if f.auth != "" {
		req.Header.Set("Authorization", f.auth)
	}
	rec := httptest.NewRecorder()
	srv.Handler().ServeHTTP(rec, req)
	res := rec.Result()
	if res.StatusCode != http.StatusOK {
		return captured{}, fmt.Errorf("capturing the baseline: fakeidp answered %d: %s", res.StatusCode, rec.Body)
	}
	res.Header.Del("Content-Length") // net/http sets it again
	return captured{status: res.StatusCode, header: res.Header, body: rec.Body.Bytes()}, nil
}

// ServeHTTP reads the request body, as a token endpoint must, and sends
// the captured response.
func (c captured) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	_, _ = io.Copy(io.Discard, r.Body)
	h := w.Header()
	for k, v := range c.header {
		h[k] = v
	}
	w.WriteHeader(c.status)
	_, _ = w.Write(c.body)
}

func serveBaseline(addr, name string) error {
	f, ok := flows[name]
	if !ok {
		return fmt.Errorf("unknown --flow %q", name)
	}
	c, err := capture(f)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", addr)
	if err != nil {
		return err
	}
	if !l.Addr().(*net.TCPAddr).IP.IsLoopback() {
		l.Close()
		return errors.New("-baseline listens on loopback addresses only")
	}
	fmt.Printf("baseline: the %s response of fakeidp, served by plain net/http on http://%s\n", name, l.Addr())
	return http.Serve(l, c)
}
