package livedigital_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// BenchmarkClientToken issues client tokens (two HS256 signatures each)
// through the server's whole handler, routing and middleware included,
// without the network:
//
//	go test -run '^$' -bench ClientToken -cpu 1 ./fakeidp/livedigital/
func BenchmarkClientToken(b *testing.B) {
	srv, err := fakeidp.New(fakeidp.Options{Now: func() time.Time { return fixed }})
	if err != nil {
		b.Fatal(err)
	}
	h := srv.Handler()
	body := clientCredentialsBody(seedClientID, seedClientSecret)
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest("POST", "/livedigital/v1/auth/token", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, req)
		if w.Code != http.StatusOK {
			b.Fatalf("status %d: %s", w.Code, w.Body)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}

// BenchmarkClientTokenHTTP is the same over loopback HTTP with keep-alive,
// client and server sharing the CPUs.
func BenchmarkClientTokenHTTP(b *testing.B) {
	srv := fakeidp.StartTest(b, fakeidp.Options{Now: func() time.Time { return fixed }})
	url := tokenURL(srv)
	body := clientCredentialsBody(seedClientID, seedClientSecret)
	client := &http.Client{}
	b.ReportAllocs()
	for b.Loop() {
		resp, err := client.Post(url, "application/json", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
}
