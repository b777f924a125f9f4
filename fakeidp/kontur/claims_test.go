package kontur_test

import (
	"encoding/base64"
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/config"
)

// typedUser is a fixtures user whose claims take every JSON type.
const typedUser = `
- username: typed@login.ru
  password: typed-password
  subject: 0b8f6a52-3c8e-4f4e-9d5e-2a6f1c7e9b30
  claims:
    name: Typed User
    email: typed@login.ru
    email_verified: true
    phone_number_verified: false
    age: 42
    rating: 4.5
    roles: [admin, "7"]
    address: {locality: Екатеринбург, postal_code: "620000"}
`

// startTyped serves the default fixtures plus typedUser, read from YAML
// as a fixtures file is, and a client that puts user claims in id_tokens.
func startTyped(t *testing.T) *fakeidp.Server {
	t.Helper()
	var users []config.KonturUser
	if err := yaml.Unmarshal([]byte(typedUser), &users); err != nil {
		t.Fatal(err)
	}
	return startWith(t, func(cfg *config.Config) {
		cfg.Kontur.Users = append(slices.Clone(cfg.Kontur.Users), users...)
		cfg.Kontur.Scopes = append(slices.Clone(cfg.Kontur.Scopes), "phone")
		cfg.Kontur.Clients = slices.Clone(cfg.Kontur.Clients)
		for i := range cfg.Kontur.Clients {
			if c := &cfg.Kontur.Clients[i]; c.ID == codeID {
				c.AlwaysIncludeUserClaimsInIdToken = true
				c.Scopes = append(slices.Clone(c.Scopes), "phone")
			}
		}
	})
}

// The user's claims keep their JSON types in userinfo and, for a client that
// asks for them, in the id_token: email_verified is the boolean true in both.
func TestTypedClaims(t *testing.T) {
	srv := startTyped(t)
	loc := login(t, srv, codeAuthorize("scope", "openid profile email phone extern.api"), "typed@login.ru", "typed-password", "login")
	rep := exchange(t, srv, loc.Query().Get("code"))
	if rep.Status != 200 {
		t.Fatalf("exchange: %d %s", rep.Status, rep.Body)
	}
	ui := get(t, srv, srv.SiteURL("kontur")+"/connect/userinfo", "Authorization", "Bearer "+rep.JSON["access_token"].(string))
	if ui.Status != 200 {
		t.Fatalf("userinfo: %d %s", ui.Status, ui.Body)
	}
	want := map[string]any{
		"name": "Typed User", "email": "typed@login.ru", "email_verified": true, "phone_number_verified": false,
		"age": 42.0, "rating": 4.5, "roles": []any{"admin", "7"},
		"address": map[string]any{"locality": "Екатеринбург", "postal_code": "620000"},
	}
	idt := jwtClaims(t, rep.JSON["id_token"].(string))
	for name, v := range want {
		if !reflect.DeepEqual(ui.JSON[name], v) {
			t.Errorf("userinfo %s = %#v, want %#v", name, ui.JSON[name], v)
		}
		if !reflect.DeepEqual(idt[name], v) {
			t.Errorf("id_token %s = %#v, want %#v", name, idt[name], v)
		}
	}
	if idt["sub"] != ui.JSON["sub"] || idt["aud"] != codeID {
		t.Errorf("id_token sub %v aud %v, userinfo sub %v", idt["sub"], idt["aud"], ui.JSON["sub"])
	}
}

// Claims follow the scopes (OIDC Core §5.4), and a client that does not ask
// for them gets none in its id_token, as IdentityServer's default is.
func TestClaimsFollowScopesAndClient(t *testing.T) {
	srv := startTyped(t)
	loc := login(t, srv, codeAuthorize("scope", "openid email extern.api"), "typed@login.ru", "typed-password", "login")
	rep := exchange(t, srv, loc.Query().Get("code"))
	idt := jwtClaims(t, rep.JSON["id_token"].(string))
	if idt["email_verified"] != true || idt["name"] != nil || idt["roles"] != nil || idt["phone_number_verified"] != nil {
		t.Errorf("id_token with scope email: %v", idt)
	}
	ui := get(t, srv, srv.SiteURL("kontur")+"/connect/userinfo", "Authorization", "Bearer "+rep.JSON["access_token"].(string))
	if ui.JSON["email_verified"] != true || ui.JSON["name"] != nil || ui.JSON["age"] != nil {
		t.Errorf("userinfo with scope email: %s", ui.Body)
	}

	// The default fixtures' user, through a client without the option.
	plain := start(t)
	loc = login(t, plain, codeAuthorize("scope", "openid profile email extern.api"), username, password, "login")
	rep = exchange(t, plain, loc.Query().Get("code"))
	for name := range jwtClaims(t, rep.JSON["id_token"].(string)) {
		if name == "email" || name == "email_verified" || name == "name" {
			t.Errorf("id_token carries user claim %s without always_include_user_claims_in_id_token", name)
		}
	}
	ui = get(t, plain, plain.SiteURL("kontur")+"/connect/userinfo", "Authorization", "Bearer "+rep.JSON["access_token"].(string))
	if !strings.Contains(string(ui.Body), `"email_verified":true`) {
		t.Errorf("userinfo of the default user: %s", ui.Body)
	}
}

func jwtClaims(t *testing.T, jwt string) map[string]any {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c map[string]any
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	return c
}
