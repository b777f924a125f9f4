package journal_test

import (
	"encoding/json"
	"github.com/fakeidp/fakeidp/fakeidp/internal/route"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/mux"

	"github.com/fakeidp/fakeidp/fakeidp/fault"
	"github.com/fakeidp/fakeidp/fakeidp/journal"
	"github.com/fakeidp/fakeidp/fakeidp/reqinfo"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// server chains site → reqinfo → journal → fault → handler, the order
// recommended for the root, and mounts both control APIs.
func server(t *testing.T) (*fault.Engine, *journal.Journal, *httptest.Server) {
	t.Helper()
	faults, j := fault.NewEngine(), journal.New(100, nil)
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body)
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"access_token":"abc","token_type":"Bearer"}`)
	})
	chain := reqinfo.Middleware(1 << 16)(j.Middleware()(faults.Middleware(nil, nil)(handler)))
	root := mux.NewRouter()
	control := root.PathPrefix("/_fakeidp").Subrouter()
	faults.MountControl(route.Mux{R: control})
	j.MountControl(route.Mux{R: control})
	// Like the root, the site sees the path below its prefix.
	root.PathPrefix("/kontur").Handler(http.StripPrefix("/kontur", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		chain.ServeHTTP(w, site.WithBase(r, "kontur", "http://"+r.Host+"/kontur"))
	})))
	srv := httptest.NewServer(root)
	t.Cleanup(srv.Close)
	return faults, j, srv
}

func TestFaultsAreJournalled(t *testing.T) {
	faults, j, srv := server(t)
	for _, r := range []fault.Rule{
		{Match: fault.Match{ClientID: "reset-me"}, Effect: fault.Effect{Type: fault.TypeReset}},
		{Match: fault.Match{ClientID: "close-me"}, Effect: fault.Effect{Type: fault.TypeClose}},
		{Match: fault.Match{ClientID: "fail-me"}, Effect: fault.Effect{Type: fault.TypeError, Error: "temporarily_unavailable", Status: 503}},
	} {
		if _, err := faults.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	for _, id := range []string{"ok", "reset-me", "close-me", "fail-me"} {
		c := &http.Client{Timeout: time.Second, Transport: &http.Transport{}}
		resp, err := c.PostForm(srv.URL+"/kontur/connect/token",
			url.Values{"grant_type": {"client_credentials"}, "client_id": {id}, "client_secret": {"s3cr3t-value"}})
		if err == nil {
			resp.Body.Close()
		}
	}
	want := map[string]int{"ok": 200, "reset-me": 0, "close-me": 0, "fail-me": 503}
	// A dropped connection reaches the client before the server's handler
	// returns and records it: wait for the record.
	for deadline := time.Now().Add(2 * time.Second); len(j.List(journal.Filter{})) < len(want) && time.Now().Before(deadline); {
		time.Sleep(5 * time.Millisecond)
	}
	for id, status := range want {
		got := j.List(journal.Filter{ClientID: id})
		if len(got) != 1 || got[0].Status != status || got[0].Path != "/connect/token" {
			t.Errorf("%s: %+v, want one entry with status %d", id, got, status)
			continue
		}
		if hijacked := strings.Contains(got[0].Note, "hijacked"); hijacked != (status == 0) {
			t.Errorf("%s: note %q", id, got[0].Note)
		}
		if got[0].Fields["client_secret"] != "s3c…" {
			t.Errorf("%s: client_secret journalled as %q", id, got[0].Fields["client_secret"])
		}
	}
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestJournalControl(t *testing.T) {
	_, _, srv := server(t)
	for _, q := range []string{"client_id=a", "client_id=b", "client_id=a&x=1"} {
		get(t, srv.URL+"/kontur/connect/authorize?"+q)
	}
	journalURL := srv.URL + "/_fakeidp/journal"
	tests := []struct {
		query  string
		status int
		count  int
	}{
		{"", 200, 3},
		{"?client_id=a", 200, 2},
		{"?client_id=a&limit=1", 200, 1},
		{"?site=kontur&path=/connect/authorize", 200, 3},
		{"?site=livedigital", 200, 0},
		{"?path=/kontur/connect/authorize", 200, 0}, // paths are site-relative
		{"?limit=0", 200, 3},
		{"?limit=-1", 400, 0},
		{"?limit=many", 400, 0},
	}
	for _, tt := range tests {
		status, body := get(t, journalURL+tt.query)
		if status != tt.status {
			t.Errorf("%s: status %d %s", tt.query, status, body)
			continue
		}
		if status != 200 {
			if !strings.Contains(body, `"error": "limit:`) {
				t.Errorf("%s: body %s", tt.query, body)
			}
			continue
		}
		var l struct {
			Size    int
			Entries []journal.Entry
		}
		if err := json.Unmarshal([]byte(body), &l); err != nil || len(l.Entries) != tt.count || l.Size != 100 {
			t.Errorf("%s: %d entries (size %d), want %d; %v", tt.query, len(l.Entries), l.Size, tt.count, err)
		}
	}
	req, _ := http.NewRequest("DELETE", journalURL, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil || resp.StatusCode != 204 {
		t.Fatalf("DELETE: %v %v", err, resp)
	}
	resp.Body.Close()
	if _, body := get(t, journalURL); !strings.Contains(body, `"entries": []`) {
		t.Errorf("after DELETE: %s", body)
	}
}
