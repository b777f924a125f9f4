package config

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/fakeidp/fakeidp/fixtures"
)

func defaults(t *testing.T) *Config {
	t.Helper()
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func overlay(t *testing.T, doc string, mode OverlayMode) *Config {
	t.Helper()
	c, err := Overlay(defaults(t), []byte(doc), mode)
	if err != nil {
		t.Fatalf("overlay refused: %v", err)
	}
	return c
}

// problems overlays doc onto the defaults and returns the problems it has.
func problems(t *testing.T, doc string, mode OverlayMode) string {
	t.Helper()
	_, err := Overlay(defaults(t), []byte(doc), mode)
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want a ValidationError, got %v", err)
	}
	return strings.Join(ve.Problems, "\n")
}

// wantProblems checks that each of want starts a line of got.
func wantProblems(t *testing.T, got string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !slices.ContainsFunc(strings.Split(got, "\n"), func(l string) bool { return strings.HasPrefix(l, w) }) {
			t.Errorf("no problem %q; got:\n%s", w, got)
		}
	}
}

func konturClient(c *Config, id string) *KonturClient {
	for i := range c.Kontur.Clients {
		if c.Kontur.Clients[i].ID == id {
			return &c.Kontur.Clients[i]
		}
	}
	return nil
}

func TestOverlayKonturClients(t *testing.T) {
	c := overlay(t, `
kontur:
  clients:
    - id: yourClientId
      redirect_uris: ["http://localhost:3000/callback"]
    - id: new-client
      secret: s
      grant_types: [client_credentials]
`, OverlayFile)
	if len(c.Kontur.Clients) != 5 {
		t.Fatalf("%d clients, want the 4 defaults and 1 added", len(c.Kontur.Clients))
	}
	yc := konturClient(c, "yourClientId")
	if !slices.Equal(yc.RedirectURIs, []string{"http://localhost:3000/callback"}) {
		t.Errorf("redirect_uris = %v, want the list given", yc.RedirectURIs)
	}
	if yc.Secret != "yourClientSecret" || yc.AccessTokenLifetime.Seconds() != 3600 || len(yc.PostLogoutRedirectURIs) != 1 {
		t.Errorf("fields not given were not kept: %+v", yc)
	}
	nc := konturClient(c, "new-client")
	if nc == nil || nc.AccessTokenFormat != "opaque" || nc.AccessTokenLifetime.Seconds() != 86400 {
		t.Errorf("added client without its defaults: %+v", nc)
	}
}

func TestOverlayKonturUsersAndClaims(t *testing.T) {
	c := overlay(t, `
kontur:
  users:
    - username: user@login.ru
      claims: {given_name: Пётр, roles: [admin], email: null}
    - {username: second@login.ru, password: p2, subject: sub-2, claims: {name: Second}}
`, OverlayFile)
	if len(c.Kontur.Users) != 2 {
		t.Fatalf("%d users, want 2", len(c.Kontur.Users))
	}
	u := c.Kontur.Users[0]
	if u.Password != "password" || u.Claims["given_name"] != "Пётр" || u.Claims["family_name"] != "Петров" ||
		!reflect.DeepEqual(u.Claims["roles"], []any{"admin"}) || u.Claims["email_verified"] != true {
		t.Errorf("claims not merged (given replaced, others kept): %+v", u)
	}
	if _, ok := u.Claims["email"]; ok {
		t.Errorf("email: null did not remove the claim: %v", u.Claims)
	}
	if v := c.Kontur.Users[1]; v.Username != "second@login.ru" || v.Subject != "sub-2" || v.Claims["name"] != "Second" {
		t.Errorf("added user: %+v", v)
	}
}

func TestOverlayDoktornarabote(t *testing.T) {
	c := overlay(t, `
doktornarabote:
  code_attempts: 5
  phones:
    - {code: "1", number: "1111111111", validation_code: "1234"}
    - {code: "7", number: "9990001122", validation_code: "0000"}
  clients:
    - id: 0123456789abcdef0123456789abcdef
      access_token_format: jwt
`, OverlayFile)
	d := c.Doktornarabote
	if len(d.Phones) != 2 || d.Phones[0].ValidationCode != "1234" || d.Phones[1].Number != "9990001122" {
		t.Errorf("phones not merged by code and number: %+v", d.Phones)
	}
	if len(d.Clients) != 2 || d.Clients[0].AccessTokenFormat != "opaque" || d.Clients[1].AccessTokenFormat != "jwt" {
		t.Errorf("clients: %+v", d.Clients)
	}
	if d.CodeAttempts != 5 || d.ResendInterval.Seconds() != 45 {
		t.Errorf("a scalar given replaces, others stay: %+v", d)
	}
}

func TestOverlayLivedigitalSitesPresets(t *testing.T) {
	c := overlay(t, `{
	"livedigital": {
		"access_token_lifetime": "1h",
		"users": [{"email": "test_user@test.test", "password": "changed"}],
		"clients": [{"id": "second", "secret": "x", "object_id": "62a09fc702f86ce37a9386f2", "owner": "test_user@test.test"}]
	},
	"sites": {"kontur": {"public_url": "https://identity.example"}},
	"presets": [{"name": "connection-reset", "description": "changed"}, {"name": "mine", "actions": ["rotate_keys"]}]
}`, OverlayFile)
	l := c.Livedigital
	if l.AccessTokenLifetime.D().Hours() != 1 || len(l.Users) != 1 || l.Users[0].Password != "changed" || l.Users[0].ObjectID != "62ab5a84b0ce6ee31b0997b3" {
		t.Errorf("livedigital users: %+v", l)
	}
	if len(l.Clients) != 2 || l.Clients[0].Secret != "VTytkTR7ZHH5nLhoWCLjymrUJjKBzfs4" || l.Clients[1].ID != "second" {
		t.Errorf("livedigital clients: %+v", l.Clients)
	}
	if c.Sites["kontur"].PublicURL != "https://identity.example" {
		t.Errorf("sites: %+v", c.Sites)
	}
	base := defaults(t)
	if len(c.Presets) != len(base.Presets)+1 {
		t.Fatalf("%d presets, want %d", len(c.Presets), len(base.Presets)+1)
	}
	last := base.Presets[len(base.Presets)-1]
	if got := c.Presets[len(base.Presets)-1]; got.Name != last.Name || got.Description != "changed" || len(got.Rules) != len(last.Rules) {
		t.Errorf("preset not merged by name: %+v", got)
	}
}

// Stubs are appended, but for one with the id of a base stub, which
// replaces it.
func TestOverlayStubs(t *testing.T) {
	base := overlay(t, `stubs: [{id: a, path: /a}, {path: /b}]`, OverlayFile)
	c, err := Overlay(base, []byte(`stubs: [{path: /c}, {id: a, path: /a2}, {id: d, path: /d}]`), OverlayFile)
	if err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, n := range c.Stubs {
		var s struct{ Path string }
		if err := n.Decode(&s); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, s.Path)
	}
	if got := strings.Join(paths, " "); got != "/a2 /b /c /d" {
		t.Errorf("stubs: %s, want /a2 /b /c /d", got)
	}
}

// JSON is read as JSON, with what YAML's parser refuses: escaped slashes
// and surrogate pairs. Its problems name paths and lines too.
func TestOverlayJSON(t *testing.T) {
	c := overlay(t, `{"kontur": {"users": [{"username": "u\/1", "password": "\ud83d\ude00", "subject": "s",
		"claims": {"n": 1e3, "i": 42, "nested": {"a": [true, null]}}}]}}`, OverlaySandbox)
	u := c.Kontur.Users[1]
	if u.Username != "u/1" || u.Password != "\U0001F600" || u.Claims["i"] != 42 || u.Claims["n"] != 1000.0 ||
		!reflect.DeepEqual(u.Claims["nested"], map[string]any{"a": []any{true, nil}}) {
		t.Errorf("JSON user: %#v", u)
	}
	got := problems(t, "{\n \"kontur\": {\"clients\": [\n  {\"id\": 7, \"secrets\": \"x\"}]},\n \"kontur\": {}\n}", OverlayFile)
	wantProblems(t, got, `kontur.clients[0].secrets: unknown field; known: id, secret, grant_types`,
		`kontur: given twice (also on line 2) (line 4)`)
	if !strings.Contains(got, "(line 3)") {
		t.Errorf("no line for the unknown field:\n%s", got)
	}
}

// A YAML merge key (<<: *anchor) brings in the anchor's fields; the ones
// given explicitly win.
func TestOverlayYAMLMergeKey(t *testing.T) {
	c := overlay(t, `
kontur:
  clients:
    - &spa {id: spa-1, secret: s, grant_types: [authorization_code], redirect_uris: ["http://127.0.0.1/a"]}
    - {<<: *spa, id: spa-2}
`, OverlayFile)
	if a, b := konturClient(c, "spa-1"), konturClient(c, "spa-2"); a == nil || b == nil || b.Secret != "s" {
		t.Errorf("merge key: %+v %+v", a, b)
	}
}

// An overlay never changes its base, also when many overlays of one base
// run at once (go test -race watches for writes).
func TestOverlayLeavesBaseUnchanged(t *testing.T) {
	base := defaults(t)
	before := base.Clone()
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			doc := fmt.Sprintf(`
kontur:
  clients: [{id: yourClientId, redirect_uris: ["http://x/%d"]}]
  users: [{username: user@login.ru, claims: {name: n%d}}]
doktornarabote: {phones: [{code: "1", number: "1111111111", validation_code: "0000"}]}
livedigital: {users: [{email: test_user@test.test, spaces: [{id: %d}]}]}
sites: {kontur: {public_url: "http://k%d"}}
presets: [{name: connection-reset, rules: []}]
`, i, i, i, i)
			if _, err := Overlay(base, []byte(doc), OverlayFile); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	if !reflect.DeepEqual(base, before) {
		t.Error("the base changed")
	}
	if !reflect.DeepEqual(overlay(t, "", OverlayFile), base) || !reflect.DeepEqual(overlay(t, "# nothing\n", OverlaySandbox), base) {
		t.Error("an empty overlay is not the base")
	}
}

func TestOverlayErrorsNameEachPath(t *testing.T) {
	got := problems(t, `
server: {max_tokens: many}
kontur:
  code_lifetime: soon
  clients:
    - id: c1
      secret: s
      grant_typo: [password]
      grant_types: [client_credentials]
      require_pkce: maybe
    - id: c2
      secret: s
      grant_types: authorization_code
      redirect_uris: [{url: x}]
    - {id: c1, secret: t, grant_types: [password]}
  users:
    - {username: a, password: p, subject: s}
    - {username: a, password: q, subject: t}
doktornarabote:
  phones: [{code: "1", number: "1111111111"}, {code: "1", number: "1111111111", validation_code: "12"}]
livedigital:
  clients: [{id: l, secret: ""}]
  refresh_token_lifetime: 10
`, OverlayFile)
	wantProblems(t, got,
		`server.max_tokens: want a whole number, got "many" (line 2)`,
		`kontur.code_lifetime: "soon" is not a duration such as "5m" or "45s" (line 4)`,
		`kontur.clients[0].grant_typo: unknown field; known: id, secret, grant_types`,
		`kontur.clients[0].require_pkce: want a boolean (true or false), got "maybe" (line 10)`,
		`kontur.clients[1].grant_types: want a list, got "authorization_code" (line 13)`,
		`kontur.clients[1].redirect_uris[0]: want a string, got a mapping (line 14)`,
		`kontur.clients[2].id: duplicate id "c1" (also at kontur.clients[0])`,
		`kontur.users[1].username: duplicate username "a" (also at kontur.users[0])`,
		`doktornarabote.phones[1].code: duplicate code "1" number "1111111111" (also at doktornarabote.phones[0])`,
		`doktornarabote.phones[1].validation_code: must be 4 digits, got "12" (line 20)`,
		`livedigital.clients[0].secret: is empty (line 22)`,
		`livedigital.clients[0].object_id: must be 24 lowercase hex digits`,
		`livedigital.refresh_token_lifetime: "10" is not a duration`,
	)
	if strings.Count(got, "kontur.clients[2].id") != 1 {
		t.Errorf("the duplicate id is reported more than once:\n%s", got)
	}
}

// A problem Validate finds in an entry added by the overlay names the
// overlay's path; one in a base entry says which entry it is.
func TestOverlayValidationNamesOverlayPaths(t *testing.T) {
	got := problems(t, `
kontur:
  scopes: [openid, profile, email, offline_access, extern.api]
  clients:
    - {id: new, secret: s, grant_types: [magic]}
`, OverlayFile)
	wantProblems(t, got,
		`kontur.clients[0].grant_types[0]: unknown grant "magic"`,
		`kontur.clients[0].scopes[0]: scope "medi_api" is not in kontur.scopes (base entry with id "medi_test_client")`,
	)
}

func TestOverlayWrongShapes(t *testing.T) {
	wantProblems(t, problems(t, "[1, 2]", OverlayFile), `(document): want a mapping, got a list (line 1)`)
	wantProblems(t, problems(t, "kontur: [", OverlayFile), `(document): line 1: did not find expected node content`)
	wantProblems(t, problems(t, "kontur: {scopes: [a]}\nkontur: {}\n", OverlayFile), `kontur: given twice (also on line 1) (line 2)`)
	wantProblems(t, problems(t, "kontur:\n  clients: [plain]\n", OverlayFile), `kontur.clients[0]: want a mapping, got "plain" (line 2)`)
}

func TestOverlaySandboxRefusesKeysAndLimits(t *testing.T) {
	doc := `
server: {max_tokens: 500, journal_size: 10}
keys: [{pem: x}]
spare_keys: []
livedigital: {hs256_secret: 0123456789abcdef0123456789abcdef}
kontur: {auto_login: user@login.ru}
sites: {kontur: {public_url: "http://elsewhere"}, livedigital: null}
tls: {cert_file: /etc/passwd}
`
	wantProblems(t, problems(t, doc, OverlaySandbox),
		"server.max_tokens: a sandbox may not change server limits (line 2)",
		"server.journal_size: a sandbox may not change server limits",
		"keys: a sandbox may not change signing keys (line 3)",
		"spare_keys: a sandbox may not change signing keys",
		"livedigital.hs256_secret: a sandbox may not change signing keys",
		"sites.kontur: a sandbox's sites live under its own URL",
		"sites.livedigital: a sandbox's sites live under its own URL",
		"tls: a sandbox may not change TLS settings",
	)
	ok := overlay(t, strings.NewReplacer("keys: [{pem: x}]", "", "tls: {cert_file: /etc/passwd}", "").Replace(doc), OverlayFile)
	if ok.Server.MaxTokens != 500 || len(ok.SpareKeys) != 0 || ok.Kontur.AutoLogin != "user@login.ru" {
		t.Errorf("--config may change limits and keys: %+v", ok.Server)
	}
	if sb := overlay(t, "server: {}\nkontur: {auto_login: user@login.ru}\n", OverlaySandbox); sb.Kontur.AutoLogin != "user@login.ru" {
		t.Error("a sandbox overlay of other fields was not applied")
	}
}

func TestOverlayTooLarge(t *testing.T) {
	doc := "kontur:\n  scopes:\n" + strings.Repeat("    - openid\n", 10<<20/13)
	_, err := Overlay(defaults(t), []byte(doc), OverlaySandbox)
	if err == nil || !strings.Contains(err.Error(), "too large; a fixtures document may have at most 1048576 bytes") {
		t.Fatalf("a %d-byte overlay: %v", len(doc), err)
	}
}

// Aliases cannot multiply a small document into a huge one.
func TestOverlayAliasBomb(t *testing.T) {
	doc := "u: &u [" + strings.Repeat(`"http://x/", `, 2000) + "]\nkontur:\n  clients:\n"
	for i := range 1000 {
		doc += fmt.Sprintf("    - {id: c%d, redirect_uris: *u}\n", i)
	}
	_, err := Overlay(defaults(t), []byte(doc), OverlayFile)
	if err == nil || !strings.Contains(err.Error(), "expands to too many values") {
		t.Fatalf("want the expansion refused, got %.300v", err)
	}
}

// The cost of a sandbox's overlay: parse, copy the base, merge, validate.
func BenchmarkOverlaySmall(b *testing.B) {
	base, _ := Default()
	doc := []byte("kontur:\n  clients:\n    - id: yourClientId\n      redirect_uris: [\"http://127.0.0.1:3000/cb\"]\n  users: [{username: u2, password: p, subject: s2}]\n")
	for b.Loop() {
		if _, err := Overlay(base, doc, OverlaySandbox); err != nil {
			b.Fatal(err)
		}
	}
}

// Parse walks the default fixtures node by node; yaml's own decoder into
// the struct (what Parse did before, without paths in its errors) is the
// baseline to compare with, in the same run.
func BenchmarkParseDefaults(b *testing.B) {
	b.Run("walk", func(b *testing.B) {
		for b.Loop() {
			if _, err := Parse(fixtures.DefaultYAML); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("yaml.Decode", func(b *testing.B) {
		for b.Loop() {
			var c Config
			if err := yaml.Unmarshal(fixtures.DefaultYAML, &c); err != nil {
				b.Fatal(err)
			}
			c.Defaults()
			if err := c.Validate(); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// The largest document accepted: about 10,000 clients.
func BenchmarkOverlayLarge(b *testing.B) {
	base, _ := Default()
	var sb strings.Builder
	sb.WriteString("kontur:\n  clients:\n")
	for i := 0; sb.Len() < MaxDocumentBytes-200; i++ {
		fmt.Fprintf(&sb, "    - {id: c%d, secret: s, grant_types: [authorization_code], redirect_uris: [\"http://127.0.0.1/%d\"]}\n", i, i)
	}
	doc := []byte(sb.String())
	b.Logf("%d bytes", len(doc))
	for b.Loop() {
		if _, err := Overlay(base, doc, OverlayFile); err != nil {
			b.Fatal(err)
		}
	}
}
