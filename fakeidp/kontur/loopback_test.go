package kontur_test

import (
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/config"
)

const nativeID, nativeSecret = "native-app", "native-app-secret"

// startNative serves the default fixtures plus a native app that
// registered loopback redirect URIs and allows any port on them.
func startNative(t *testing.T) *fakeidp.Server {
	t.Helper()
	return startWith(t, func(cfg *config.Config) {
		cfg.Kontur.Clients = append(slices.Clone(cfg.Kontur.Clients), config.KonturClient{
			ID: nativeID, Secret: nativeSecret, GrantTypes: []string{"authorization_code"},
			Scopes:               []string{"openid", "extern.api"},
			RedirectURIs:         []string{"http://127.0.0.1/callback", "http://[::1]:8400/cb", "http://www.example.com/"},
			AllowAnyLoopbackPort: true,
			AccessTokenLifetime:  config.Duration(time.Hour), AccessTokenFormat: "opaque",
		})
	})
}

func nativeAuthorize(client, redirect string) url.Values {
	return form("response_type", "code", "client_id", client, "redirect_uri", redirect,
		"scope", "openid extern.api", "state", "s1", "nonce", "n1")
}

// RFC 8252 §7.3: a client with allow_any_loopback_port may come back to a
// registered loopback IP literal URI on any port; nothing else about the
// URI may differ, and other clients keep exact matching.
func TestLoopbackRedirectAtAuthorize(t *testing.T) {
	srv := startNative(t)
	tests := []struct {
		name, client, redirect string
		ok                     bool
	}{
		{"registered, no port", nativeID, "http://127.0.0.1/callback", true},
		{"any port", nativeID, "http://127.0.0.1:53121/callback", true},
		{"highest port", nativeID, "http://127.0.0.1:65535/callback", true},
		{"IPv6, another port than registered", nativeID, "http://[::1]:61000/cb", true},
		{"IPv6, no port", nativeID, "http://[::1]/cb", true},
		{"another path", nativeID, "http://127.0.0.1:53121/other", false},
		{"trailing slash", nativeID, "http://127.0.0.1:53121/callback/", false},
		{"a query", nativeID, "http://127.0.0.1:53121/callback?x=1", false},
		{"localhost is not a loopback IP literal", nativeID, "http://localhost:53121/callback", false},
		{"https", nativeID, "https://127.0.0.1:53121/callback", false},
		{"another loopback address", nativeID, "http://127.0.0.2:53121/callback", false},
		{"IPv6 host on the IPv4 path", nativeID, "http://[::1]:53121/callback", false},
		{"userinfo", nativeID, "http://user@127.0.0.1:53121/callback", false},
		{"port 0", nativeID, "http://127.0.0.1:0/callback", false},
		{"port out of range", nativeID, "http://127.0.0.1:65536/callback", false},
		{"empty port", nativeID, "http://127.0.0.1:/callback", false},
		{"signed port", nativeID, "http://127.0.0.1:+80/callback", false},
		{"not a loopback URI: still exact", nativeID, "http://www.example.com:8080/", false},
		{"default: exact matching", codeID, "http://127.0.0.1:53121/callback", false},
		{"default: registered", codeID, "http://127.0.0.1/callback", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rep := get(t, srv, srv.SiteURL("kontur")+"/connect/authorize?"+nativeAuthorize(tt.client, tt.redirect).Encode())
			if !tt.ok {
				if rep.Status != http.StatusBadRequest || rep.Header.Get("Location") != "" {
					t.Fatalf("want the error page, got %d Location %q", rep.Status, rep.Header.Get("Location"))
				}
				return
			}
			if rep.Status != http.StatusOK {
				t.Fatalf("want the login form, got %d %s", rep.Status, rep.Body)
			}
			loc := login(t, srv, nativeAuthorize(tt.client, tt.redirect), username, password, "login")
			back := *loc
			back.RawQuery = ""
			if back.String() != tt.redirect || loc.Query().Get("code") == "" {
				t.Errorf("redirected to %s, want %s with a code", loc, tt.redirect)
			}
		})
	}
}

// At the token endpoint the redirect_uri must be the one used at
// authorize, port included.
func TestLoopbackRedirectAtTheTokenEndpoint(t *testing.T) {
	srv := startNative(t)
	const used = "http://127.0.0.1:53121/callback"
	tests := []struct{ name, redirect, wantError string }{
		{"the port used at authorize", used, ""},
		{"another port", "http://127.0.0.1:53122/callback", "unauthorized_client"},
		{"the registered URI, no port", "http://127.0.0.1/callback", "unauthorized_client"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			loc := login(t, srv, nativeAuthorize(nativeID, used), username, password, "login")
			rep := postToken(t, srv, form("grant_type", "authorization_code", "code", loc.Query().Get("code"),
				"redirect_uri", tt.redirect), nativeID, nativeSecret)
			if tt.wantError == "" {
				if rep.Status != 200 || rep.JSON["id_token"] == nil {
					t.Fatalf("want tokens, got %d %s", rep.Status, rep.Body)
				}
				return
			}
			wantTokenError(t, rep, tt.wantError, "")
		})
	}
}
