package fakeidp_test

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/tlsca"
)

const konturIssuer = "https://identity.testkontur.ru"

func autoLoginConfig(t *testing.T) *config.Config {
	t.Helper()
	def, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	cfg := *def
	cfg.Kontur.AutoLogin = "user@login.ru"
	return &cfg
}

// An application keeps its production URL: x/oauth2 and go-oidc run the
// code flow against https://identity.testkontur.ru through srv.Client(),
// over HTTP/2, and the issuer is exactly the production one.
func TestTLSKonturProductionURLWithGoOIDC(t *testing.T) {
	srv := fakeidp.StartTLS(t, fakeidp.Options{Config: autoLoginConfig(t)})
	client := srv.Client()
	ctx := oidc.ClientContext(context.Background(), client)
	provider, err := oidc.NewProvider(ctx, konturIssuer)
	if err != nil {
		t.Fatal(err)
	}
	cfg := oauth2.Config{
		ClientID: "yourClientId", ClientSecret: "yourClientSecret", RedirectURL: "http://127.0.0.1/callback",
		Endpoint: provider.Endpoint(),
		Scopes:   []string{oidc.ScopeOpenID, "profile", "email"},
	}
	if !strings.HasPrefix(cfg.Endpoint.TokenURL, konturIssuer+"/") {
		t.Fatalf("token endpoint %q", cfg.Endpoint.TokenURL)
	}
	verifier := oauth2.GenerateVerifier()
	resp, err := client.Get(cfg.AuthCodeURL("st4te", oidc.Nonce("n0nce"), oauth2.S256ChallengeOption(verifier)))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 2 {
		t.Errorf("protocol %s, want HTTP/2", resp.Proto)
	}
	loc, err := url.Parse(resp.Header.Get("Location"))
	if err != nil || loc.Query().Get("code") == "" {
		t.Fatalf("authorize: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	tok, err := cfg.Exchange(ctx, loc.Query().Get("code"), oauth2.VerifierOption(verifier))
	if err != nil {
		t.Fatal(err)
	}
	rawID, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&oidc.Config{ClientID: "yourClientId"}).Verify(ctx, rawID)
	if err != nil {
		t.Fatalf("go-oidc refused the id_token: %v", err)
	}
	if idt.Issuer != konturIssuer || idt.Nonce != "n0nce" {
		t.Errorf("issuer %q nonce %q", idt.Issuer, idt.Nonce)
	}
	if _, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err != nil {
		t.Fatal(err)
	}
}

// issuerVia fetches Kontur's discovery document at base with the Host
// header host ("" keeps the URL's) and returns its issuer.
func issuerVia(t *testing.T, client *http.Client, base, host string) string {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, base+"/.well-known/openid-configuration", nil)
	if host != "" {
		req.Host = host
	}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		Issuer        string `json:"issuer"`
		TokenEndpoint string `json:"token_endpoint"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || resp.StatusCode != 200 {
		t.Fatalf("discovery at %s (Host %q): %d %v", base, host, resp.StatusCode, err)
	}
	if !strings.HasPrefix(doc.TokenEndpoint, doc.Issuer+"/") {
		t.Errorf("token_endpoint %q is not under the issuer %q", doc.TokenEndpoint, doc.Issuer)
	}
	return doc.Issuer
}

// The base URL follows the listener a request came in by: https with the
// port kept on the TLS listener, http on the plain one.
func TestTLSBaseURLs(t *testing.T) {
	srv := fakeidp.StartTLS(t, fakeidp.Options{})
	client := srv.Client()
	port := srv.TLSURL()[strings.LastIndex(srv.TLSURL(), ":")+1:]
	tests := []struct{ base, host, want string }{
		{srv.TLSURL() + "/kontur", "", srv.TLSURL() + "/kontur"},
		{srv.TLSURL(), "identity.testkontur.ru:8443", "https://identity.testkontur.ru:8443"},
		{srv.TLSURL(), "identity.testkontur.ru:443", konturIssuer},
		{srv.TLSURL(), "identity.testkontur.ru:" + port, "https://identity.testkontur.ru:" + port},
		{konturIssuer, "", konturIssuer},
		{srv.URL() + "/kontur", "", srv.URL() + "/kontur"},
		{"http://identity.testkontur.ru", "", "http://identity.testkontur.ru"},
	}
	for _, tt := range tests {
		if got := issuerVia(t, client, tt.base, tt.host); got != tt.want {
			t.Errorf("%s (Host %q): issuer %q, want %q", tt.base, tt.host, got, tt.want)
		}
	}
	if got := srv.TLSSiteURL("kontur"); got != srv.TLSURL()+"/kontur" {
		t.Errorf("TLSSiteURL = %q", got)
	}
	// /_fakeidp/health lists the URLs of the listener it was asked on.
	for base, scheme := range map[string]string{srv.TLSURL(): "https://", srv.URL(): "http://"} {
		resp, err := client.Get(base + "/_fakeidp/health")
		if err != nil {
			t.Fatal(err)
		}
		var h struct{ Sites map[string]string }
		_ = json.NewDecoder(resp.Body).Decode(&h)
		resp.Body.Close()
		if !strings.HasPrefix(h.Sites["livedigital"], scheme) {
			t.Errorf("health via %s: %v", base, h.Sites)
		}
	}
}

// public_url still wins, and X-Forwarded-Proto still turns the HTTP
// listener's host-routed URLs into https.
func TestPublicURLAndForwardedProtoOnHTTP(t *testing.T) {
	def, _ := config.Default()
	cfg := *def
	cfg.Sites = map[string]config.Site{
		"livedigital": {PublicURL: "https://moodhood-api.livedigital.space"},
		"kontur":      {PublicURL: "http://identity.testkontur.ru:8080"},
	}
	srv := fakeidp.StartTLS(t, fakeidp.Options{Config: &cfg})
	if got := srv.SiteURL("livedigital"); got != "https://moodhood-api.livedigital.space" {
		t.Errorf("SiteURL = %q", got)
	}
	// An https public URL holds on both listeners; an http one only on
	// the HTTP listener: over TLS the URLs are https.
	if got := srv.TLSSiteURL("livedigital"); got != "https://moodhood-api.livedigital.space" {
		t.Errorf("TLSSiteURL(livedigital) = %q", got)
	}
	if got := srv.TLSSiteURL("kontur"); got != srv.TLSURL()+"/kontur" {
		t.Errorf("TLSSiteURL(kontur) = %q", got)
	}
	if got := issuerVia(t, srv.Client(), konturIssuer, ""); got != konturIssuer {
		t.Errorf("over TLS with an http public_url: issuer %q", got)
	}
	if got := issuerVia(t, srv.Client(), srv.URL()+"/kontur", ""); got != "http://identity.testkontur.ru:8080" {
		t.Errorf("over HTTP: issuer %q, want the public_url", got)
	}
	plain := fakeidp.StartTLS(t, fakeidp.Options{})
	req, _ := http.NewRequest(http.MethodGet, plain.URL()+"/.well-known/openid-configuration", nil)
	req.Host = "identity.testkontur.ru"
	req.Header.Set("X-Forwarded-Proto", "https")
	resp, err := plain.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct{ Issuer string }
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil || doc.Issuer != konturIssuer {
		t.Errorf("X-Forwarded-Proto on the HTTP listener: issuer %q (%v)", doc.Issuer, err)
	}
}

// Doktornarabote's SMS login and a livedigital token, each under its
// production https URL.
func TestTLSDoktornaraboteAndLivedigital(t *testing.T) {
	srv := fakeidp.StartTLS(t, fakeidp.Options{})
	client := srv.Client()
	resp, err := client.Get("https://testapipartner.doktornarabote.ru/api/v1/access/validation-code?code=1&number=1111111111")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("validation-code: %d", resp.StatusCode)
	}
	cfg := oauth2.Config{ClientID: "98483c47f17f4888b0bf695d1165062e", Endpoint: oauth2.Endpoint{
		TokenURL: "https://testauthpartner.doktornarabote.ru/token", AuthStyle: oauth2.AuthStyleInParams,
	}}
	ctx := context.WithValue(context.Background(), oauth2.HTTPClient, client)
	if tok, err := cfg.PasswordCredentialsToken(ctx, "11111111111", "7654"); err != nil || tok.AccessToken == "" {
		t.Fatalf("Doktornarabote password grant: %v", err)
	}
	resp, err = client.Post("https://moodhood-api.livedigital.space/v1/auth/token", "application/json",
		strings.NewReader(`{"client_id":"john-smith-livedigital","client_secret":"VTytkTR7ZHH5nLhoWCLjymrUJjKBzfs4","grant_type":"client_credentials"}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || resp.StatusCode != 200 || tok.AccessToken == "" {
		t.Fatalf("livedigital token: %d %v", resp.StatusCode, err)
	}
}

// HTTP/1.1 still works on the TLS listener for clients that do not offer h2.
func TestTLSHTTP1(t *testing.T) {
	srv := fakeidp.StartTLS(t, fakeidp.Options{})
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(srv.CACertPEM())
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	resp, err := client.Get(srv.TLSSiteURL("kontur") + "/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.ProtoMajor != 1 {
		t.Fatalf("%d %s", resp.StatusCode, resp.Proto)
	}
}

// GET /_fakeidp/ca.pem is public on both listeners, even with a control
// token, and is the CA the TLS listener's certificate chains to.
func TestCAPEMOnBothListeners(t *testing.T) {
	srv := fakeidp.StartTLS(t, fakeidp.Options{ControlToken: "s3cret-control"})
	for _, base := range []string{srv.URL(), srv.TLSURL()} {
		// A container asks by service name, which the control API's
		// Host check does not know.
		req, _ := http.NewRequest(http.MethodGet, base+"/_fakeidp/ca.pem", nil)
		req.Host = "fakeidp"
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != string(srv.CACertPEM()) || resp.Header.Get("Content-Type") != "application/x-pem-file" {
			t.Fatalf("%s: %d %q %q", base, resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
	}
	block, _ := pem.Decode(srv.CACertPEM())
	ca, err := x509.ParseCertificate(block.Bytes)
	if err != nil || !ca.IsCA || len(ca.PermittedDNSDomains) == 0 {
		t.Fatalf("CA %v: %+v", err, ca)
	}
	// The rest of the control API still needs the token.
	resp, err := srv.Client().Get(srv.TLSURL() + "/_fakeidp/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized {
		t.Errorf("health without the token: %d", resp.StatusCode)
	}
	// Without TLS there is no CA to hand out.
	plain := fakeidp.StartTest(t, fakeidp.Options{})
	resp, err = http.Get(plain.URL() + "/_fakeidp/ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("ca.pem without TLS: %d", resp.StatusCode)
	}
}

func TestTLSDirKeepsTheCAAcrossStarts(t *testing.T) {
	dir := t.TempDir()
	first := fakeidp.StartTLS(t, fakeidp.Options{TLSDir: dir})
	second := fakeidp.StartTLS(t, fakeidp.Options{TLSDir: dir})
	if string(first.CACertPEM()) != string(second.CACertPEM()) || first.CACertPEM() == nil {
		t.Fatal("two starts with one TLS directory have different CAs")
	}
	// The second server's certificate verifies with the first's CA.
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(first.CACertPEM())
	conn, err := tls.Dial("tcp", strings.TrimPrefix(second.TLSURL(), "https://"), &tls.Config{RootCAs: pool, ServerName: "identity.testkontur.ru"})
	if err != nil {
		t.Fatal(err)
	}
	conn.Close()
}

func TestTLSStartErrors(t *testing.T) {
	corrupt := t.TempDir()
	if _, err := fakeidp.New(fakeidp.Options{TLSDir: corrupt}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(corrupt, tlsca.CertFile), []byte("not a certificate"), 0o644); err != nil {
		t.Fatal(err)
	}
	def, _ := config.Default()
	both := *def
	both.TLS = config.TLS{CertFile: "cert.pem", KeyFile: "key.pem"}
	tests := []struct {
		name string
		opts fakeidp.Options
		want string
	}{
		{"corrupt CA", fakeidp.Options{TLSDir: corrupt}, filepath.Join(corrupt, tlsca.CertFile)},
		{"bad host", fakeidp.Options{TLSHosts: []string{"https://api.example.test/"}}, "api.example.test"},
		{"bad sites.<name>.hosts", fakeidp.Options{Config: withSiteHosts(t, "api_kontur.test"), TLSDir: t.TempDir()}, "sites.extern-api.hosts[0]"},
		{"host the kept CA does not permit", fakeidp.Options{TLSDir: t.TempDir(), TLSHosts: []string{"api.example.test"}}, ""},
		{"cert file and TLS dir", fakeidp.Options{Config: &both, TLSDir: t.TempDir()}, "exclude"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.want == "" {
				// First start makes the CA without the name; the second asks for it.
				_, err := fakeidp.New(fakeidp.Options{TLSDir: tt.opts.TLSDir})
				if err != nil {
					t.Fatal(err)
				}
				tt.want = "api.example.test"
			}
			_, err := fakeidp.New(tt.opts)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want an error naming %q", err, tt.want)
			}
		})
	}
}

// A certificate the user brings (fixtures tls.cert_file) replaces the CA.
func TestTLSCertFromFixtures(t *testing.T) {
	names, _ := tlsca.ForHosts([]string{"identity.testkontur.ru"}, nil)
	ca, err := tlsca.New(names, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	cert, err := ca.Issue(names, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	var chain []byte
	for _, der := range cert.Certificate {
		chain = append(chain, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})...)
	}
	keyDER, _ := x509.MarshalPKCS8PrivateKey(cert.PrivateKey)
	certFile, keyFile := filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	_ = os.WriteFile(certFile, chain, 0o644)
	_ = os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: keyDER}), 0o600)
	def, _ := config.Default()
	cfg := *def
	cfg.TLS = config.TLS{CertFile: certFile, KeyFile: keyFile}
	srv := fakeidp.StartTLS(t, fakeidp.Options{Config: &cfg})
	if got := issuerVia(t, srv.Client(), konturIssuer, ""); got != konturIssuer {
		t.Errorf("issuer %q", got)
	}
	if srv.CACertPEM() != nil {
		t.Error("CACertPEM with the fixtures' certificate")
	}
	resp, err := srv.Client().Get(srv.TLSURL() + "/_fakeidp/ca.pem")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("ca.pem: %d", resp.StatusCode)
	}
	cfg.TLS.KeyFile = filepath.Join(dir, "missing.pem")
	if _, err := fakeidp.New(fakeidp.Options{Config: &cfg}); err == nil || !strings.Contains(err.Error(), "missing.pem") {
		t.Errorf("missing key file: %v", err)
	}
}

// Plain HTTP sent to the TLS port gets net/http's 400; a TLS handshake on
// the HTTP port fails.
func TestTLSWrongProtocol(t *testing.T) {
	srv := fakeidp.StartTLS(t, fakeidp.Options{})
	conn, err := net.Dial("tcp", strings.TrimPrefix(srv.TLSURL(), "https://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(5 * time.Second))
	_, _ = io.WriteString(conn, "GET /kontur/.well-known/openid-configuration HTTP/1.1\r\nHost: identity.testkontur.ru\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(string(body), "HTTP request to an HTTPS server") {
		t.Errorf("plain HTTP to the TLS port: %d %q", resp.StatusCode, body)
	}

	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(srv.CACertPEM())
	dialer := &net.Dialer{Timeout: 5 * time.Second}
	tc, err := tls.DialWithDialer(dialer, "tcp", strings.TrimPrefix(srv.URL(), "http://"), &tls.Config{RootCAs: pool, ServerName: "localhost"})
	if err == nil {
		tc.Close()
		t.Fatal("a TLS handshake on the HTTP port succeeded")
	}
}

// The control API answers to the --tls-host names, as to the server's
// other public names, on both listeners; not to other names.
func TestControlAPIAnswersToTLSHosts(t *testing.T) {
	srv := fakeidp.StartTLS(t, fakeidp.Options{TLSHosts: []string{"idp.example.test"}})
	for _, base := range []string{srv.URL(), srv.TLSURL()} {
		for host, want := range map[string]int{"idp.example.test": 200, "idp.example.test:8443": 200, "other.example.test": http.StatusForbidden} {
			req, _ := http.NewRequest(http.MethodGet, base+"/_fakeidp/health", nil)
			req.Host = host
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if (resp.StatusCode == 200) != (want == 200) {
				t.Errorf("%s with Host %s: %d, want %d", base, host, resp.StatusCode, want)
			}
		}
	}
}

// A second HTTP listener (docker-compose's port 80 beside 8080) serves the
// same server; the first one names it.
func TestSecondHTTPListener(t *testing.T) {
	srv := fakeidp.StartTLS(t, fakeidp.Options{})
	first := srv.URL()
	if err := srv.Listen("127.0.0.1:0"); err != nil {
		t.Fatal(err)
	}
	if srv.URL() != first {
		t.Errorf("URL moved to %s", srv.URL())
	}
	resp, err := srv.Client().Get("http://identity.testkontur.ru/.well-known/openid-configuration")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Errorf("%d", resp.StatusCode)
	}
}

// withSiteHosts is the default fixtures with hosts added to the Extern
// API's site (sites.extern-api.hosts).
func withSiteHosts(t *testing.T, hosts ...string) *config.Config {
	t.Helper()
	def, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	cfg := *def
	cfg.Sites = map[string]config.Site{"extern-api": {Hosts: hosts}}
	return &cfg
}

// A host name the fixtures add to a site is served over HTTPS as over
// HTTP: the certificate covers it and the CA permits it.
func TestTLSSiteHostsInTheCertificate(t *testing.T) {
	dir := t.TempDir()
	srv := fakeidp.StartTLS(t, fakeidp.Options{Config: withSiteHosts(t, "api.kontur.ru"), TLSDir: dir})
	resp, err := srv.Client().Get("https://api.kontur.ru/v1/ping")
	if err != nil {
		t.Fatalf("over https: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusUnauthorized || !strings.HasPrefix(resp.Header.Get("WWW-Authenticate"), "Bearer") {
		t.Errorf("extern-api by api.kontur.ru over https: %d %q, want its 401", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
	}
	// A kept CA made without the name is an error that names it and the fix.
	plain := t.TempDir()
	if _, err := fakeidp.New(fakeidp.Options{TLSDir: plain}); err != nil {
		t.Fatal(err)
	}
	_, err = fakeidp.New(fakeidp.Options{Config: withSiteHosts(t, "api.kontur.ru", "api2.kontur.ru"), TLSDir: plain})
	if err == nil || !strings.Contains(err.Error(), "does not vouch for api.kontur.ru, api2.kontur.ru:") || !strings.Contains(err.Error(), "delete ca.pem and ca-key.pem") {
		t.Fatalf("kept CA without the site hosts: %v", err)
	}
	// The CA kept with them serves them on the next start too.
	if _, err := fakeidp.New(fakeidp.Options{Config: withSiteHosts(t, "api.kontur.ru"), TLSDir: dir}); err != nil {
		t.Errorf("second start: %v", err)
	}
}

// A missing --tls-dir is made (0700), with the CA in it; a CA key that
// others can read stops the start with the chmod that fixes it.
func TestTLSDirMadeAndKeyModeChecked(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tls")
	srv := fakeidp.StartTLS(t, fakeidp.Options{TLSDir: dir})
	if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("dir: %v %v", info.Mode(), err)
	}
	if kept, _ := os.ReadFile(filepath.Join(dir, tlsca.CertFile)); string(kept) != string(srv.CACertPEM()) {
		t.Fatal("the CA served is not the one kept")
	}
	key := filepath.Join(dir, tlsca.KeyFile)
	if err := os.Chmod(key, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := fakeidp.New(fakeidp.Options{TLSDir: dir})
	if err == nil || !strings.Contains(err.Error(), key) || !strings.Contains(err.Error(), "chmod 600 "+key) {
		t.Fatalf("key mode 644: %v", err)
	}
}
