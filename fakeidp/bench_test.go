package fakeidp_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/fault"
)

// BenchmarkTokenWithRules is the medi-api token request through the whole
// handler: bare (no rules, journal off), with the journal on and no rules
// (the default), with the journal on and 100 rules that do not match it,
// and with 10,000 rules that do not match it spread over all 127
// combinations of match fields. The issue allows at most a 10% drop
// against the bare case for 100 rules, and 20% against the default for
// 10,000:
//
//	go test -run '^$' -bench TokenWithRules -cpu 1 -count 5 ./fakeidp/
func BenchmarkTokenWithRules(b *testing.B) {
	def, err := config.Default()
	if err != nil {
		b.Fatal(err)
	}
	bare := *def
	bare.Server.JournalSize = 0
	cases := []struct {
		name  string
		cfg   *config.Config
		rules []fault.Rule
	}{
		{"bare", &bare, nil},
		{"journal", def, nil},
		{"journal+100rules", def, sameFieldRules(100)},
		{"journal+10000rules", def, spreadRules(10_000)},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			srv, err := fakeidp.New(fakeidp.Options{Config: c.cfg})
			if err != nil {
				b.Fatal(err)
			}
			if _, err := srv.Faults().AddAll(c.rules); err != nil {
				b.Fatal(err)
			}
			h := srv.Handler()
			b.ReportAllocs()
			for b.Loop() {
				mediToken(b, h)
			}
		})
	}
}

// BenchmarkTokenWithStreams is the same token request with dashboards
// watching the live journal: none, three streams being read (three
// dashboards), and one stalled stream whose reader never reads. The issue
// wants three dashboards to cost at most 10%, and a stalled one never to
// block request handling:
//
//	go test -run '^$' -bench TokenWithStreams -cpu 1,2 -count 5 ./fakeidp/
func BenchmarkTokenWithStreams(b *testing.B) {
	cases := []struct {
		name            string
		readers, stalls int
	}{{"none", 0, 0}, {"3streams", 3, 0}, {"stalled", 0, 1}}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			srv := fakeidp.StartTest(b, fakeidp.Options{})
			for range c.readers {
				readStream(b, srv)
			}
			for range c.stalls {
				stallStream(b, srv)
			}
			for srv.Journal().Streams() < c.readers+c.stalls {
				time.Sleep(time.Millisecond)
			}
			h := srv.Handler()
			b.ReportAllocs()
			for b.Loop() {
				mediToken(b, h)
			}
		})
	}
}

// readStream opens the live journal and reads it as a browser would.
func readStream(b *testing.B, srv *fakeidp.Server) {
	resp, err := http.Get(srv.URL() + "/_fakeidp/journal/stream")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { resp.Body.Close() })
	go func() { _, _ = io.Copy(io.Discard, resp.Body) }()
}

// stallStream opens the live journal and never reads a byte of it.
func stallStream(b *testing.B, srv *fakeidp.Server) {
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.URL(), "http://"))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { conn.Close() })
	fmt.Fprintf(conn, "GET /_fakeidp/journal/stream HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
}

// mediToken is the medi-api client's token request, through h.
func mediToken(b *testing.B, h http.Handler) {
	req := httptest.NewRequest(http.MethodPost, "/kontur/connect/token", strings.NewReader("grant_type=client_credentials&scope=medi_api"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Basic bWVkaV90ZXN0X2NsaWVudDpiMjlkMGQ5ZS04NzJjLTRlYTUtYTkyYS03MWIzYWJkZWEwOTE=")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
}

// sameFieldRules match the same site and path as the medi-api token
// request but another client each.
func sameFieldRules(n int) []fault.Rule {
	rules := make([]fault.Rule, n)
	for i := range rules {
		rules[i] = fault.Rule{
			Match:  fault.Match{Site: "kontur", Path: "/connect/token", ClientID: fmt.Sprintf("other-client-%d", i)},
			Effect: fault.Effect{Type: fault.TypeError, Error: "invalid_client"},
		}
	}
	return rules
}

// spreadRules are near misses of the medi-api token request over every
// combination of the seven match fields: rule i requires the fields of
// combination 1 + i%127, all with the request's values but one (a
// username or phone, which the request lacks, or another value of one of
// the rest).
func spreadRules(n int) []fault.Rule {
	rules := make([]fault.Rule, n)
	for i := range rules {
		mask := 1 + i%127
		// Field k is required when bit k of mask is set; the one that
		// differs is picked among them in turn.
		var set []int
		for k := range 7 {
			if mask&(1<<k) != 0 {
				set = append(set, k)
			}
		}
		differ := set[(i/127)%len(set)]
		vals := [7]string{"kontur", "/connect/token", "POST", "client_credentials", "medi_test_client", "user", "79990000000"}
		others := [7]string{"livedigital", fmt.Sprintf("/other/%d", i), fmt.Sprintf("M%d", i),
			fmt.Sprintf("grant-%d", i), fmt.Sprintf("client-%d", i), fmt.Sprintf("user-%d", i), fmt.Sprintf("7999%07d", i)}
		var m [7]string
		for _, k := range set {
			m[k] = vals[k]
		}
		m[differ] = others[differ]
		rules[i] = fault.Rule{
			Match:  fault.Match{Site: m[0], Path: m[1], Method: m[2], GrantType: m[3], ClientID: m[4], Username: m[5], Phone: m[6]},
			Effect: fault.Effect{Type: fault.TypeError, Error: "invalid_client"},
		}
	}
	return rules
}
