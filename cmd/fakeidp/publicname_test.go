package main

import (
	"io"
	"log/slog"
	"net/http"
	"testing"
)

// --public-name adds a Host the control API answers to; others stay
// refused.
func TestPublicNameFlag(t *testing.T) {
	t.Setenv("FAKEIDP_CONTROL_TOKEN", "")
	f, _, ok := parseServe([]string{"--addr", "127.0.0.1:0", "--public-name", "fakeidp", "--public-name", "idp.test"}, io.Discard, io.Discard)
	if !ok {
		t.Fatal("flags refused")
	}
	srv, err := start(f, slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Close)
	for host, want := range map[string]int{"fakeidp:8080": 200, "idp.test": 200, "other.test": 403} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL()+"/_fakeidp/health", nil)
		req.Host = host
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("Host %s: %d, want %d", host, resp.StatusCode, want)
		}
	}
}
