package kontur_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// serve runs one request through the server's handler, without a network.
func serve(b *testing.B, h http.Handler, req *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK && rec.Code != http.StatusFound {
		b.Fatalf("status %d: %s", rec.Code, rec.Body)
	}
	return rec
}

func newBenchServer(b *testing.B) (*fakeidp.Server, http.Handler) {
	srv, err := fakeidp.New(fakeidp.Options{})
	if err != nil {
		b.Fatal(err)
	}
	return srv, srv.Handler()
}

// BenchmarkClientCredentials is the medi-api token request of seed 000.
//
//	go test -run '^$' -bench ClientCredentials -cpu 1 ./fakeidp/kontur/
func BenchmarkClientCredentials(b *testing.B) {
	_, h := newBenchServer(b)
	const body = "grant_type=client_credentials&scope=medi_api"
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/kontur/connect/token", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Authorization", seedBasic)
		serve(b, h, req)
	}
}

// BenchmarkCodeExchange is the authorize request, the login form and the
// exchange that signs an RS256 id_token. Compare with BenchmarkRS256Sign.
//
//	go test -run '^$' -bench 'CodeExchange|RS256Sign' -cpu 1 ./fakeidp/kontur/
func BenchmarkCodeExchange(b *testing.B) {
	_, h := newBenchServer(b)
	f := codeAuthorize()
	f.Set("username", username)
	f.Set("password", password)
	f.Set("button", "login")
	loginBody := f.Encode()
	b.ReportAllocs()
	for b.Loop() {
		req := httptest.NewRequest(http.MethodPost, "/kontur/connect/authorize", strings.NewReader(loginBody))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		loc, _ := url.Parse(serve(b, h, req).Header().Get("Location"))
		ex := form("grant_type", "authorization_code", "code", loc.Query().Get("code"),
			"client_id", codeID, "client_secret", codeSecret, "redirect_uri", codeRedirect).Encode()
		req = httptest.NewRequest(http.MethodPost, "/kontur/connect/token", strings.NewReader(ex))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		serve(b, h, req)
	}
}

// BenchmarkRS256Sign is go-jose signing a payload of id_token size with the
// same key: the ceiling for BenchmarkCodeExchange.
func BenchmarkRS256Sign(b *testing.B) {
	srv, _ := newBenchServer(b)
	key := srv.Keys().Signer()
	signer, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: jose.JSONWebKey{Key: key.Private, KeyID: key.ID}}, nil)
	if err != nil {
		b.Fatal(err)
	}
	payload, _ := json.Marshal(map[string]any{"iss": "http://127.0.0.1:8080/kontur", "aud": codeID, "sub": "6c1e7d4a-2f0b-4b1e-9a43-5d2b8f0c7e11", "iat": 1, "exp": 301, "nonce": "n-0S6_WzA2Mj"})
	b.ReportAllocs()
	for b.Loop() {
		obj, err := signer.Sign(payload)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := obj.CompactSerialize(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDiscovery is the discovery document.
func BenchmarkDiscovery(b *testing.B) {
	_, h := newBenchServer(b)
	b.ReportAllocs()
	for b.Loop() {
		serve(b, h, httptest.NewRequest(http.MethodGet, "/kontur/.well-known/openid-configuration", nil))
	}
}

// BenchmarkServerStart is building and starting an in-process server on a
// free port, and closing it.
func BenchmarkServerStart(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		srv, err := fakeidp.Start(fakeidp.Options{})
		if err != nil {
			b.Fatal(err)
		}
		srv.Close()
	}
}
