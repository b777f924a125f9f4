package main

import (
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// fiveLines adds a user and a redirect URI: all a --config file needs to
// say, since it is merged onto the embedded defaults.
const fiveLines = `kontur:
  users:
    - {username: new@login.ru, password: new-password, subject: new-subject}
  clients:
    - {id: yourClientId, redirect_uris: ["http://127.0.0.1:3000/callback"]}
`

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// passwordGrant asks Kontur for a token with extern.api's password grant.
func passwordGrant(t *testing.T, base, username, password string) int {
	t.Helper()
	resp, err := http.PostForm(base+"/kontur/connect/token", url.Values{
		"grant_type": {"password"}, "client_id": {"extern.api"}, "client_secret": {"extern.api-secret"},
		"username": {username}, "password": {password}, "scope": {"extern.api"},
	})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// authorize reports the status of a login request for yourClientId.
func authorize(t *testing.T, base, redirectURI string) int {
	t.Helper()
	q := url.Values{"client_id": {"yourClientId"}, "response_type": {"code"}, "scope": {"openid"}, "redirect_uri": {redirectURI}}
	resp, err := http.Get(base + "/kontur/connect/authorize?" + q.Encode())
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// A five-line --config file adds a user and a redirect URI to a running
// fakeidp, and everything else of the defaults stays.
func TestConfigIsAnOverlay(t *testing.T) {
	_, base := child(t, "--addr", "127.0.0.1:0", "--config", writeFile(t, "overlay.yaml", fiveLines))
	if got := passwordGrant(t, base, "new@login.ru", "new-password"); got != http.StatusOK {
		t.Errorf("the overlay's user: status %d, want 200", got)
	}
	if got := passwordGrant(t, base, "user@login.ru", "password"); got != http.StatusOK {
		t.Errorf("the default user: status %d, want 200", got)
	}
	if got := authorize(t, base, "http://127.0.0.1:3000/callback"); got != http.StatusOK {
		t.Errorf("the overlay's redirect URI: status %d, want the login page (200)", got)
	}
	// A list given replaces the list: the client's old URIs are gone.
	if got := authorize(t, base, "http://www.example.com/"); got != http.StatusBadRequest {
		t.Errorf("a redirect URI the overlay replaced: status %d, want 400", got)
	}
}

// startCLI runs the CLI's start with --addr 127.0.0.1:0 and args, and
// closes the server when the test ends.
func startCLI(t *testing.T, args ...string) (*fakeidp.Server, error) {
	t.Helper()
	f, code, ok := parseServe(append([]string{"--addr", "127.0.0.1:0"}, args...), io.Discard, io.Discard)
	if !ok {
		t.Fatalf("%v: flags refused (exit %d)", args, code)
	}
	srv, err := start(f, slog.New(slog.DiscardHandler))
	if err != nil {
		return nil, err
	}
	t.Cleanup(srv.Close)
	return srv, nil
}

// startWith runs the CLI's start with args and returns the ids of the
// server's Kontur clients, or the error.
func startWith(t *testing.T, args ...string) (clients []string, err error) {
	t.Helper()
	srv, err := startCLI(t, args...)
	if err != nil {
		return nil, err
	}
	for _, c := range srv.Config().Kontur.Clients {
		clients = append(clients, c.ID)
	}
	return clients, nil
}

// --no-defaults keeps the old meaning: the file is the whole fixtures.
func TestConfigNoDefaults(t *testing.T) {
	whole := writeFile(t, "whole.yaml", `
keys: []
kontur:
  clients: [{id: only, secret: s, grant_types: [client_credentials]}]
livedigital: {hs256_secret: 0123456789abcdef0123456789abcdef}
`)
	clients, err := startWith(t, "--config", whole, "--no-defaults")
	if err != nil || strings.Join(clients, ",") != "only" {
		t.Errorf("--no-defaults: clients %v, err %v; want only the file's client", clients, err)
	}
	clients, err = startWith(t, "--config", whole)
	if err != nil || len(clients) != 5 {
		t.Errorf("without --no-defaults: clients %v, err %v; want the 4 defaults and the file's", clients, err)
	}
	// Five lines are not a whole fixtures file.
	_, err = startWith(t, "--config", writeFile(t, "overlay.yaml", fiveLines), "--no-defaults")
	if err == nil || !strings.Contains(err.Error(), "livedigital.hs256_secret: must be at least 32 bytes") {
		t.Errorf("five lines with --no-defaults: %v", err)
	}
}

func TestConfigRefusals(t *testing.T) {
	big := writeFile(t, "big.yaml", "kontur:\n  scopes:\n"+strings.Repeat("    - openid\n", 10<<20/13))
	bad := writeFile(t, "bad.yaml", "kontur:\n  code_lifetime: soon\n  clients:\n    - {id: medi_test_client, scope: [x]}\n")
	for _, tt := range []struct {
		args     []string
		code     int
		inStderr []string
	}{
		{[]string{"--no-defaults"}, 2, []string{"--no-defaults needs --config FILE"}},
		{[]string{"--addr", "127.0.0.1:0", "--config", big}, 1, []string{"big.yaml: invalid fixtures", "at most 1048576 bytes"}},
		{[]string{"--addr", "127.0.0.1:0", "--config", bad}, 1, []string{
			`kontur.code_lifetime: "soon" is not a duration such as "5m" or "45s" (line 2)`,
			"kontur.clients[0].scope: unknown field; known: id, secret, grant_types, scopes",
		}},
	} {
		code, _, stderr := runCLI(tt.args...)
		if code != tt.code {
			t.Errorf("%v: exit %d, want %d", tt.args, code, tt.code)
		}
		for _, w := range tt.inStderr {
			if !strings.Contains(stderr, w) {
				t.Errorf("%v: stderr lacks %q:\n%s", tt.args, w, stderr)
			}
		}
	}
}
