package config

import (
	"errors"
	"strings"
	"testing"
)

func TestDefaultFixturesAreValid(t *testing.T) {
	c, err := Default()
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Kontur.Clients) == 0 || len(c.Doktornarabote.Clients) == 0 || len(c.Livedigital.Clients) == 0 || len(c.Presets) < 10 {
		t.Errorf("default fixtures look empty: %+v", c.Server)
	}
	if c.Kontur.CodeLifetime.Seconds() != 300 || c.Doktornarabote.AccessTokenLifetime.Seconds() != 1209599 ||
		c.Livedigital.AccessTokenLifetime.Seconds() != 604800 || c.Livedigital.RefreshTokenLifetime.Seconds() != 1814400 {
		t.Error("documented lifetimes are not the defaults")
	}
}

func TestUnknownFieldIsRejected(t *testing.T) {
	_, err := Parse([]byte("kontur:\n  clients:\n    - id: a\n      secret: b\n      grant_typo: [password]\n"))
	if err == nil || !strings.Contains(err.Error(), "grant_typo") {
		t.Fatalf("want an error naming grant_typo, got %v", err)
	}
}

// Every problem is reported at once, each naming its field.
func TestEveryProblemAtOnce(t *testing.T) {
	yaml := `
server: {max_body_bytes: 10, public_names: [ok-name, "http://fakeidp:8080"]}
sites: {nowhere: {public_url: "ftp://x/"}}
kontur:
  scopes: [openid, "bad scope"]
  clients:
    - {id: c, secret: "", grant_types: [magic], scopes: [medi_api], access_token_format: pem}
    - {id: c, secret: s, grant_types: [authorization_code], post_logout_redirect_uris: ["relative/path"]}
  users: [{username: u, password: "", subject: ""}]
doktornarabote:
  clients: [{id: NOTHEX}]
  phones: [{code: "x", number: "12", validation_code: "12345"}]
livedigital:
  hs256_secret: short
  users: [{email: e@x, password: p, object_id: nope}]
  clients: [{id: l, secret: s, object_id: 62a09fc702f86ce37a9386f1, owner: ghost@x}]
presets: [{name: ""}]
`
	_, err := Parse([]byte(yaml))
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want a ValidationError, got %v", err)
	}
	want := []string{
		"server.max_body_bytes", "server.public_names[1]", "sites.nowhere", "sites.nowhere.public_url", "kontur.scopes[1]",
		"kontur.clients[0].secret", "kontur.clients[0].grant_types[0]", "kontur.clients[0].scopes[0]",
		"kontur.clients[0].access_token_format", "kontur.clients[1].id", "kontur.clients[1].redirect_uris", "kontur.clients[1].post_logout_redirect_uris[0]",
		"kontur.users[0].password", "kontur.users[0].subject", "doktornarabote.clients[0].id",
		"doktornarabote.phones[0].code", "doktornarabote.phones[0].number", "doktornarabote.phones[0].validation_code",
		"livedigital.hs256_secret", "livedigital.users[0].object_id", "livedigital.clients[0].owner", "presets[0].name",
	}
	got := strings.Join(ve.Problems, "\n")
	for _, field := range want {
		if !strings.Contains(got, field+":") {
			t.Errorf("no problem reported for %s; got:\n%s", field, got)
		}
	}
}

func TestBadDuration(t *testing.T) {
	_, err := Parse([]byte("doktornarabote:\n  code_lifetime: soon\n"))
	if err == nil || !strings.Contains(err.Error(), "soon") {
		t.Fatalf("want an error about the duration, got %v", err)
	}
}

// User claims take any JSON type, but not one JSON cannot carry, not a
// string where OpenID Connect wants a boolean, and not a protocol claim.
func TestUserClaims(t *testing.T) {
	yaml := `
kontur:
  users:
    - username: u
      password: p
      subject: s
      claims:
        email_verified: true
        roles: [a, b]
        address: {locality: x}
        age: 42
    - username: v
      password: p
      subject: t
      claims:
        email_verified: "true"
        sub: someone-else
        odd: {1: x}
        huge: .inf
`
	_, err := Parse([]byte(yaml))
	var ve *ValidationError
	if !errors.As(err, &ve) {
		t.Fatalf("want a ValidationError, got %v", err)
	}
	for _, field := range []string{"kontur.users[1].claims.email_verified", "kontur.users[1].claims.sub", "kontur.users[1].claims.odd", "kontur.users[1].claims.huge"} {
		if !strings.Contains(err.Error(), field+":") {
			t.Errorf("no problem reported for %s in %v", field, err)
		}
	}
	if strings.Contains(err.Error(), "kontur.users[0]") {
		t.Errorf("a valid user was refused: %v", err)
	}
}
