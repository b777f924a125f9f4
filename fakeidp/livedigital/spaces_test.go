package livedigital_test

import (
	"encoding/base64"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/config"
)

// TestSpaces is who may list spaces (checklist 31, 32).
func TestSpaces(t *testing.T) {
	srv := start(t)
	client, user := clientPair(t, srv), userPair(t, srv)
	personal, err := srv.Livedigital().CreatePersonalToken(seedUser)
	if err != nil {
		t.Fatal(err)
	}
	deleted, _ := srv.Livedigital().CreatePersonalToken(seedUser)
	if err := srv.Livedigital().DeletePersonalToken(seedUser, deleted.ID); err != nil {
		t.Fatal(err)
	}
	noneHeader := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	claims := decodeSegment(user.AccessToken, 1)
	cases := []struct {
		name, auth string
		status     int
		message    string
	}{
		{"user token", "Bearer " + user.AccessToken, 200, ""},
		{"personal token", "Bearer " + personal.Token, 200, ""},
		{"client token", "Bearer " + client.AccessToken, 403, "Forbidden: this method needs a user token"},
		{"user refresh token", "Bearer " + user.RefreshToken, 401, "Invalid token"},
		{"missing", "", 401, "Unauthorized"},
		{"not bearer", "Basic " + user.AccessToken, 401, "Unauthorized"},
		{"garbage", "Bearer garbage", 401, "Invalid token"},
		{"garbage with dots", "Bearer a.b.c", 401, "Invalid token"},
		{"deleted personal token", "Bearer " + deleted.Token, 401, "Invalid token"},
		{"alg none", "Bearer " + noneHeader + "." + claims + ".", 401, "Invalid token"},
		{"tampered signature", "Bearer " + user.AccessToken[:len(user.AccessToken)-2] + "AA", 401, "Invalid token"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			hdr := map[string]string{}
			if c.auth != "" {
				hdr["Authorization"] = c.auth
			}
			r := call(t, "GET", spacesURL(srv), "", hdr)
			if r.Status != c.status {
				t.Fatalf("status %d, want %d: %s", r.Status, c.status, r.Body)
			}
			body := r.Object(t)
			if c.status == 200 {
				items, ok := body["items"].([]any)
				if !ok || len(items) != 0 || len(body) != 1 {
					t.Errorf("body %s, want {\"items\":[]}", r.Body)
				}
				return
			}
			if body["message"] != c.message || body["code"] != strconv.Itoa(c.status) || len(body) != 2 {
				t.Errorf("body %s, want message %q code %d", r.Body, c.message, c.status)
			}
		})
	}
}

// decodeSegment is one dot-separated segment of a compact JWT.
func decodeSegment(jwt string, i int) string { return strings.Split(jwt, ".")[i] }

// TestPasswordChangeRevokesUserTokens: sgn follows the password, so user
// tokens from before a change are refused; personal tokens are not.
func TestPasswordChangeRevokesUserTokens(t *testing.T) {
	srv := start(t)
	user := userPair(t, srv)
	personal, _ := srv.Livedigital().CreatePersonalToken(seedUser)
	oldSgn := decode(t, user.AccessToken).Claims["sgn"]
	if err := srv.Livedigital().SetPassword(seedUser, "654321"); err != nil {
		t.Fatal(err)
	}
	if r := call(t, "GET", spacesURL(srv), "", withBearer(user.AccessToken)); r.Status != 401 {
		t.Errorf("old user token after password change: %d, want 401", r.Status)
	}
	refresh := `{"grant_type":"refresh_token","refresh_token":"` + user.RefreshToken + `"}`
	checkOAuthError(t, call(t, "POST", tokenURL(srv), refresh, jsonCT), 400, "invalid_grant", "")
	if r := call(t, "GET", spacesURL(srv), "", withBearer(personal.Token)); r.Status != 200 {
		t.Errorf("personal token after password change: %d, want 200", r.Status)
	}
	client := clientPair(t, srv)
	checkOAuthError(t, call(t, "POST", tokenURL(srv), passwordBody(seedUser, seedPassword), withBearer(client.AccessToken)), 400, "invalid_grant", "Invalid credentials")
	fresh := mustPair(t, call(t, "POST", tokenURL(srv), passwordBody(seedUser, "654321"), withBearer(client.AccessToken)))
	if s := decode(t, fresh.AccessToken).Claims["sgn"]; s == oldSgn {
		t.Errorf("sgn %v did not change with the password", s)
	}
	if r := call(t, "GET", spacesURL(srv), "", withBearer(fresh.AccessToken)); r.Status != 200 {
		t.Errorf("new user token: %d", r.Status)
	}
}

// TestPersonalTokenNeverExpires moves the clock ten years on.
func TestPersonalTokenNeverExpires(t *testing.T) {
	srv := start(t)
	personal, _ := srv.Livedigital().CreatePersonalToken(seedUser)
	user := userPair(t, srv)
	srv.Clock().Advance(10 * 365 * 24 * time.Hour)
	if r := call(t, "GET", spacesURL(srv), "", withBearer(personal.Token)); r.Status != http.StatusOK {
		t.Errorf("personal token after ten years: %d %s", r.Status, r.Body)
	}
	if r := call(t, "GET", spacesURL(srv), "", withBearer(user.AccessToken)); r.Status != http.StatusUnauthorized {
		t.Errorf("user token after ten years: %d, want 401", r.Status)
	}
}

// TestSpacesFromFixtures: a user's spaces are returned as the fixtures hold
// them.
func TestSpacesFromFixtures(t *testing.T) {
	def, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	cfg := *def // a shallow copy: the default is shared and read-only
	cfg.Livedigital.Users = slices.Clone(def.Livedigital.Users)
	cfg.Livedigital.Users[0].Spaces = []map[string]any{{"id": "612dbb98b2f9d4a99f18f553", "name": "Demo space"}}
	srv := fakeidp.StartTest(t, fakeidp.Options{Config: &cfg, Now: func() time.Time { return fixed }})
	personal, err := srv.Livedigital().CreatePersonalToken(seedUser)
	if err != nil {
		t.Fatal(err)
	}
	for _, token := range []string{userPair(t, srv).AccessToken, personal.Token} {
		r := call(t, "GET", spacesURL(srv), "", withBearer(token))
		if got := compact(t, r.Body); r.Status != 200 || got != `{"items":[{"id":"612dbb98b2f9d4a99f18f553","name":"Demo space"}]}` {
			t.Errorf("spaces: %d %s", r.Status, got)
		}
	}
	if len(def.Livedigital.Users[0].Spaces) != 0 {
		t.Error("the test changed the shared default fixtures")
	}
}
