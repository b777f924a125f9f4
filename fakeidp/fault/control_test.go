package fault

import (
	"encoding/json"
	"github.com/fakeidp/fakeidp/fakeidp/internal/controljson"
	"github.com/fakeidp/fakeidp/fakeidp/internal/route"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/gorilla/mux"
)

func controlServer(t *testing.T) (*Engine, *httptest.Server) {
	t.Helper()
	e := NewEngine()
	root := mux.NewRouter()
	e.MountControl(route.Mux{R: root.PathPrefix("/_fakeidp").Subrouter()})
	srv := httptest.NewServer(root)
	t.Cleanup(srv.Close)
	return e, srv
}

func do(t *testing.T, method, url, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if len(b) > 0 && resp.Header.Get("Content-Type") != "application/json" {
		t.Errorf("%s %s: Content-Type %q", method, url, resp.Header.Get("Content-Type"))
	}
	return resp.StatusCode, string(b)
}

func TestControlLifecycle(t *testing.T) {
	_, srv := controlServer(t)
	faults := srv.URL + "/_fakeidp/faults"
	status, body := do(t, "POST", faults, `{"match":{"site":"kontur"},"effect":{"type":"reset"},"times":1}`)
	var one Rule
	if status != 201 || json.Unmarshal([]byte(body), &one) != nil || one.ID != "f1" || one.Times != 1 {
		t.Fatalf("POST one: %d %s", status, body)
	}
	status, body = do(t, "POST", faults, `{"rules":[{"effect":{"type":"hang"}},{"effect":{"type":"close"}}]}`)
	var many ruleList
	if status != 201 || json.Unmarshal([]byte(body), &many) != nil || len(many.Rules) != 2 || many.Rules[1].ID != "f3" {
		t.Fatalf("POST list: %d %s", status, body)
	}
	status, body = do(t, "GET", faults, "")
	var listed ruleList
	if status != 200 || json.Unmarshal([]byte(body), &listed) != nil || len(listed.Rules) != 3 {
		t.Fatalf("GET: %d %s", status, body)
	}
	if !strings.Contains(body, `"seen": 0`) || !strings.Contains(body, `"fired": 0`) {
		t.Errorf("listing lacks counters: %s", body)
	}
	if status, body = do(t, "GET", faults+"/f2", ""); status != 200 || !strings.Contains(body, `"hang"`) {
		t.Errorf("GET f2: %d %s", status, body)
	}
	if status, _ = do(t, "DELETE", faults+"/f2", ""); status != 204 {
		t.Errorf("DELETE f2: %d", status)
	}
	if status, body = do(t, "DELETE", faults+"/f2", ""); status != 404 || !strings.Contains(body, `no fault rule \"f2\"`) {
		t.Errorf("DELETE f2 again: %d %s", status, body)
	}
	if status, _ = do(t, "DELETE", faults, ""); status != 204 {
		t.Errorf("DELETE all: %d", status)
	}
	if status, body = do(t, "GET", faults, ""); status != 200 || !strings.Contains(body, `"rules": []`) {
		t.Errorf("GET after clear: %d %s", status, body)
	}
}

// Junk never gets a 5xx: a 4xx with {"error", "problems"} saying what is
// wrong, and nothing is stored.
func TestControlBadInput(t *testing.T) {
	e, srv := controlServer(t)
	faults := srv.URL + "/_fakeidp/faults"
	tests := []struct {
		method, url, body string
		status            int
		want              string
	}{
		{"POST", faults, ``, 400, "want a JSON object"},
		{"POST", faults, `{"effect":`, 400, "want a JSON object"},
		{"POST", faults, `[1,2]`, 400, "want a JSON object"},
		{"POST", faults, "\xff\xfe", 400, "want a JSON object"},
		{"POST", faults, `{"effect":{"type":"nap"}}`, 400, `effect.type: unknown effect \"nap\"`},
		{"POST", faults, `{"effect":{"type":"latency","delay":"soon"},"times":-1,"match":{"site":"x"}}`, 400, "times: must be 0"},
		{"POST", faults, `{"rules":[{"effect":{"type":"hang"}},{"effect":{"type":"hang"},"after":-3}]}`, 400, "rules[1].after"},
		{"POST", faults, `{"effect":{"type":"hang"},"bogus":1}`, 400, `unknown field \"bogus\"`},
		{"POST", faults, `{"effect":{"type":"hang"}}` + strings.Repeat(" ", 1<<20), 413, "larger than 1 MiB"},
		{"DELETE", faults + "/" + strings.Repeat("x", 100), "", 404, "no fault rule"},
		{"GET", faults + "/nope", "", 404, "no fault rule"},
	}
	for _, tt := range tests {
		status, body := do(t, tt.method, tt.url, tt.body)
		var ce controljson.Problem
		if status != tt.status || json.Unmarshal([]byte(body), &ce) != nil || !strings.Contains(body, tt.want) {
			t.Errorf("%s %.60q: %d %s\nwant %d containing %q", tt.method, tt.body, status, body, tt.status, tt.want)
		}
	}
	status, body := do(t, "POST", faults, `{"effect":{"type":"latency","delay":"soon"},"times":-1,"match":{"site":"x"}}`)
	if !strings.Contains(body, "effect.delay") || !strings.Contains(body, "match.site") || status != 400 {
		t.Errorf("not every problem reported: %s", body)
	}
	if len(e.List()) != 0 {
		t.Errorf("bad input stored rules: %+v", e.List())
	}
}
