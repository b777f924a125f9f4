package livedigital_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp/livedigital"
)

// TestCabinetPersonalTokenLifeCycle drives the cabinet API over HTTP:
// create, use, list, delete, refused (checklist 32).
func TestCabinetPersonalTokenLifeCycle(t *testing.T) {
	srv := start(t)
	r := call(t, "POST", cabinetURL(srv, "/personal-tokens"), "", jsonCT)
	if r.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	var created struct{ ID, Token, CreatedAt string }
	if err := json.Unmarshal(r.Body, &created); err != nil || created.Token == "" || !objectIDRe.MatchString(created.ID) {
		t.Fatalf("create body %s (%v)", r.Body, err)
	}
	if created.CreatedAt != "2022-06-21T10:00:00.000Z" {
		t.Errorf("createdAt %q, want the server clock's time", created.CreatedAt)
	}
	if r := call(t, "GET", spacesURL(srv), "", withBearer(created.Token)); r.Status != 200 {
		t.Fatalf("use: %d %s", r.Status, r.Body)
	}
	list := call(t, "GET", cabinetURL(srv, "/personal-tokens"), "", nil)
	want := `{"items":[{"id":"` + created.ID + `","createdAt":"` + created.CreatedAt + `"}]}`
	if compact(t, list.Body) != want {
		t.Errorf("list %s, want %s", list.Body, want)
	}
	if cab := call(t, "GET", cabinetURL(srv, ""), "", nil); strings.Contains(string(cab.Body), created.Token) {
		t.Error("the cabinet shows the personal token's value after creation")
	}
	if r := call(t, "DELETE", cabinetURL(srv, "/personal-tokens/"+created.ID), "", nil); r.Status != http.StatusNoContent {
		t.Fatalf("delete: %d %s", r.Status, r.Body)
	}
	if r := call(t, "GET", spacesURL(srv), "", withBearer(created.Token)); r.Status != 401 {
		t.Errorf("deleted token: %d, want 401", r.Status)
	}
	if r := call(t, "DELETE", cabinetURL(srv, "/personal-tokens/"+created.ID), "", nil); r.Status != http.StatusNotFound {
		t.Errorf("second delete: %d, want 404", r.Status)
	}
	if got := compact(t, call(t, "GET", cabinetURL(srv, "/personal-tokens"), "", nil).Body); got != `{"items":[]}` {
		t.Errorf("list after delete %s", got)
	}
}

func compact(t *testing.T, b []byte) string {
	t.Helper()
	var out bytes.Buffer
	if err := json.Compact(&out, b); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return out.String()
}

// TestCabinetSecretRegeneration: the old secret stops working (checklist
// 33), tokens issued before stay valid.
func TestCabinetSecretRegeneration(t *testing.T) {
	srv := start(t)
	before := clientPair(t, srv)
	r := call(t, "POST", cabinetURL(srv, "/clients/"+seedClientID+"/secret"), "{}", jsonCT)
	var c struct{ ClientID, ClientSecret, ObjectID string }
	if err := json.Unmarshal(r.Body, &c); r.Status != 200 || err != nil {
		t.Fatalf("regenerate: %d %s", r.Status, r.Body)
	}
	if c.ClientID != seedClientID || c.ObjectID != seedClientOID || len(c.ClientSecret) != 32 || c.ClientSecret == seedClientSecret {
		t.Errorf("regenerated client %+v", c)
	}
	old := call(t, "POST", tokenURL(srv), clientCredentialsBody(seedClientID, seedClientSecret), jsonCT)
	checkOAuthError(t, old, 400, "invalid_grant", "Invalid credentials")
	mustPair(t, call(t, "POST", tokenURL(srv), clientCredentialsBody(seedClientID, c.ClientSecret), jsonCT))
	body := `{"client_id":"` + seedClientID + `","client_secret":"` + c.ClientSecret + `","grant_type":"password","username":"` + seedUser + `","password":"` + seedPassword + `"}`
	mustPair(t, call(t, "POST", tokenURL(srv), body, withBearer(before.AccessToken)))

	srv.Reset()
	mustPair(t, call(t, "POST", tokenURL(srv), clientCredentialsBody(seedClientID, seedClientSecret), jsonCT))
}

// TestCabinetGenerateClient: a new clientId, bound to the user, that works.
func TestCabinetGenerateClient(t *testing.T) {
	srv := start(t)
	r := call(t, "POST", cabinetURL(srv, "/clients"), "", jsonCT)
	var c livedigital.Client
	if err := json.Unmarshal(r.Body, &c); r.Status != http.StatusCreated || err != nil {
		t.Fatalf("generate: %d %s", r.Status, r.Body)
	}
	if !objectIDRe.MatchString(c.ObjectID) || c.ClientID != c.ObjectID {
		t.Errorf("generated client %+v, want a 24-hex ObjectId as clientId", c)
	}
	p := mustPair(t, call(t, "POST", tokenURL(srv), clientCredentialsBody(c.ClientID, c.ClientSecret), jsonCT))
	if claims := decode(t, p.AccessToken).Claims; claims["cId"] != c.ObjectID || claims["sub"] != c.ObjectID {
		t.Errorf("client token claims %v", claims)
	}
	cab, err := srv.Livedigital().Cabinet(seedUser)
	if err != nil || len(cab.Clients) != 2 {
		t.Errorf("cabinet %+v (%v), want the seed client and the new one", cab, err)
	}
	srv.Reset()
	r = call(t, "POST", tokenURL(srv), clientCredentialsBody(c.ClientID, c.ClientSecret), jsonCT)
	checkOAuthError(t, r, 400, "invalid_grant", "Invalid credentials")
}

// TestCabinetInProcess: the Go API refuses unknown users and ids.
func TestCabinetInProcess(t *testing.T) {
	srv := start(t)
	ld := srv.Livedigital()
	if _, err := ld.CreatePersonalToken("nobody@test.test"); !errors.Is(err, livedigital.ErrNoUser) {
		t.Errorf("unknown user: %v", err)
	}
	if _, err := ld.RegenerateSecret(seedUser, "not-mine"); !errors.Is(err, livedigital.ErrNoClient) {
		t.Errorf("unknown client: %v", err)
	}
	if err := ld.DeletePersonalToken(seedUser, "000000000000000000000000"); !errors.Is(err, livedigital.ErrNoPersonalToken) {
		t.Errorf("unknown token: %v", err)
	}
	if got := ld.Users(); len(got) != 1 || got[0] != seedUser {
		t.Errorf("users %v", got)
	}
}

// TestCabinetPage: the HTML page says it is fakeidp's and escapes values.
func TestCabinetPage(t *testing.T) {
	srv := start(t)
	r := call(t, "GET", srv.URL()+"/_fakeidp/livedigital/", "", nil)
	page := string(r.Body)
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("page: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	for _, want := range []string{"fakeidp", "not livedigital", seedUser, seedClientID} {
		if !strings.Contains(page, want) {
			t.Errorf("page lacks %q", want)
		}
	}
}
