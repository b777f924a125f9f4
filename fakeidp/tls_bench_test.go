package fakeidp_test

import (
	"compress/gzip"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// BenchmarkTokenOverTLS is the medi-api token request from one keep-alive
// client over loopback: plain HTTP, TLS with HTTP/1.1, TLS with HTTP/2,
// and plain HTTP asking for gzip (the client decodes it). The issue wants,
// on one core, TLS at 60% or more of plain HTTP's throughput and gzip at
// 70% or more of plain:
//
//	go test -run '^$' -bench 'TokenOverTLS|TLSHandshake' -cpu 1 -count 5 ./fakeidp/
func BenchmarkTokenOverTLS(b *testing.B) {
	srv := fakeidp.StartTLS(b, fakeidp.Options{})
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(srv.CACertPEM())
	cases := []struct {
		name string
		base string
		h2   bool
		gzip bool
	}{
		{"http", srv.URL(), false, false},
		{"https-h1", srv.TLSURL(), false, false},
		{"https-h2", srv.TLSURL(), true, false},
		{"http-gzip", srv.URL(), false, true},
		{"https-h2-gzip", srv.TLSURL(), true, true},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			t := &http.Transport{DisableCompression: true, TLSClientConfig: &tls.Config{RootCAs: pool}}
			if c.h2 {
				t.ForceAttemptHTTP2 = true
			} else {
				t.TLSNextProto = map[string]func(string, *tls.Conn) http.RoundTripper{}
			}
			defer t.CloseIdleConnections()
			client := &http.Client{Transport: t}
			var zr *gzip.Reader // reused, as a client's pool would
			if c.gzip {
				zr = new(gzip.Reader)
			}
			b.ReportAllocs()
			for b.Loop() {
				tokenOverWire(b, client, c.base, zr)
			}
		})
	}
}

// BenchmarkTLSHandshake is a new TLS connection plus one token request
// per operation; ops/s is handshakes per second.
func BenchmarkTLSHandshake(b *testing.B) {
	srv := fakeidp.StartTLS(b, fakeidp.Options{})
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(srv.CACertPEM())
	t := &http.Transport{DisableKeepAlives: true, DisableCompression: true, TLSClientConfig: &tls.Config{RootCAs: pool}}
	client := &http.Client{Transport: t}
	b.ReportAllocs()
	for b.Loop() {
		tokenOverWire(b, client, srv.TLSURL(), nil)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "handshakes/s")
}

// tokenOverWire asks for a medi-api token; with zr, it asks for gzip and
// decodes the body with zr.
func tokenOverWire(b *testing.B, client *http.Client, base string, zr *gzip.Reader) {
	req, _ := http.NewRequest(http.MethodPost, base+"/kontur/connect/token", strings.NewReader("grant_type=client_credentials&scope=medi_api"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Basic bWVkaV90ZXN0X2NsaWVudDpiMjlkMGQ5ZS04NzJjLTRlYTUtYTkyYS03MWIzYWJkZWEwOTE=")
	if zr != nil {
		req.Header.Set("Accept-Encoding", "gzip")
	}
	resp, err := client.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var body io.Reader = resp.Body
	if zr != nil {
		if err := zr.Reset(resp.Body); err != nil {
			b.Fatalf("gzip: %v", err)
		}
		body = zr
	}
	n, _ := io.Copy(io.Discard, body)
	if resp.StatusCode != http.StatusOK || n < 50 {
		b.Fatalf("status %d, %d bytes", resp.StatusCode, n)
	}
}
