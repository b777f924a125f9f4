package doktornarabote_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/internal/wiretest"
)

// The seed's example (seed 003, CONTRACTS.md "Seed example credentials").
const (
	seedClient   = "98483c47f17f4888b0bf695d1165062e"
	seedCountry  = "1"
	seedNumber   = "1111111111"
	seedUsername = "11111111111"
	seedCode     = "7654"

	apiHost  = "testapipartner.doktornarabote.ru"
	authHost = "testauthpartner.doktornarabote.ru"

	apiContentType   = "application/json; charset=utf-8"
	tokenContentType = "application/json;charset=UTF-8"
)

var fixed = time.Date(2024, 3, 1, 9, 0, 0, 0, time.UTC)

func start(t testing.TB) *fakeidp.Server {
	t.Helper()
	return fakeidp.StartTest(t, fakeidp.Options{Now: wiretest.At(fixed)})
}

// reply is a response read whole.
type reply = wiretest.Reply

// do sends a request; host, when set, replaces the Host header so that the
// request is routed by the real host name.
func do(t testing.TB, method, rawURL, host, contentType string, body io.Reader) reply {
	t.Helper()
	req, err := http.NewRequest(method, rawURL, body)
	if err != nil {
		t.Fatal(err)
	}
	if host != "" {
		req.Host = host
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return wiretest.Do(t, nil, req)
}

func requestCode(t testing.TB, srv *fakeidp.Server, country, number string) reply {
	t.Helper()
	q := url.Values{"code": {country}, "number": {number}}
	return do(t, http.MethodGet, srv.SiteURL("doktornarabote-api")+"/api/v1/access/validation-code?"+q.Encode(), "", "", nil)
}

func postToken(t testing.TB, srv *fakeidp.Server, form url.Values) reply {
	t.Helper()
	return do(t, http.MethodPost, srv.SiteURL("doktornarabote-auth")+"/token", "",
		"application/x-www-form-urlencoded", strings.NewReader(form.Encode()))
}

func passwordForm(client, username, password string) url.Values {
	return url.Values{"grant_type": {"password"}, "client_id": {client}, "username": {username}, "password": {password}}
}

// lastCode is the newest code in phone's outbox, read through the Go API.
func lastCode(t testing.TB, srv *fakeidp.Server, phone string) string {
	t.Helper()
	msgs := srv.Doktornarabote().Outbox(phone)
	if len(msgs) == 0 {
		t.Fatalf("no SMS for %s", phone)
	}
	return msgs[0].Code
}

// checkOWINHeaders asserts the headers every /token response carries.
func checkOWINHeaders(t testing.TB, r reply) {
	t.Helper()
	want := map[string]string{
		"Content-Type": tokenContentType, "Cache-Control": "no-cache", "Pragma": "no-cache", "Expires": "-1",
	}
	for k, v := range want {
		if got := r.Header.Get(k); got != v {
			t.Errorf("header %s = %q, want %q", k, got, v)
		}
	}
}

// wrong returns a 4-digit code different from code.
func wrong(code string) string {
	if code == "0000" {
		return "0001"
	}
	return "0000"
}
