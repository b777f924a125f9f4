package livedigital_test

import (
	"net/http"
	"strings"
	"testing"
)

// TestTokenBadInput: each malformed request gets a 4xx in the OAuth shape
// with a clear description, and the server keeps serving.
func TestTokenBadInput(t *testing.T) {
	srv := start(t)
	client := clientPair(t, srv)
	noneToken := "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0." + decodeSegment(client.AccessToken, 1) + "."
	deep := `{"a":` + strings.Repeat("[", 100) + strings.Repeat("]", 100) + `}`
	huge := `{"grant_type":"` + strings.Repeat("x", 70000) + `"}`
	form := map[string]string{"Content-Type": "application/x-www-form-urlencoded"}
	plain := map[string]string{"Content-Type": "text/plain"}
	cases := []struct {
		name, method, body string
		hdr                map[string]string
		status             int
		code, descr        string
	}{
		{"truncated JSON", "POST", `{"grant_type":"client_cre`, jsonCT, 400, "invalid_request", "the body is not valid JSON"},
		{"trailing garbage", "POST", `{"grant_type":"client_credentials"} x`, jsonCT, 400, "invalid_request", "the body is not valid JSON"},
		{"array", "POST", `[{"grant_type":"client_credentials"}]`, jsonCT, 400, "invalid_request", "the body must be a JSON object"},
		{"string", "POST", `"client_credentials"`, jsonCT, 400, "invalid_request", "the body must be a JSON object"},
		{"null", "POST", `null`, jsonCT, 400, "invalid_request", "the body must be a JSON object"},
		{"number", "POST", `42`, jsonCT, 400, "invalid_request", "the body must be a JSON object"},
		{"empty body", "POST", ``, jsonCT, 400, "invalid_request", "the body must be a JSON object"},
		{"grant_type number", "POST", `{"grant_type":1}`, jsonCT, 400, "invalid_request", "grant_type must be a string"},
		{"client_id object", "POST", `{"grant_type":"client_credentials","client_id":{"a":1},"client_secret":"x"}`, jsonCT, 400, "invalid_request", "client_id must be a string"},
		{"password array", "POST", `{"grant_type":"password","password":["123456"]}`, jsonCT, 400, "invalid_request", "password must be a string"},
		{"deeply nested", "POST", deep, jsonCT, 400, "invalid_request", "the JSON body is nested too deeply"},
		{"very deeply nested", "POST", strings.Repeat("{\"a\":", 10000), jsonCT, 400, "invalid_request", "the JSON body is nested too deeply"},
		{"over the size cap", "POST", huge, jsonCT, 413, "invalid_request", "request body too large"},
		{"form body", "POST", "grant_type=client_credentials&client_id=" + seedClientID + "&client_secret=" + seedClientSecret, form, 400, "invalid_request", "Content-Type must be application/json"},
		{"text/plain", "POST", clientCredentialsBody(seedClientID, seedClientSecret), plain, 400, "invalid_request", "Content-Type must be application/json"},
		{"no content type", "POST", clientCredentialsBody(seedClientID, seedClientSecret), nil, 400, "invalid_request", "Content-Type must be application/json"},
		{"invalid UTF-8", "POST", "{\"grant_type\":\"\xff\xfe\"}", jsonCT, 400, "unsupported_grant_type", ""},
		{"GET", "GET", "", nil, 400, "invalid_request", "the token endpoint accepts POST only"},
		{"alg none bearer", "POST", passwordBody(seedUser, seedPassword), withBearer(noneToken), 401, "invalid_token", "the client token is invalid"},
		{"garbage bearer", "POST", passwordBody(seedUser, seedPassword), withBearer("eyJ.eyJ.eyJ"), 401, "invalid_token", "the client token is invalid"},
		{"huge bearer", "POST", passwordBody(seedUser, seedPassword), withBearer(strings.Repeat("a.", 4000)), 401, "invalid_token", "the client token is invalid"},
		{"empty bearer", "POST", passwordBody(seedUser, seedPassword), map[string]string{"Content-Type": "application/json", "Authorization": "Bearer "}, 401, "invalid_token", "a client token is required in Authorization: Bearer"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			checkOAuthError(t, call(t, c.method, tokenURL(srv), c.body, c.hdr), c.status, c.code, c.descr)
		})
	}
	clientPair(t, srv) // still serving
}

// TestCabinetBadInput: the control API answers bad input with a JSON 4xx
// and keeps serving.
func TestCabinetBadInput(t *testing.T) {
	srv := start(t)
	cases := []struct {
		name, method, path, body string
		hdr                      map[string]string
		status                   int
		code                     string
	}{
		{"unknown user", "GET", "/_fakeidp/livedigital/users/nobody@test.test", "", nil, 404, "not_found"},
		{"unknown user create", "POST", "/_fakeidp/livedigital/users/nobody@test.test/personal-tokens", "", jsonCT, 404, "not_found"},
		{"unknown client", "POST", "/_fakeidp/livedigital/users/" + seedUser + "/clients/nope/secret", "", jsonCT, 404, "not_found"},
		{"unknown token", "DELETE", "/_fakeidp/livedigital/users/" + seedUser + "/personal-tokens/nope", "", nil, 404, "not_found"},
		{"wrong method", "PATCH", "/_fakeidp/livedigital/users/" + seedUser + "/personal-tokens", "", jsonCT, 405, "method_not_allowed"},
		{"create with garbage JSON", "POST", "/_fakeidp/livedigital/users/" + seedUser + "/personal-tokens", "{nope", jsonCT, 400, "invalid_request"},
		{"create with text/plain", "POST", "/_fakeidp/livedigital/users/" + seedUser + "/personal-tokens", "hello", map[string]string{"Content-Type": "text/plain"}, 415, ""},
		{"create over the cap", "POST", "/_fakeidp/livedigital/users/" + seedUser + "/clients", `{"a":"` + strings.Repeat("x", 1<<20) + `"}`, jsonCT, 413, "invalid_request"},
		{"password null", "PUT", "/_fakeidp/livedigital/users/" + seedUser + "/password", "null", jsonCT, 400, "invalid_request"},
		{"password number", "PUT", "/_fakeidp/livedigital/users/" + seedUser + "/password", `{"password":123456}`, jsonCT, 400, "invalid_request"},
		{"password empty", "PUT", "/_fakeidp/livedigital/users/" + seedUser + "/password", `{"password":""}`, jsonCT, 400, "invalid_request"},
		{"password nested", "PUT", "/_fakeidp/livedigital/users/" + seedUser + "/password", strings.Repeat("[", 5000), jsonCT, 400, "invalid_request"},
		{"password form", "PUT", "/_fakeidp/livedigital/users/" + seedUser + "/password", "password=x", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 415, ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := call(t, c.method, srv.URL()+c.path, c.body, c.hdr)
			if r.Status != c.status {
				t.Errorf("status %d, want %d: %s", r.Status, c.status, r.Body)
			}
			body := r.Object(t)
			if c.code == "" {
				// Refused by the control API's guard, in its format.
				if msg, _ := body["error"].(string); !strings.Contains(msg, "application/json") {
					t.Errorf("body %s, want an error naming application/json", r.Body)
				}
				return
			}
			if body["error"] != c.code || body["message"] == nil {
				t.Errorf("body %s, want error %q with a message", r.Body, c.code)
			}
		})
	}
	if cab, err := srv.Livedigital().Cabinet(seedUser); err != nil || len(cab.PersonalTokens) != 0 || len(cab.Clients) != 1 {
		t.Errorf("bad requests changed the cabinet: %+v %v", cab, err)
	}
	userPair(t, srv) // the password is unchanged and the server still serves
}

// TestSpacesBadMethod: only GET lists spaces.
func TestSpacesBadMethod(t *testing.T) {
	srv := start(t)
	r := call(t, "POST", spacesURL(srv), "{}", jsonCT)
	if r.Status != http.StatusNotFound || r.Object(t)["code"] != "404" {
		t.Errorf("POST /v1/spaces/: %d %s", r.Status, r.Body)
	}
}
