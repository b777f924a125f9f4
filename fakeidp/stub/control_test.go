package stub

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// A stub with two unknown fields and an invalid value is refused with all
// three problems, each naming its path, not only the first unknown field;
// alone or in a list.
func TestAddReportsEveryProblem(t *testing.T) {
	for _, tt := range []struct {
		name, body string
		want       []string
	}{
		{"one stub",
			`{"site": "medi-api", "path": "/x", "colour": "red", "require": {"token": "bogus"}, "response": {"stauts": 201}}`,
			[]string{
				`unknown field "colour"`,
				`response: unknown field "stauts"`,
				`require.token: "bogus": want any, client or user`,
			}},
		{"a list",
			`{"stubs": [{"site": "medi-api", "path": "/ok"},
			 {"site": "medi-api", "path": "/x", "colour": "red", "require": {"token": "bogus"}, "response": {"stauts": 201}}]}`,
			[]string{
				`stubs[1]: unknown field "colour"`,
				`stubs[1]: response: unknown field "stauts"`,
				`stubs[1].require.token: "bogus": want any, client or user`,
			}},
	} {
		s := newTestSet(t, 0)
		w := httptest.NewRecorder()
		s.handleAdd(w, httptest.NewRequest(http.MethodPost, "/_fakeidp/stubs", strings.NewReader(tt.body)))
		var got struct {
			Error    string   `json:"error"`
			Problems []string `json:"problems"`
		}
		if err := json.Unmarshal(w.Body.Bytes(), &got); err != nil {
			t.Fatalf("%s: %d %s: %v", tt.name, w.Code, w.Body, err)
		}
		slices.Sort(got.Problems)
		slices.Sort(tt.want)
		if w.Code != http.StatusBadRequest || got.Error != "invalid stub" || !slices.Equal(got.Problems, tt.want) {
			t.Errorf("%s: %d %q %q, want 400 \"invalid stub\" %q", tt.name, w.Code, got.Error, got.Problems, tt.want)
		}
		if s.Len() != 0 {
			t.Errorf("%s: a refused request stored %d stubs", tt.name, s.Len())
		}
	}
}

// A value of the wrong type is reported as such, not again as invalid.
func TestAddWrongTypeOnce(t *testing.T) {
	s := newTestSet(t, 0)
	w := httptest.NewRecorder()
	s.handleAdd(w, httptest.NewRequest(http.MethodPost, "/_fakeidp/stubs",
		strings.NewReader(`{"site": 7, "path": "/x", "x": 1}`)))
	var got struct{ Problems []string }
	_ = json.Unmarshal(w.Body.Bytes(), &got)
	want := []string{`site: want string, got JSON number`, `unknown field "x"`}
	if w.Code != http.StatusBadRequest || !slices.Equal(got.Problems, want) {
		t.Errorf("%d %q, want 400 %q", w.Code, got.Problems, want)
	}
}
