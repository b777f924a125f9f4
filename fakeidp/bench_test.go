package fakeidp_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/fault"
)

// BenchmarkTokenWithRules is the medi-api token request through the whole
// handler: bare (no rules, journal off), with the journal on and no rules
// (the default), and with the journal on and 100 rules that do not match
// it. The issue allows at most a 10% drop against the bare case:
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
		rules int
	}{{"bare", &bare, 0}, {"journal", def, 0}, {"journal+100rules", def, 100}}
	for _, c := range cases {
		n := c.rules
		b.Run(c.name, func(b *testing.B) {
			srv, err := fakeidp.New(fakeidp.Options{Config: c.cfg})
			if err != nil {
				b.Fatal(err)
			}
			for i := range n {
				// Each rule matches the same site and path but another
				// client, so every one of them is examined.
				_, err := srv.Faults().Add(fault.Rule{
					Match:  fault.Match{Site: "kontur", Path: "/connect/token", ClientID: fmt.Sprintf("other-client-%d", i)},
					Effect: fault.Effect{Type: fault.TypeError, Error: "invalid_client"},
				})
				if err != nil {
					b.Fatal(err)
				}
			}
			h := srv.Handler()
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodPost, "/kontur/connect/token", strings.NewReader("grant_type=client_credentials&scope=medi_api"))
				req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
				req.Header.Set("Authorization", "Basic bWVkaV90ZXN0X2NsaWVudDpiMjlkMGQ5ZS04NzJjLTRlYTUtYTkyYS03MWIzYWJkZWEwOTE=")
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}
