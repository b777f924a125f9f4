package kontur_test

import (
	"encoding/base64"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/internal/wiretest"
)

// Seed credentials (CONTRACTS.md, "Seed example credentials").
const (
	mediID       = "medi_test_client"
	mediSecret   = "b29d0d9e-872c-4ea5-a92a-71b3abdea091"
	externID     = "extern.api"
	externSecret = "extern.api-secret"
	codeID       = "yourClientId"
	codeSecret   = "yourClientSecret"
	codeRedirect = "http://www.example.com/"
	username     = "user@login.ru"
	password     = "password"
	// seedBasic is the Authorization header of seed 000, verbatim.
	seedBasic = "Basic bWVkaV90ZXN0X2NsaWVudDpiMjlkMGQ5ZS04NzJjLTRlYTUtYTkyYS03MWIzYWJkZWEwOTE="
)

var t0 = time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)

func start(t testing.TB) *fakeidp.Server {
	t.Helper()
	return fakeidp.StartTest(t, fakeidp.Options{Now: wiretest.At(t0)})
}

// startWith serves a copy of the default fixtures that change adjusts. The
// default is shared and read-only: change must clone what it modifies.
func startWith(t testing.TB, change func(cfg *config.Config)) *fakeidp.Server {
	t.Helper()
	return fakeidp.StartTest(t, fakeidp.Options{Config: wiretest.Config(t, change), Now: wiretest.At(t0)})
}

type reply struct {
	Status int
	Header http.Header
	Body   []byte
	// Keys are the top-level JSON keys in wire order (nil if not an object).
	Keys []string
	JSON map[string]any
}

func do(t testing.TB, srv *fakeidp.Server, req *http.Request) reply {
	t.Helper()
	w := wiretest.Do(t, srv.Client(), req)
	rep := reply{Status: w.Status, Header: w.Header, Body: w.Body}
	if strings.HasPrefix(w.Header.Get("Content-Type"), "application/json") && len(w.Body) > 0 {
		rep.JSON = w.Object(t)
		rep.Keys = w.Keys(t)
	}
	return rep
}

// tokenRequest builds a form POST to the token endpoint.
func tokenRequest(t testing.TB, srv *fakeidp.Server, form url.Values, basicID, basicSecret string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.SiteURL("kontur")+"/connect/token", strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	if basicID != "" {
		req.Header.Set("Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte(basicID+":"+basicSecret)))
	}
	return req
}

func postToken(t testing.TB, srv *fakeidp.Server, form url.Values, basicID, basicSecret string) reply {
	t.Helper()
	return do(t, srv, tokenRequest(t, srv, form, basicID, basicSecret))
}

func form(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Set(kv[i], kv[i+1])
	}
	return v
}

func get(t testing.TB, srv *fakeidp.Server, rawURL string, header ...string) reply {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, rawURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	return do(t, srv, req)
}

// login drives the authorize endpoint and the login form as a browser would
// and returns the redirect Location.
func login(t testing.TB, srv *fakeidp.Server, authorize url.Values, user, pass, button string) *url.URL {
	t.Helper()
	page := get(t, srv, srv.SiteURL("kontur")+"/connect/authorize?"+authorize.Encode())
	if page.Status != http.StatusOK || !strings.Contains(string(page.Body), `name="password"`) {
		t.Fatalf("authorize: want the login form, got %d\n%s", page.Status, page.Body)
	}
	f := url.Values{}
	for k, v := range authorize {
		f[k] = v
	}
	f.Set("username", user)
	f.Set("password", pass)
	f.Set("button", button)
	req, _ := http.NewRequest(http.MethodPost, srv.SiteURL("kontur")+"/connect/authorize", strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rep := do(t, srv, req)
	if rep.Status != http.StatusFound {
		t.Fatalf("login: want 302, got %d\n%s", rep.Status, rep.Body)
	}
	loc, err := url.Parse(rep.Header.Get("Location"))
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

func codeAuthorize(extra ...string) url.Values {
	v := form("response_type", "code", "client_id", codeID, "redirect_uri", codeRedirect,
		"scope", "openid extern.api offline_access", "state", "af0ifjsldkj", "nonce", "n-0S6_WzA2Mj")
	for i := 0; i+1 < len(extra); i += 2 {
		v.Set(extra[i], extra[i+1])
	}
	return v
}
