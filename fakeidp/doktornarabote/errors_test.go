package doktornarabote_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// anyString in a wanted body matches any non-empty JSON string.
const anyString = "\x00any"

type host int

const (
	apiSite host = iota
	authSite
)

// errorCase is one row: run performs the setup and the request under test.
type errorCase struct {
	name   string
	host   host
	run    func(t *testing.T, srv *fakeidp.Server) reply
	status int
	// want is the whole body: exactly these keys, these values.
	want map[string]any
}

func apiErr(typ, value string) map[string]any {
	return map[string]any{"type": typ, "value": value, "description": anyString}
}

func oauthErr(code string) map[string]any { return map[string]any{"error": code} }

var tokenPair = map[string]any{
	"access_token": anyString, "token_type": "bearer", "expires_in": float64(1209599), "refresh_token": anyString,
}

// getQuery requests the validation code with a raw query string.
func getQuery(query string) func(*testing.T, *fakeidp.Server) reply {
	return func(t *testing.T, srv *fakeidp.Server) reply {
		return do(t, http.MethodGet, srv.SiteURL("doktornarabote-api")+"/api/v1/access/validation-code?"+query, "", "", nil)
	}
}

// login requests a code for 7 9001234567, lets steps act on it, then posts
// the password grant with the code steps return.
func login(steps func(t *testing.T, srv *fakeidp.Server, code string) string) func(*testing.T, *fakeidp.Server) reply {
	return func(t *testing.T, srv *fakeidp.Server) reply {
		if r := requestCode(t, srv, "7", "9001234567"); r.Status != http.StatusOK {
			t.Fatalf("validation-code: %d %s", r.Status, r.Body)
		}
		code := steps(t, srv, lastCode(t, srv, "79001234567"))
		return postToken(t, srv, passwordForm(seedClient, "79001234567", code))
	}
}

// failTimes posts n wrong codes first.
func failTimes(n int) func(*testing.T, *fakeidp.Server, string) string {
	return func(t *testing.T, srv *fakeidp.Server, code string) string {
		for range n {
			if r := postToken(t, srv, passwordForm(seedClient, "79001234567", wrong(code))); r.Status != http.StatusBadRequest {
				t.Fatalf("wrong code accepted: %d", r.Status)
			}
		}
		return code
	}
}

func after(d time.Duration) func(*testing.T, *fakeidp.Server, string) string {
	return func(_ *testing.T, srv *fakeidp.Server, code string) string {
		srv.Clock().Advance(d)
		return code
	}
}

func form(kv ...string) func(*testing.T, *fakeidp.Server) reply {
	return func(t *testing.T, srv *fakeidp.Server) reply {
		v := url.Values{}
		for i := 0; i < len(kv); i += 2 {
			v.Add(kv[i], kv[i+1])
		}
		return postToken(t, srv, v)
	}
}

// refreshWith logs the seed phone in, lets prepare act on the refresh token,
// then refreshes with the token prepare returns.
func refreshWith(prepare func(t *testing.T, srv *fakeidp.Server, refresh string) string) func(*testing.T, *fakeidp.Server) reply {
	return func(t *testing.T, srv *fakeidp.Server) reply {
		requestCode(t, srv, seedCountry, seedNumber)
		r := postToken(t, srv, passwordForm(seedClient, seedUsername, seedCode))
		if r.Status != http.StatusOK {
			t.Fatalf("login: %d %s", r.Status, r.Body)
		}
		rt := prepare(t, srv, r.Object(t)["refresh_token"].(string))
		return postToken(t, srv, url.Values{"grant_type": {"refresh_token"}, "client_id": {seedClient}, "refresh_token": {rt}})
	}
}

func errorCases() []errorCase {
	same := func(_ *testing.T, _ *fakeidp.Server, code string) string { return code }
	return []errorCase{
		{"missing code", apiSite, getQuery("number=1111111111"), 400, apiErr("bad_argument", "code")},
		{"missing number", apiSite, getQuery("code=1"), 400, apiErr("bad_argument", "number")},
		{"letters in number", apiSite, getQuery("code=7&number=91612abcde"), 400, apiErr("bad_argument", "number")},
		{"exponent in number", apiSite, getQuery("code=7&number=9.16e9"), 400, apiErr("bad_argument", "number")},
		{"exponent in code", apiSite, getQuery("code=1e1&number=9161234567"), 400, apiErr("bad_argument", "code")},
		{"plus in code", apiSite, getQuery("code=%2B7&number=9161234567"), 400, apiErr("bad_argument", "code")},
		{"10000-digit number", apiSite, getQuery("code=7&number=" + strings.Repeat("9", 10000)), 400, apiErr("bad_argument", "number")},
		{"short number", apiSite, getQuery("code=7&number=1234"), 400, apiErr("bad_argument", "number")},
		{"number twice", apiSite, getQuery("code=7&number=9161234567&number=9161234568"), 400, apiErr("bad_argument", "number")},
		{"resend within window", apiSite, func(t *testing.T, srv *fakeidp.Server) reply {
			requestCode(t, srv, "7", "9161234567")
			srv.Clock().Advance(44 * time.Second)
			return requestCode(t, srv, "7", "9161234567")
		}, 400, apiErr("limit_exceeded", "number")},
		{"resend after window", apiSite, func(t *testing.T, srv *fakeidp.Server) reply {
			requestCode(t, srv, "7", "9161234567")
			srv.Clock().Advance(45 * time.Second)
			return requestCode(t, srv, "7", "9161234567")
		}, 200, map[string]any{}},
		{"POST to validation-code", apiSite, func(t *testing.T, srv *fakeidp.Server) reply {
			return do(t, http.MethodPost, srv.SiteURL("doktornarabote-api")+"/api/v1/access/validation-code?code=7&number=9161234567", "", "", nil)
		}, 405, apiErr("method_not_allowed", "method")},
		// Every other path needs a token, so without one it is the API's
		// 403 oauth before it is a 404 (issue 11).
		{"unknown API path without a token", apiSite, func(t *testing.T, srv *fakeidp.Server) reply {
			return do(t, http.MethodGet, srv.SiteURL("doktornarabote-api")+"/api/v1/nothing", "", "", nil)
		}, 403, apiErr("oauth", "access_token")},

		{"right code", authSite, login(same), 200, tokenPair},
		{"wrong code", authSite, login(func(_ *testing.T, _ *fakeidp.Server, code string) string { return wrong(code) }), 400, oauthErr("invalid_grant")},
		{"code just before expiry", authSite, login(after(5*time.Minute - time.Second)), 200, tokenPair},
		{"expired code", authSite, login(after(5 * time.Minute)), 400, oauthErr("invalid_grant")},
		{"two wrong tries then right", authSite, login(failTimes(2)), 200, tokenPair},
		{"three wrong tries void the code", authSite, login(failTimes(3)), 400, oauthErr("invalid_grant")},
		{"reused code", authSite, login(func(t *testing.T, srv *fakeidp.Server, code string) string {
			if r := postToken(t, srv, passwordForm(seedClient, "79001234567", code)); r.Status != 200 {
				t.Fatalf("first use: %d %s", r.Status, r.Body)
			}
			return code
		}), 400, oauthErr("invalid_grant")},
		{"replaced code", authSite, login(replaceCode), 400, oauthErr("invalid_grant")},
		{"phone never sent a code", authSite, form("grant_type", "password", "client_id", seedClient, "username", "79990000000", "password", "1234"), 400, oauthErr("invalid_grant")},
		{"another phone's code", authSite, func(t *testing.T, srv *fakeidp.Server) reply {
			requestCode(t, srv, seedCountry, seedNumber)
			requestCode(t, srv, "7", "9001234567")
			return postToken(t, srv, passwordForm(seedClient, "79001234567", seedCode))
		}, 400, oauthErr("invalid_grant")},
		{"unknown client", authSite, form("grant_type", "password", "client_id", "ffffffffffffffffffffffffffffffff", "username", seedUsername, "password", seedCode), 400, oauthErr("invalid_client")},
		{"missing client_id", authSite, form("grant_type", "password", "username", seedUsername, "password", seedCode), 400, oauthErr("invalid_client")},
		{"client_credentials", authSite, form("grant_type", "client_credentials", "client_id", seedClient), 400, oauthErr("unsupported_grant_type")},
		{"missing grant_type", authSite, form("client_id", seedClient), 400, oauthErr("unsupported_grant_type")},
		{"missing password", authSite, form("grant_type", "password", "client_id", seedClient, "username", seedUsername), 400,
			map[string]any{"error": "invalid_request", "error_description": anyString}},
		{"parameter twice", authSite, form("grant_type", "password", "client_id", seedClient, "client_id", seedClient), 400,
			map[string]any{"error": "invalid_request", "error_description": anyString}},
		{"GET /token", authSite, func(t *testing.T, srv *fakeidp.Server) reply {
			return do(t, http.MethodGet, srv.SiteURL("doktornarabote-auth")+"/token", "", "", nil)
		}, 400, map[string]any{"error": "invalid_request", "error_description": anyString}},
		{"JSON body", authSite, func(t *testing.T, srv *fakeidp.Server) reply {
			return do(t, http.MethodPost, srv.SiteURL("doktornarabote-auth")+"/token", "", "application/json",
				strings.NewReader(`{"grant_type":"password","client_id":"`+seedClient+`","username":"11111111111","password":"7654"}`))
		}, 400, map[string]any{"error": "invalid_request", "error_description": anyString}},
		{"refresh", authSite, refreshWith(func(_ *testing.T, _ *fakeidp.Server, rt string) string { return rt }), 200, tokenPair},
		{"unknown refresh token", authSite, refreshWith(func(_ *testing.T, _ *fakeidp.Server, rt string) string { return rt + "0" }), 400, oauthErr("invalid_grant")},
		{"reused refresh token", authSite, refreshWith(func(t *testing.T, srv *fakeidp.Server, rt string) string {
			postToken(t, srv, url.Values{"grant_type": {"refresh_token"}, "client_id": {seedClient}, "refresh_token": {rt}})
			return rt
		}), 400, oauthErr("invalid_grant")},
		{"expired refresh token", authSite, refreshWith(func(_ *testing.T, srv *fakeidp.Server, rt string) string {
			srv.Clock().Advance(60 * 24 * time.Hour)
			return rt
		}), 400, oauthErr("invalid_grant")},
		{"missing refresh_token", authSite, form("grant_type", "refresh_token", "client_id", seedClient), 400,
			map[string]any{"error": "invalid_request", "error_description": anyString}},
	}
}

// replaceCode asks for new codes until one differs from the first (two
// random 4-digit codes are equal one time in 10,000), then returns the
// first, which the new one has replaced.
func replaceCode(t *testing.T, srv *fakeidp.Server, first string) string {
	for range 5 {
		srv.Clock().Advance(45 * time.Second)
		if r := requestCode(t, srv, "7", "9001234567"); r.Status != http.StatusOK {
			t.Fatalf("resend: %d %s", r.Status, r.Body)
		}
		if lastCode(t, srv, "79001234567") != first {
			return first
		}
	}
	t.Fatal("five new codes all equal the first")
	return ""
}

func TestErrors(t *testing.T) {
	for _, tc := range errorCases() {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			srv := start(t)
			r := tc.run(t, srv)
			if r.Status != tc.status {
				t.Fatalf("status = %d, want %d; body %s", r.Status, tc.status, r.Body)
			}
			checkBody(t, r.Object(t), tc.want)
			if tc.host == authSite {
				checkOWINHeaders(t, r)
				return
			}
			if ct := r.Header.Get("Content-Type"); ct != apiContentType {
				t.Errorf("Content-Type = %q, want %q", ct, apiContentType)
			}
			if tc.want["type"] == "limit_exceeded" && r.Header.Get("Retry-After") != "1" {
				t.Errorf("Retry-After = %q, want 1", r.Header.Get("Retry-After"))
			}
		})
	}
}

// checkBody asserts exactly want's keys, each a JSON string or number equal
// to want's value (anyString: any non-empty string).
func checkBody(t *testing.T, got, want map[string]any) {
	t.Helper()
	if len(got) != len(want) {
		t.Errorf("body %v, want keys of %v", got, want)
	}
	for k, w := range want {
		g, ok := got[k]
		switch {
		case !ok:
			t.Errorf("key %q missing from %v", k, got)
		case w == anyString:
			if s, isStr := g.(string); !isStr || s == "" {
				t.Errorf("%s = %#v, want a non-empty string", k, g)
			}
		case g != w:
			t.Errorf("%s = %#v, want %#v", k, g, w)
		}
	}
}
