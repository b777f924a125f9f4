package fakeidp_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/stub"
)

// BenchmarkAPICall compares an API call (a valid opaque Kontur token and a
// matching stub) with the client_credentials token request that issues
// such a token, and the call with 1,000 stubs installed with the call with
// one. Judge the ratios, within one run:
//
//	go test -run '^$' -bench APICall -cpu 1 -count 5 ./fakeidp/
func BenchmarkAPICall(b *testing.B) {
	b.Run("token", func(b *testing.B) {
		srv, h := newAPIBenchServer(b, 1)
		_ = srv
		b.ReportAllocs()
		for b.Loop() {
			mediToken(b, h)
		}
	})
	for _, n := range []int{1, 1000} {
		b.Run(fmt.Sprintf("stubs=%d", n), func(b *testing.B) {
			_, h := newAPIBenchServer(b, n)
			token := benchToken(b, h)
			b.ReportAllocs()
			for b.Loop() {
				req := httptest.NewRequest(http.MethodGet, "/medi-api/V2/policies/p-1", nil)
				req.Header.Set("Authorization", "Bearer "+token)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("status %d: %s", rec.Code, rec.Body)
				}
			}
		})
	}
}

// newAPIBenchServer has n stubs: the example and n-1 others on
// medi-api with their own literal and {name} segments.
func newAPIBenchServer(b *testing.B, n int) (*fakeidp.Server, http.Handler) {
	srv, err := fakeidp.New(fakeidp.Options{})
	if err != nil {
		b.Fatal(err)
	}
	stubs := make([]stub.Stub, 0, n)
	for i := range n - 1 {
		stubs = append(stubs, stub.Stub{Site: "medi-api", Path: fmt.Sprintf("/V2/r%d/{id}/items/{item}", i),
			Response: stub.Response{JSON: json.RawMessage(`{"id":"${path.id}"}`)}})
	}
	stubs = append(stubs, stub.Stub{Site: "medi-api", Path: "/V2/policies/{id}",
		Require: stub.Require{Scope: "medi_api", Token: "any"},
		Response: stub.Response{Headers: map[string]string{"X-Request-Id": "r-1"},
			JSON: json.RawMessage(`{"id": "${path.id}", "client": "${token.client_id}", "user": "${token.sub}"}`)}})
	if _, err := srv.Stubs().Add(stubs...); err != nil {
		b.Fatal(err)
	}
	return srv, srv.Handler()
}

func benchToken(b *testing.B, h http.Handler) string {
	req := httptest.NewRequest(http.MethodPost, "/kontur/connect/token", strings.NewReader("grant_type=client_credentials&scope=medi_api"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Authorization", "Basic bWVkaV90ZXN0X2NsaWVudDpiMjlkMGQ5ZS04NzJjLTRlYTUtYTkyYS03MWIzYWJkZWEwOTE=")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	var body struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.AccessToken == "" {
		b.Fatalf("token: %d %s", rec.Code, rec.Body)
	}
	return body.AccessToken
}
