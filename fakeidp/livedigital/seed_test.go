package livedigital_test

import (
	"maps"
	"slices"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// The seed document's requests and sample tokens, verbatim.
const (
	seedClientTokenRequest = `{
 "client_id": "john-smith-livedigital",
 "client_secret": "VTytkTR7ZHH5nLhoWCLjymrUJjKBzfs4",
 "grant_type": "client_credentials"
}`
	// seedCurlBody is the --data-raw of the seed's password-grant curl.
	seedCurlBody = `{
"client_id": "john-smith-livedigital",
"client_secret": "VTytkTR7ZHH5nLhoWCLjymrUJjKBzfs4",
"grant_type": "password",
"username": "test_user@test.test",
"password": "123456"
}`
	// seedCurlBearer is the curl's Authorization token: a user token
	// (aud "user") of the seed user, signed with the real provider's key
	// and expired since 2022-06-27.
	seedCurlBearer = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2MmFiNWE4NGIwY2U2ZWUzMWIwOTk3YjMiLCJhdWQiOiJ1c2VyIiwidHlwZSI6ImFjY2Vzc1Rva2VuIiwiY0lkIjoiNjJhMDlmYzcwMmY4NmNlMzdhOTM4NmYxIiwianRpIjoiSzZEX1ZNQWRrc25CQnpjaTJnRlFBIiwic2duIjoiYjgxMTBmOGZiNiIsImlhdCI6MTY1NTc0MTEyOSwiZXhwIjoxNjU2MzQ1OTI5fQ.Qy-zwBGwjyWzPF8uXYtla9IOvCfOCeQ9uzCaUo8Q7pM"
	// seedClientAccess is the access token the seed shows under "user
	// token" (its claims say client token: aud "client", sub == cId).
	seedClientAccess = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2MmEwOWZjNzAyZjg2Y2UzN2E5Mzg2ZjEiLCJhdWQiOiJjbGllbnQiLCJ0eXBlIjoiYWNjZXNzVG9rZW4iLCJjSWQiOiI2MmEwOWZjNzAyZjg2Y2UzN2E5Mzg2ZjEiLCJqdGkiOiI1ZGxDZ0pxRzZ1dFFycjNqSTFjSmMiLCJpYXQiOjE2NTUzMTYwNjgsImV4cCI6MTY1NTkyMDg2OH0.5vTOaqS77Yl-4cYT1WM5DdKbo8-I__bxB2DX5kyFaTA"
)

// seedBases are the two ways to reach the site: the prefix, and the real
// host name in the Host header.
func seedBases(srv *fakeidp.Server) map[string]struct {
	url  string
	host map[string]string
} {
	return map[string]struct {
		url  string
		host map[string]string
	}{
		"prefix": {srv.SiteURL("livedigital"), map[string]string{}},
		"host":   {srv.URL(), map[string]string{"Host": realHost}},
	}
}

func with(base map[string]string, kv ...string) map[string]string {
	out := maps.Clone(base)
	for i := 0; i+1 < len(kv); i += 2 {
		out[kv[i]] = kv[i+1]
	}
	return out
}

// TestSeedRequests sends the seed's requests verbatim, under the prefix and
// under the real host name.
func TestSeedRequests(t *testing.T) {
	srv := start(t)
	for name, b := range seedBases(srv) {
		t.Run(name, func(t *testing.T) {
			ct := with(b.host, "Content-Type", "application/json")
			client := mustPair(t, call(t, "POST", b.url+"/v1/auth/token", seedClientTokenRequest, ct))
			if aud := decode(t, client.AccessToken).Claims["aud"]; aud != "client" {
				t.Errorf("client token aud %v", aud)
			}
			// The seed curl's own Bearer is signed with the real provider's
			// key, so the fake must refuse it; the same body with a client
			// token from the fake works.
			stale := call(t, "POST", b.url+"/v1/auth/token", seedCurlBody, with(ct, "Authorization", "Bearer "+seedCurlBearer))
			checkOAuthError(t, stale, 401, "invalid_token", "the client token is invalid")
			user := mustPair(t, call(t, "POST", b.url+"/v1/auth/token", seedCurlBody, with(ct, "Authorization", "Bearer "+client.AccessToken)))
			if sub := decode(t, user.AccessToken).Claims["sub"]; sub != seedUserOID {
				t.Errorf("user token sub %v", sub)
			}
			if r := call(t, "GET", b.url+"/v1/spaces/", "", with(b.host, "Authorization", "Bearer "+user.AccessToken)); r.Status != 200 {
				t.Errorf("spaces: %d %s", r.Status, r.Body)
			}
		})
	}
}

// TestTokensLookLikeTheSeeds: the fake's tokens have the same header and
// claim names as the seed's decoded samples, kind for kind.
func TestTokensLookLikeTheSeeds(t *testing.T) {
	srv := start(t)
	for _, c := range []struct{ name, ours, theirs string }{
		{"client token", clientPair(t, srv).AccessToken, seedClientAccess},
		{"user token", userPair(t, srv).AccessToken, seedCurlBearer},
	} {
		ours, theirs := decode(t, c.ours), decode(t, c.theirs)
		if !maps.Equal(ours.Header, theirs.Header) {
			t.Errorf("%s header %v, seed %v", c.name, ours.Header, theirs.Header)
		}
		got, want := slices.Sorted(maps.Keys(ours.Claims)), slices.Sorted(maps.Keys(theirs.Claims))
		if !slices.Equal(got, want) {
			t.Errorf("%s claims %v, seed %v", c.name, got, want)
		}
		if ours.Claims["aud"] != theirs.Claims["aud"] || ours.Claims["cId"] != theirs.Claims["cId"] || ours.Claims["sub"] != theirs.Claims["sub"] {
			t.Errorf("%s aud/cId/sub differ from the seed's: %v vs %v", c.name, ours.Claims, theirs.Claims)
		}
	}
}

// TestPasswordGrantWithUserBearer: seed 004's own curl sends a user token
// (aud "user") as the Bearer of the password grant, so a live user token of
// the same client is accepted there as well as a client token; any other
// bearer is refused.
func TestPasswordGrantWithUserBearer(t *testing.T) {
	srv := start(t)
	user := userPair(t, srv)
	for name, b := range seedBases(srv) {
		t.Run(name, func(t *testing.T) {
			r := call(t, "POST", b.url+"/v1/auth/token", seedCurlBody, with(b.host, "Content-Type", "application/json", "Authorization", "Bearer "+user.AccessToken))
			next := mustPair(t, r)
			if c := decode(t, next.AccessToken).Claims; c["aud"] != "user" || c["sub"] != seedUserOID || c["cId"] != seedClientOID {
				t.Errorf("user token claims %v", c)
			}
		})
	}

	other, err := srv.Livedigital().GenerateClient(seedUser)
	if err != nil {
		t.Fatal(err)
	}
	otherClient := mustPair(t, call(t, "POST", tokenURL(srv), clientCredentialsBody(other.ClientID, other.ClientSecret), jsonCT))
	otherUser := mustPair(t, call(t, "POST", tokenURL(srv),
		`{"client_id":"`+other.ClientID+`","client_secret":"`+other.ClientSecret+`","grant_type":"password","username":"`+seedUser+`","password":"`+seedPassword+`"}`,
		withBearer(otherClient.AccessToken)))
	r := call(t, "POST", tokenURL(srv), passwordBody(seedUser, seedPassword), withBearer(otherUser.AccessToken))
	checkOAuthError(t, r, 401, "invalid_token", "the client token was issued to another client")

	personal, err := srv.Livedigital().CreatePersonalToken(seedUser)
	if err != nil {
		t.Fatal(err)
	}
	r = call(t, "POST", tokenURL(srv), passwordBody(seedUser, seedPassword), withBearer(personal.Token))
	checkOAuthError(t, r, 401, "invalid_token", "the client token is invalid")

	// A user token dies with the password it was issued under (sgn), and
	// with its expiry.
	if err := srv.Livedigital().SetPassword(seedUser, "654321"); err != nil {
		t.Fatal(err)
	}
	r = call(t, "POST", tokenURL(srv), passwordBody(seedUser, "654321"), withBearer(user.AccessToken))
	checkOAuthError(t, r, 401, "invalid_token", "the user token is no longer valid")
	fresh := mustPair(t, call(t, "POST", tokenURL(srv), passwordBody(seedUser, "654321"), withBearer(clientPair(t, srv).AccessToken)))
	srv.Clock().Advance(604800 * time.Second)
	r = call(t, "POST", tokenURL(srv), passwordBody(seedUser, "654321"), withBearer(fresh.AccessToken))
	checkOAuthError(t, r, 401, "invalid_token", "the client token has expired")
}
