package controljson

import (
	"encoding/json"
	"net/http/httptest"
	"testing"
)

type item struct {
	ID   string          `json:"id"`
	JSON json.RawMessage `json:"json,omitempty"`
	Tags []string        `json:"tags,omitempty"`
}

// WriteList streams what Write would send for {"key": items}, byte for
// byte, so that a client sees no difference.
func TestWriteListMatchesWrite(t *testing.T) {
	for name, items := range map[string][]item{
		"empty": {},
		"one":   {{ID: "s1"}},
		"three": {{ID: "s1", JSON: json.RawMessage(`{"a":[1,2,{"b":"<&>"}]}`)}, {ID: "s2", Tags: []string{"x", "y"}}, {ID: "s3"}},
	} {
		t.Run(name, func(t *testing.T) {
			want, got := httptest.NewRecorder(), httptest.NewRecorder()
			Write(want, 200, struct {
				Stubs []item `json:"stubs"`
			}{items})
			WriteList(got, 200, "stubs", items)
			if got.Body.String() != want.Body.String() {
				t.Errorf("got\n%s\nwant\n%s", got.Body, want.Body)
			}
			if got.Header().Get("Content-Type") != ContentType || got.Header().Get("Cache-Control") != "no-store" {
				t.Errorf("headers %v", got.Header())
			}
		})
	}
}
