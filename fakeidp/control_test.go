package fakeidp_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/internal/wiretest"
)

// Every control endpoint answers bad input with a 400 that says what is
// wrong, never a 5xx.
func TestControlBadInput(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	tests := []struct{ method, path, body, wantInError string }{
		{http.MethodPost, "/faults", `{"match":`, ""},
		{http.MethodPost, "/faults", `[]`, ""},
		{http.MethodPost, "/faults", `{"effect":{"type":"explode"}}`, "explode"},
		{http.MethodPost, "/faults", `{"effect":{"type":"latency","delay":"soon"}}`, "delay"},
		{http.MethodPost, "/faults", `{"match":{"site":"nowhere"},"effect":{"type":"hang"}}`, "nowhere"},
		{http.MethodPost, "/faults", `{"effect":{"type":"hang"},"times":-1}`, "times"},
		{http.MethodPost, "/presets/no-such-preset", ``, "unknown preset"},
		{http.MethodPost, "/clock", `{"advance":"tomorrow"}`, "advance"},
		{http.MethodPost, "/clock", `{"set":"yesterday"}`, "set"},
		{http.MethodPost, "/clock", `{"advance":"1h","set":"2030-01-01T00:00:00Z"}`, "exactly one"},
		{http.MethodPost, "/clock", `{"warp":true}`, "warp"},
		{http.MethodPost, "/clock", `null junk`, ""},
		{http.MethodPost, "/keys/rotate", `{"keep_old":"yes"}`, ""},
	}
	for _, tt := range tests {
		code, body := control(t, srv, tt.method, tt.path, tt.body)
		msg, _ := body["error"].(string)
		if problems, ok := body["problems"].([]any); ok {
			msg += fmt.Sprint(problems)
		}
		if code != http.StatusBadRequest || msg == "" || !strings.Contains(msg, tt.wantInError) {
			t.Errorf("%s %s %.40q: %d %v, want 400 mentioning %q", tt.method, tt.path, tt.body, code, body, tt.wantInError)
		}
	}
	if code, _ := control(t, srv, http.MethodGet, "/nothing-here", ""); code != http.StatusNotFound {
		t.Errorf("unknown control path: %d", code)
	}
	if code, body := control(t, srv, http.MethodPut, "/faults", ""); code != http.StatusMethodNotAllowed || body["error"] == nil {
		t.Errorf("wrong method on a control path: %d %v", code, body)
	}
	if code, _ := control(t, srv, http.MethodGet, "/health", ""); code != 200 {
		t.Errorf("health after bad input: %d", code)
	}
	if code, body := control(t, srv, http.MethodGet, "/", ""); code != 200 || len(body["presets"].([]any)) < 10 || body["sites"] == nil {
		t.Errorf("index: %d %v", code, body)
	}
}

// The clock moves tokens' expiry and the Date header; reset puts
// everything back.
func TestClockDateAndReset(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	code, body := control(t, srv, http.MethodPost, "/clock", `{"set":"2030-01-01T00:00:00Z"}`)
	if code != 200 || !strings.HasPrefix(body["now"].(string), "2030-01-01T00:00:0") {
		t.Fatalf("set clock: %d %v", code, body)
	}
	resp, err := http.Get(srv.SiteURL("kontur") + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if d := resp.Header.Get("Date"); !strings.Contains(d, "01 Jan 2030") {
		t.Errorf("Date %q does not follow the clock", d)
	}
	tok, err := mediConfig(srv).Token(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	introspect := func() bool { return wiretest.Active(t, srv.SiteURL("kontur"), tok.AccessToken) }
	if !introspect() {
		t.Fatal("fresh token inactive")
	}
	control(t, srv, http.MethodPost, "/clock", `{"advance":"25h"}`)
	if introspect() {
		t.Fatal("token still active 25 h later by the clock")
	}
	control(t, srv, http.MethodPost, "/faults", `{"effect":{"type":"hang"}}`)
	control(t, srv, http.MethodPost, "/keys/rotate", `{}`)
	if code, _ := control(t, srv, http.MethodPost, "/reset", ""); code != 200 {
		t.Fatalf("reset: %d", code)
	}
	if len(srv.Faults().List()) != 0 || srv.Clock().Offset() != 0 || len(srv.Keys().KeyIDs()) != 1 {
		t.Errorf("reset left faults %v, clock offset %v, keys %v", srv.Faults().List(), srv.Clock().Offset(), srv.Keys().KeyIDs())
	}
	if introspect() {
		t.Error("reset kept a token")
	}
}

// Off loopback the control API needs a token; the sites stay open.
func TestControlToken(t *testing.T) {
	t.Parallel()
	open, err := fakeidp.New(fakeidp.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := open.Listen("0.0.0.0:0"); !errors.Is(err, fakeidp.ErrControlTokenRequired) {
		t.Fatalf("listening on 0.0.0.0 without a token: %v", err)
	}
	guarded, err := fakeidp.New(fakeidp.Options{ControlToken: "s3cret-control"})
	if err != nil {
		t.Fatal(err)
	}
	if err := guarded.Listen("0.0.0.0:0"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(guarded.Close)
	if code, _ := control(t, guarded, http.MethodGet, "/health", ""); code != http.StatusUnauthorized {
		t.Errorf("control without the token: %d", code)
	}
	req, _ := http.NewRequest(http.MethodGet, guarded.URL()+"/_fakeidp/health", nil)
	req.Header.Set("Authorization", "Bearer s3cret-control")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("control with the token: %d", resp.StatusCode)
	}
	if _, err := mediConfig(guarded).Token(context.Background()); err != nil {
		t.Errorf("the sites must stay open: %v", err)
	}
}

// Parallel servers never see each other's faults or clocks.
func TestServersAreIsolated(t *testing.T) {
	t.Parallel()
	a := fakeidp.StartTest(t, fakeidp.Options{Presets: []string{"kontur-invalid-client"}})
	b := fakeidp.StartTest(t, fakeidp.Options{})
	a.Clock().Advance(48 * time.Hour)
	if _, err := mediConfig(b).Token(context.Background()); err != nil {
		t.Fatalf("b sees a's fault: %v", err)
	}
	if b.Clock().Offset() != 0 {
		t.Fatal("b's clock moved with a's")
	}
	if _, err := mediConfig(a).Token(context.Background()); err == nil {
		t.Fatal("a lost its fault")
	}
}

// Without configured keys a key is generated, and tokens still verify
// against the JWKS (only then: generating one is slow).
func TestGeneratedKeyWhenNoneConfigured(t *testing.T) {
	t.Parallel()
	def, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	cfg := *def
	cfg.Keys, cfg.SpareKeys = nil, nil
	srv := fakeidp.StartTest(t, fakeidp.Options{Config: &cfg})
	ids := srv.Keys().KeyIDs()
	if len(ids) != 1 {
		t.Fatalf("published keys %v", ids)
	}
	fixture, _ := fakeidp.New(fakeidp.Options{})
	if ids[0] == fixture.Keys().KeyIDs()[0] {
		t.Fatal("the generated key has the fixture key's kid")
	}
	ctx := context.Background()
	provider, err := oidc.NewProvider(ctx, srv.SiteURL("kontur"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := provider.Verifier(&oidc.Config{ClientID: "yourClientId"}).Verify(ctx, idToken(t, srv)); err != nil {
		t.Fatalf("id_token from a generated key: %v", err)
	}
}
