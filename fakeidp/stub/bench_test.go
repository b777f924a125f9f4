package stub

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkMatch is the stub part of an API call (match, fill in, write)
// with one stub and with 1,000: the path index makes the two cost the same.
//
//	go test -run '^$' -bench Match -cpu 1 ./fakeidp/stub/
func BenchmarkMatch(b *testing.B) {
	for _, n := range []int{1, 1000} {
		b.Run(fmt.Sprintf("stubs=%d", n), func(b *testing.B) {
			s := newTestSet(b, 0)
			for i := range n - 1 {
				mustAdd(b, s, fmt.Sprintf(`{"site":"medi-api","path":"/V2/r%d/{id}/items/{item}","response":{"json":{"id":"${path.id}"}}}`, i))
			}
			mustAdd(b, s, `{"site":"medi-api","path":"/V2/policies/{id}","require":{"scope":"medi_api"},
				"response":{"headers":{"X-Request-Id":"r-1"},"json":{"id":"${path.id}","client":"${token.client_id}","user":"${token.sub}"}}}`)
			tok := Token{ClientID: "medi_test_client", Scopes: []string{"medi_api"}}
			r := httptest.NewRequest(http.MethodGet, "/V2/policies/p-1", nil)
			w := discard{h: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				m := s.match("medi-api", r.Method, r.URL.Path, &tok)
				if m.stub == nil {
					b.Fatal("no match")
				}
				m.stub.write(w, &values{token: &tok, params: m.params, rawQuery: r.URL.RawQuery})
			}
		})
	}
}

type discard struct{ h http.Header }

func (d discard) Header() http.Header         { return d.h }
func (d discard) Write(p []byte) (int, error) { return len(p), nil }
func (d discard) WriteHeader(int)             {}
