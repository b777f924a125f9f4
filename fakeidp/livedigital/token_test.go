package livedigital_test

import (
	"net/http"
	"regexp"
	"slices"
	"sync"
	"testing"
	"time"
)

var (
	objectIDRe = regexp.MustCompile(`^[0-9a-f]{24}$`)
	jtiRe      = regexp.MustCompile(`^[A-Za-z0-9_-]{21}$`)
	sgnRe      = regexp.MustCompile(`^[0-9a-f]{10}$`)
)

// TestTokenClaims checks every claim and lifetime of the four kinds of
// token (checklist 26–28).
func TestTokenClaims(t *testing.T) {
	srv := start(t)
	client, user := clientPair(t, srv), userPair(t, srv)
	cases := []struct {
		name, token, aud, typ, sub string
		life                       int64
		sgn                        bool
	}{
		{"client access", client.AccessToken, "client", "accessToken", seedClientOID, 604800, false},
		{"client refresh", client.RefreshToken, "client", "refreshToken", seedClientOID, 1814400, false},
		{"user access", user.AccessToken, "user", "accessToken", seedUserOID, 604800, true},
		{"user refresh", user.RefreshToken, "user", "refreshToken", seedUserOID, 1814400, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			d := decode(t, c.token)
			if len(d.Header) != 2 || d.Header["alg"] != "HS256" || d.Header["typ"] != "JWT" {
				t.Errorf("header = %v, want exactly alg HS256, typ JWT", d.Header)
			}
			want := []string{"aud", "cId", "exp", "iat", "jti", "sub", "type"}
			if c.sgn {
				want = append(want, "sgn")
				slices.Sort(want)
			}
			var got []string
			for k := range d.Claims {
				got = append(got, k)
			}
			slices.Sort(got)
			if !slices.Equal(got, want) {
				t.Errorf("claims %v, want exactly %v", got, want)
			}
			checkClaims(t, d.Claims, c.aud, c.typ, c.sub, c.life)
			if sgn, _ := d.Claims["sgn"].(string); c.sgn && !sgnRe.MatchString(sgn) {
				t.Errorf("sgn = %q, want 10 hex", sgn)
			}
		})
	}
}

func checkClaims(t *testing.T, c map[string]any, aud, typ, sub string, life int64) {
	t.Helper()
	if c["aud"] != aud || c["type"] != typ || c["sub"] != sub || c["cId"] != seedClientOID {
		t.Errorf("aud/type/sub/cId = %v/%v/%v/%v, want %s/%s/%s/%s", c["aud"], c["type"], c["sub"], c["cId"], aud, typ, sub, seedClientOID)
	}
	if !objectIDRe.MatchString(c["sub"].(string)) {
		t.Errorf("sub %v is not an ObjectId", c["sub"])
	}
	if jti, _ := c["jti"].(string); !jtiRe.MatchString(jti) {
		t.Errorf("jti = %q, want 21 chars of [A-Za-z0-9_-]", jti)
	}
	iat, _ := c["iat"].(float64)
	exp, _ := c["exp"].(float64)
	if int64(iat) != fixed.Unix() || int64(exp)-int64(iat) != life {
		t.Errorf("iat %v exp %v: want iat %d and exp-iat %d", iat, exp, fixed.Unix(), life)
	}
}

// TestTokenResponseShape checks the success body and headers (checklist 26).
func TestTokenResponseShape(t *testing.T) {
	srv := start(t)
	r := call(t, "POST", tokenURL(srv), clientCredentialsBody(seedClientID, seedClientSecret), jsonCT)
	body := r.Object(t)
	if len(body) != 3 || body["token_type"] != "Bearer" {
		t.Errorf("body %v: want exactly token_type Bearer, access_token, refresh_token", body)
	}
	for _, k := range []string{"access_token", "refresh_token"} {
		if s, ok := body[k].(string); !ok || s == "" {
			t.Errorf("%s = %v, want a string", k, body[k])
		}
	}
	if _, ok := body["expires_in"]; ok {
		t.Error("expires_in present; the provider sends none")
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if j1, j2 := decode(t, body["access_token"].(string)).Claims["jti"], decode(t, body["refresh_token"].(string)).Claims["jti"]; j1 == j2 {
		t.Errorf("access and refresh share jti %v", j1)
	}
}

// TestTokenErrors is every refusal of the token endpoint (checklist 29, 30).
func TestTokenErrors(t *testing.T) {
	srv := start(t)
	client := clientPair(t, srv)
	user := userPair(t, srv)
	cases := []struct {
		name, body  string
		hdr         map[string]string
		status      int
		code, descr string
	}{
		{"wrong client secret", clientCredentialsBody(seedClientID, "nope"), jsonCT, 400, "invalid_grant", "Invalid credentials"},
		{"unknown client", clientCredentialsBody("nobody", seedClientSecret), jsonCT, 400, "invalid_grant", "Invalid credentials"},
		{"missing secret", `{"client_id":"` + seedClientID + `","grant_type":"client_credentials"}`, jsonCT, 400, "invalid_request", "client_id and client_secret are required"},
		{"wrong password", passwordBody(seedUser, "654321"), withBearer(client.AccessToken), 400, "invalid_grant", "Invalid credentials"},
		{"unknown user", passwordBody("nobody@test.test", seedPassword), withBearer(client.AccessToken), 400, "invalid_grant", "Invalid credentials"},
		{"password without bearer", passwordBody(seedUser, seedPassword), jsonCT, 401, "invalid_token", "a client token is required in Authorization: Bearer"},
		{"password with refresh token", passwordBody(seedUser, seedPassword), withBearer(client.RefreshToken), 401, "invalid_token", "the bearer token is not a client access token"},
		{"password with user refresh token", passwordBody(seedUser, seedPassword), withBearer(user.RefreshToken), 401, "invalid_token", "the bearer token is not a client access token"},
		{"password with garbage", passwordBody(seedUser, seedPassword), withBearer("garbage"), 401, "invalid_token", "the client token is invalid"},
		{"password missing username", `{"client_id":"` + seedClientID + `","client_secret":"` + seedClientSecret + `","grant_type":"password"}`, withBearer(client.AccessToken), 400, "invalid_request", "username and password are required"},
		{"missing grant_type", `{"client_id":"a"}`, jsonCT, 400, "invalid_request", "grant_type is required"},
		{"unknown grant_type", `{"grant_type":"authorization_code"}`, jsonCT, 400, "unsupported_grant_type", "grant_type must be client_credentials, password or refresh_token"},
		{"refresh with access token", `{"grant_type":"refresh_token","refresh_token":"` + client.AccessToken + `"}`, jsonCT, 400, "invalid_grant", "Invalid refresh token"},
		{"refresh missing", `{"grant_type":"refresh_token"}`, jsonCT, 400, "invalid_request", "refresh_token is required"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := call(t, "POST", tokenURL(srv), c.body, c.hdr)
			checkOAuthError(t, r, c.status, c.code, c.descr)
		})
	}
}

func checkOAuthError(t *testing.T, r response, status int, code, descr string) {
	t.Helper()
	if r.Status != status {
		t.Errorf("status %d, want %d: %s", r.Status, status, r.Body)
	}
	body := r.Object(t)
	if body["error"] != code || (descr != "" && body["error_description"] != descr) {
		t.Errorf("body %v, want error %q description %q", body, code, descr)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
}

// TestPasswordGrantNeedsSameClient: a client token of one client does not
// let another client log users in.
func TestPasswordGrantNeedsSameClient(t *testing.T) {
	srv := start(t)
	other, err := srv.Livedigital().GenerateClient(seedUser)
	if err != nil {
		t.Fatal(err)
	}
	otherToken := mustPair(t, call(t, "POST", tokenURL(srv), clientCredentialsBody(other.ClientID, other.ClientSecret), jsonCT))
	r := call(t, "POST", tokenURL(srv), passwordBody(seedUser, seedPassword), withBearer(otherToken.AccessToken))
	checkOAuthError(t, r, 401, "invalid_token", "the client token was issued to another client")
}

// TestExpiry moves the clock: access tokens die at 604800 s, refresh
// tokens at 1814400 s.
func TestExpiry(t *testing.T) {
	srv := start(t)
	client, user := clientPair(t, srv), userPair(t, srv)
	srv.Clock().Advance(604799 * time.Second)
	if r := call(t, "GET", spacesURL(srv), "", withBearer(user.AccessToken)); r.Status != 200 {
		t.Fatalf("user token 1 s before expiry: %d %s", r.Status, r.Body)
	}
	mustPair(t, call(t, "POST", tokenURL(srv), passwordBody(seedUser, seedPassword), withBearer(client.AccessToken)))
	srv.Clock().Advance(time.Second)
	if r := call(t, "GET", spacesURL(srv), "", withBearer(user.AccessToken)); r.Status != 401 || r.Object(t)["message"] != "Token expired" {
		t.Errorf("user token at expiry: %d %s, want 401 Token expired", r.Status, r.Body)
	}
	r := call(t, "POST", tokenURL(srv), passwordBody(seedUser, seedPassword), withBearer(client.AccessToken))
	checkOAuthError(t, r, 401, "invalid_token", "the client token has expired")

	srv.Clock().Advance((1814400 - 604800 - 1) * time.Second)
	mustPair(t, call(t, "POST", tokenURL(srv), `{"grant_type":"refresh_token","refresh_token":"`+client.RefreshToken+`"}`, jsonCT))
	srv.Clock().Advance(time.Second)
	r = call(t, "POST", tokenURL(srv), `{"grant_type":"refresh_token","refresh_token":"`+user.RefreshToken+`"}`, jsonCT)
	checkOAuthError(t, r, 400, "invalid_grant", "Invalid refresh token")
}

// TestRefreshRotation: a refresh gives a new pair of the same kind, and the
// used refresh token is refused (checklist 25's livedigital twin).
func TestRefreshRotation(t *testing.T) {
	srv := start(t)
	for _, kind := range []struct {
		name string
		pair pair
		aud  string
	}{{"client", clientPair(t, srv), "client"}, {"user", userPair(t, srv), "user"}} {
		t.Run(kind.name, func(t *testing.T) {
			body := `{"grant_type":"refresh_token","refresh_token":"` + kind.pair.RefreshToken + `"}`
			next := mustPair(t, call(t, "POST", tokenURL(srv), body, jsonCT))
			if next.RefreshToken == kind.pair.RefreshToken || next.AccessToken == kind.pair.AccessToken {
				t.Error("refresh returned the same tokens")
			}
			if aud := decode(t, next.AccessToken).Claims["aud"]; aud != kind.aud {
				t.Errorf("refreshed aud %v, want %s", aud, kind.aud)
			}
			checkOAuthError(t, call(t, "POST", tokenURL(srv), body, jsonCT), 400, "invalid_grant", "Refresh token is already used or revoked")
			next2 := `{"grant_type":"refresh_token","refresh_token":"` + next.RefreshToken + `","client_id":"` + seedClientID + `","client_secret":"` + seedClientSecret + `"}`
			mustPair(t, call(t, "POST", tokenURL(srv), next2, jsonCT))
		})
	}
}

// TestRefreshWithWrongClient: client credentials sent with a refresh must
// be right, and the token is not spent when they are not.
func TestRefreshWithWrongClient(t *testing.T) {
	srv := start(t)
	p := clientPair(t, srv)
	bad := `{"grant_type":"refresh_token","refresh_token":"` + p.RefreshToken + `","client_id":"` + seedClientID + `","client_secret":"wrong"}`
	checkOAuthError(t, call(t, "POST", tokenURL(srv), bad, jsonCT), 400, "invalid_grant", "Invalid credentials")
	mustPair(t, call(t, "POST", tokenURL(srv), `{"grant_type":"refresh_token","refresh_token":"`+p.RefreshToken+`"}`, jsonCT))
}

// TestParallelTokens issues tokens from many goroutines (run with -race)
// and checks every jti is unique and each refresh token is spent once.
func TestParallelTokens(t *testing.T) {
	srv := start(t)
	const workers, each = 8, 25
	var mu sync.Mutex
	seen := map[string]bool{}
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for range each {
				p := userPair(t, srv)
				jti := decode(t, p.AccessToken).Claims["jti"].(string)
				mu.Lock()
				if seen[jti] {
					t.Errorf("jti %s issued twice", jti)
				}
				seen[jti] = true
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(seen) != workers*each {
		t.Errorf("%d distinct tokens, want %d", len(seen), workers*each)
	}
	p := clientPair(t, srv)
	body := `{"grant_type":"refresh_token","refresh_token":"` + p.RefreshToken + `"}`
	var wins sync.WaitGroup
	var ok int
	for range workers {
		wins.Go(func() {
			if r := call(t, "POST", tokenURL(srv), body, jsonCT); r.Status == http.StatusOK {
				mu.Lock()
				ok++
				mu.Unlock()
			}
		})
	}
	wins.Wait()
	if ok != 1 {
		t.Errorf("%d concurrent refreshes succeeded, want exactly 1", ok)
	}
}
