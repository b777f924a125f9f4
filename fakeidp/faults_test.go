package fakeidp_test

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/fakeidp/fakeidp/fakeidp"
)

const (
	mediID     = "medi_test_client"
	mediSecret = "b29d0d9e-872c-4ea5-a92a-71b3abdea091"
)

func mediConfig(srv *fakeidp.Server) *clientcredentials.Config {
	return &clientcredentials.Config{
		ClientID: mediID, ClientSecret: mediSecret, Scopes: []string{"medi_api"},
		TokenURL: srv.SiteURL("kontur") + "/connect/token",
	}
}

// control calls the control API and decodes its JSON answer.
func control(t *testing.T, srv *fakeidp.Server, method, path, body string) (int, map[string]any) {
	t.Helper()
	return guardCall{method, "/_fakeidp" + path, body, "", map[string]string{"Content-Type": "application/json"}}.do(t, srv)
}

func TestPresetErrorReachesXOAuth2(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{Presets: []string{"kontur-invalid-client"}})
	cfg := mediConfig(srv)
	_, err := cfg.Token(context.Background())
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "invalid_client" || re.Response.StatusCode != 400 {
		t.Fatalf("want invalid_client from the preset, got %v", err)
	}
	if re.Response.Header.Get("X-Kontur-Trace-Id") == "" {
		t.Error("the injected error lacks Kontur's headers")
	}
	// The rule only touches Kontur: livedigital still answers.
	if code, _ := control(t, srv, http.MethodDelete, "/faults", ""); code != http.StatusNoContent && code != http.StatusOK {
		t.Fatalf("DELETE /faults: %d", code)
	}
	if _, err := cfg.Token(context.Background()); err != nil {
		t.Fatalf("after clearing the rules: %v", err)
	}
}

func TestHangTimesOutTheClient(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	if code, body := control(t, srv, http.MethodPost, "/faults", `{"match":{"site":"kontur","path":"/connect/token"},"effect":{"type":"hang"}}`); code != http.StatusCreated {
		t.Fatalf("POST /faults: %d %v", code, body)
	}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, &http.Client{Timeout: time.Second})
	cfg := mediConfig(srv)
	start := time.Now()
	_, err := cfg.Token(ctx)
	var ue *url.Error
	if !errors.As(err, &ue) || !ue.Timeout() {
		t.Fatalf("want a client timeout, got %v", err)
	}
	if d := time.Since(start); d < 900*time.Millisecond || d > 5*time.Second {
		t.Errorf("gave up after %v", d)
	}
}

func TestResetRuleBreaksTheConnection(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{Presets: []string{"connection-reset"}})
	_, err := mediConfig(srv).Token(context.Background())
	if err == nil || !(errors.Is(err, syscall.ECONNRESET) || errors.Is(err, io.EOF) || strings.Contains(err.Error(), "reset")) {
		t.Fatalf("want a connection error, got %v", err)
	}
	// The control API is not a site: it still answers.
	if code, _ := control(t, srv, http.MethodGet, "/health", ""); code != 200 {
		t.Fatalf("health: %d", code)
	}
}

func TestAfterNLetsExactlyNThrough(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	const n = 5
	code, _ := control(t, srv, http.MethodPost, "/faults",
		`{"match":{"site":"kontur","client_id":"medi_test_client"},"effect":{"type":"error","error":"temporarily_unavailable","status":503},"after":5}`)
	if code != http.StatusCreated {
		t.Fatalf("POST /faults: %d", code)
	}
	var mu sync.Mutex
	ok, failed := 0, 0
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := mediConfig(srv).Token(context.Background())
			mu.Lock()
			defer mu.Unlock()
			var re *oauth2.RetrieveError
			switch {
			case err == nil:
				ok++
			case errors.As(err, &re) && re.ErrorCode == "temporarily_unavailable" && re.Response.StatusCode == 503:
				failed++
			default:
				t.Errorf("unexpected error %v", err)
			}
		}()
	}
	wg.Wait()
	if ok != n || failed != 20-n {
		t.Fatalf("%d succeeded and %d failed, want %d and %d", ok, failed, n, 20-n)
	}
}

// go-oidc refuses a token signed by a dropped key, and verifies one from
// the new key after re-fetching the JWKS.
func TestKeyRotationWithGoOIDC(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, srv.SiteURL("kontur"))
	if err != nil {
		t.Fatal(err)
	}
	verifier := provider.Verifier(&oidc.Config{ClientID: "yourClientId"})
	oldToken := idToken(t, srv)
	if _, err := verifier.Verify(ctx, oldToken); err != nil {
		t.Fatalf("before rotation: %v", err)
	}
	code, body := control(t, srv, http.MethodPost, "/keys/rotate", `{"keep_old":false}`)
	if code != 200 || len(body["published"].([]any)) != 1 {
		t.Fatalf("rotate: %d %v", code, body)
	}
	newToken := idToken(t, srv)
	if _, err := verifier.Verify(ctx, newToken); err != nil {
		t.Fatalf("new key after re-fetching the JWKS: %v", err)
	}
	fresh, err := oidc.NewProvider(ctx, srv.SiteURL("kontur"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fresh.Verifier(&oidc.Config{ClientID: "yourClientId"}).Verify(ctx, oldToken); err == nil {
		t.Fatal("a token signed by a dropped key still verifies")
	}
}

// idToken runs the code flow with the login form and returns the id_token.
func idToken(t *testing.T, srv *fakeidp.Server) string {
	t.Helper()
	return idTokenAt(t, srv.Client(), srv.SiteURL("kontur"))
}
