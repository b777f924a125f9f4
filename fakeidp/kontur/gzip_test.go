package kontur_test

import (
	"compress/gzip"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// rawClient sends Accept-Encoding as the test sets it and leaves the body
// as it came: net/http's transparent decoding would hide the encoding.
var rawClient = &http.Client{Transport: &http.Transport{DisableCompression: true}}

func tokenWithEncoding(t *testing.T, srv *fakeidp.Server, base, acceptEncoding string) *http.Response {
	t.Helper()
	form := url.Values{"grant_type": {"password"}, "scope": {"extern.api"}, "username": {username}, "password": {password},
		"client_id": {externID}, "client_secret": {externSecret}}
	req, _ := http.NewRequest(http.MethodPost, base+"/connect/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if acceptEncoding != "" {
		req.Header.Set("Accept-Encoding", acceptEncoding)
	}
	resp, err := rawClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// Seed 002: with Accept-Encoding: gzip, the token response is gzip
// encoded (small as it is), with Vary: Accept-Encoding; without, plain.
func TestGzipWhenAsked(t *testing.T) {
	srv := start(t)
	for _, ae := range []string{"gzip, deflate, br", "gzip", ""} {
		resp := tokenWithEncoding(t, srv, srv.SiteURL("kontur"), ae)
		if !strings.Contains(resp.Header.Get("Vary"), "Accept-Encoding") {
			t.Errorf("Accept-Encoding %q: Vary %q", ae, resp.Header.Get("Vary"))
		}
		var body io.Reader = resp.Body
		wantGzip := ae != ""
		if got := resp.Header.Get("Content-Encoding"); (got == "gzip") != wantGzip {
			t.Fatalf("Accept-Encoding %q: Content-Encoding %q", ae, got)
		}
		if wantGzip {
			zr, err := gzip.NewReader(resp.Body)
			if err != nil {
				t.Fatalf("Accept-Encoding %q: body is not gzip: %v", ae, err)
			}
			body = zr
		}
		var tok struct {
			AccessToken string `json:"access_token"`
		}
		if err := json.NewDecoder(body).Decode(&tok); err != nil || resp.StatusCode != 200 || tok.AccessToken == "" {
			t.Fatalf("Accept-Encoding %q: %d %v", ae, resp.StatusCode, err)
		}
		// Kontur's own headers survive the wrapper.
		if resp.Header.Get("X-Kontur-Trace-Id") == "" || resp.Header.Get("Cache-Control") == "" {
			t.Errorf("Accept-Encoding %q: headers %v", ae, resp.Header)
		}
	}
	// An error answer is compressed too, and decodes to the OAuth error.
	form := url.Values{"grant_type": {"password"}, "client_id": {"nobody"}}
	req, _ := http.NewRequest(http.MethodPost, srv.SiteURL("kontur")+"/connect/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := rawClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	zr, err := gzip.NewReader(resp.Body)
	if err != nil || resp.StatusCode != 400 {
		t.Fatalf("error answer: %d %v", resp.StatusCode, err)
	}
	var oe struct{ Error string }
	if err := json.NewDecoder(zr).Decode(&oe); err != nil || oe.Error != "invalid_client" {
		t.Errorf("error answer: %+v %v", oe, err)
	}
}

// Only Kontur compresses: the other providers' hosts answer plain.
func TestGzipOnlyOnKontur(t *testing.T) {
	srv := start(t)
	req, _ := http.NewRequest(http.MethodPost, srv.SiteURL("livedigital")+"/v1/auth/token",
		strings.NewReader(`{"client_id":"john-smith-livedigital","client_secret":"VTytkTR7ZHH5nLhoWCLjymrUJjKBzfs4","grant_type":"client_credentials"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept-Encoding", "gzip")
	resp, err := rawClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != "" {
		t.Errorf("livedigital: %d Content-Encoding %q", resp.StatusCode, resp.Header.Get("Content-Encoding"))
	}
}
