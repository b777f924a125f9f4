package fakeidp_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/internal/wiretest"
)

// dnrTokens logs the seed's phone in and returns its access and refresh
// tokens.
func dnrTokens(t *testing.T, srv *fakeidp.Server) (access, refresh string) {
	t.Helper()
	req, _ := http.NewRequest("GET", srv.SiteURL("doktornarabote-api")+"/api/v1/access/validation-code?code=1&number=1111111111", nil)
	if rep := wiretest.Do(t, nil, req); rep.Status != 200 {
		t.Fatalf("validation code: %d %s", rep.Status, rep.Body)
	}
	return dnrToken(t, srv, url.Values{"grant_type": {"password"}, "client_id": {"98483c47f17f4888b0bf695d1165062e"},
		"username": {"11111111111"}, "password": {"7654"}})
}

func dnrToken(t *testing.T, srv *fakeidp.Server, form url.Values) (access, refresh string) {
	t.Helper()
	req, _ := http.NewRequest("POST", srv.SiteURL("doktornarabote-auth")+"/token", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	rep := wiretest.Do(t, nil, req)
	body := rep.Object(t)
	if rep.Status != 200 {
		t.Fatalf("token: %d %s", rep.Status, rep.Body)
	}
	return body["access_token"].(string), body["refresh_token"].(string)
}

func TestDoktornaraboteAPITokenChecks(t *testing.T) {
	t.Parallel()
	for _, host := range []string{"", "testapipartner.doktornarabote.ru"} {
		t.Run("host="+host, func(t *testing.T) {
			t.Parallel()
			srv := startAt(t, apiEpoch)
			if code, body := addStub(t, srv, `{"stubs":[
				{"site":"doktornarabote-api","path":"/api/v1/doctors/{id}","response":{"json":{"id":"${path.id}","phone":"${token.sub}","client":"${token.client_id}"}}},
				{"site":"doktornarabote-api","path":"/api/v1/partner","require":{"token":"client"},"response":{"json":{}}}]}`); code != 201 {
				t.Fatalf("stubs: %d %v", code, body)
			}
			call := func(path, token string) wiretest.Reply {
				return apiCall(t, srv, "doktornarabote-api", host, "GET", path, token)
			}
			denied := func(rep wiretest.Reply) {
				t.Helper()
				body := rep.Object(t)
				if rep.Status != 403 || body["type"] != "oauth" || body["value"] != "access_token" || body["description"] == "" {
					t.Fatalf("want 403 oauth, got %d %s", rep.Status, rep.Body)
				}
				if got := strings.Join(rep.Keys(t), ","); got != "type,value,description" {
					t.Errorf("keys %s", got)
				}
			}
			denied(call("/api/v1/doctors/1", ""))
			denied(call("/api/v1/doctors/1", "garbage"))
			access, refresh := dnrTokens(t, srv)
			rep := call("/api/v1/doctors/d-1", access)
			if rep.Status != 200 || string(rep.Body) != `{"id":"d-1","phone":"11111111111","client":"98483c47f17f4888b0bf695d1165062e"}` {
				t.Fatalf("got %d %s", rep.Status, rep.Body)
			}
			// A user token where the stub wants a client: a valid token
			// without access, the error list's 403 forbidden, in Russian.
			if rep := call("/api/v1/partner", access); rep.Status != 403 ||
				string(rep.Body) != `{"type":"forbidden","value":"access_token","description":"Доступ запрещён"}` {
				t.Errorf("refused by the stub: %d %s", rep.Status, rep.Body)
			}
			if rep := call("/api/v1/unstubbed", access); rep.Status != 404 ||
				string(rep.Body) != `{"type":"not_found","value":"path","description":"Запрашиваемый ресурс не найден"}` {
				t.Errorf("unstubbed: %d %s", rep.Status, rep.Body)
			}
			srv.Clock().Advance(1209599 * time.Second)
			denied(call("/api/v1/doctors/1", access)) // expired: 403, never 401
			access, _ = dnrToken(t, srv, url.Values{"grant_type": {"refresh_token"}, "client_id": {"98483c47f17f4888b0bf695d1165062e"}, "refresh_token": {refresh}})
			if rep := call("/api/v1/doctors/1", access); rep.Status != 200 {
				t.Fatalf("after refresh: %d %s", rep.Status, rep.Body)
			}
			srv.Reset()
			denied(call("/api/v1/doctors/1", access))
		})
	}
}

// livedigitalToken posts a JSON token request, with an optional bearer.
func livedigitalToken(t *testing.T, srv *fakeidp.Server, body, bearer string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", srv.SiteURL("livedigital")+"/v1/auth/token", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	rep := wiretest.Do(t, nil, req)
	if rep.Status != 200 {
		t.Fatalf("token: %d %s", rep.Status, rep.Body)
	}
	return rep.Object(t)["access_token"].(string)
}

const (
	ldClient = `{"client_id":"john-smith-livedigital","client_secret":"VTytkTR7ZHH5nLhoWCLjymrUJjKBzfs4","grant_type":"client_credentials"}`
	ldUser   = `{"client_id":"john-smith-livedigital","client_secret":"VTytkTR7ZHH5nLhoWCLjymrUJjKBzfs4","grant_type":"password","username":"test_user@test.test","password":"123456"}`
)

func TestLivedigitalAPITokenChecks(t *testing.T) {
	t.Parallel()
	for _, host := range []string{"", "moodhood-api.livedigital.space"} {
		t.Run("host="+host, func(t *testing.T) {
			t.Parallel()
			srv := startAt(t, apiEpoch)
			if code, body := addStub(t, srv, `{"site":"livedigital","method":"POST","path":"/v1/spaces/{space}/rooms","require":{"token":"user"},
				"response":{"status":201,"json":{"space":"${path.space}","owner":"${token.sub}","client":"${token.client_id}"}}}`); code != 201 {
				t.Fatalf("stub: %d %v", code, body)
			}
			call := func(method, path, token string) wiretest.Reply {
				return apiCall(t, srv, "livedigital", host, method, path, token)
			}
			refused := func(rep wiretest.Reply, status int) {
				t.Helper()
				body := rep.Object(t)
				if rep.Status != status || body["code"] != strconv.Itoa(status) || body["message"] == "" || len(body) != 2 {
					t.Fatalf("want %d {message,code}, got %d %s", status, rep.Status, rep.Body)
				}
			}
			refused(call("GET", "/v1/rooms", ""), 401)
			refused(call("GET", "/v1/rooms", "garbage"), 401)
			refused(call("GET", "/v1/rooms", "a.b.c"), 401)
			client := livedigitalToken(t, srv, ldClient, "")
			user := livedigitalToken(t, srv, ldUser, client)
			for _, tok := range []string{client, user} {
				if rep := call("GET", "/v1/rooms", tok); rep.Status != 200 || string(rep.Body) != `{"items":[]}` {
					t.Fatalf("rooms: %d %s", rep.Status, rep.Body)
				}
			}
			refused(call("POST", "/v1/spaces/s-1/rooms", client), 403)
			rep := call("POST", "/v1/spaces/s-1/rooms", user)
			if rep.Status != 201 || string(rep.Body) != `{"space":"s-1","owner":"62ab5a84b0ce6ee31b0997b3","client":"john-smith-livedigital"}` {
				t.Fatalf("user: %d %s", rep.Status, rep.Body)
			}
			personal, err := srv.Livedigital().CreatePersonalToken("test_user@test.test")
			if err != nil {
				t.Fatal(err)
			}
			if rep := call("POST", "/v1/spaces/s-1/rooms", personal.Token); rep.Status != 201 || !strings.Contains(string(rep.Body), `"owner":"62ab5a84b0ce6ee31b0997b3","client":""`) {
				t.Fatalf("personal token: %d %s", rep.Status, rep.Body)
			}
			refused(call("GET", "/v1/spaces/", client), 403) // unchanged
			refused(call("GET", "/v1/unstubbed", client), 404)
			// Every other path of the host, with or without a token, gets
			// the dialect's JSON 404, never Go's plain text (issue 19).
			for _, path := range []string{"/", "/v2/spaces", "/v2/", "/unknown", "/V1/rooms", "/v1"} {
				for _, tok := range []string{"", client} {
					rep := call("GET", path, tok)
					if rep.Status != 404 || string(rep.Body) != `{"message":"Not Found","code":"404"}` ||
						!strings.HasPrefix(rep.Header.Get("Content-Type"), "application/json") {
						t.Errorf("GET %s (token %v): %d %q %s", path, tok != "", rep.Status, rep.Header.Get("Content-Type"), rep.Body)
					}
				}
			}
			srv.Clock().Advance(604800 * time.Second)
			refused(call("GET", "/v1/rooms", client), 401)
			if rep := call("POST", "/v1/spaces/s-1/rooms", personal.Token); rep.Status != 201 {
				t.Errorf("a personal token never expires: %d", rep.Status)
			}
		})
	}
}

func TestLivedigitalAPIFaultInItsDialect(t *testing.T) {
	t.Parallel()
	srv := startAt(t, apiEpoch)
	if code, _ := control(t, srv, "POST", "/faults", `{"match":{"site":"livedigital","path":"/v1/rooms"},"effect":{"type":"error","error":"too_many","description":"Too many requests","status":429}}`); code != 201 {
		t.Fatal(code)
	}
	rep := apiCall(t, srv, "livedigital", "", "GET", "/v1/rooms", "")
	if rep.Status != 429 || string(rep.Body) != `{"message":"Too many requests","code":"429"}` {
		t.Fatalf("got %d %s", rep.Status, rep.Body)
	}
}
