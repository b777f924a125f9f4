package config

import (
	"fmt"
	"regexp"
)

// Livedigital is the moodhood API: a JSON token endpoint issuing HS256 JWTs,
// a protected method, and the cabinet's client credentials and personal
// tokens.
type Livedigital struct {
	// HS256Secret signs every token. The default one is test-only.
	HS256Secret string              `yaml:"hs256_secret"`
	Clients     []LivedigitalClient `yaml:"clients" merge:"id"`
	Users       []LivedigitalUser   `yaml:"users" merge:"email"`
	// AccessTokenLifetime is exp − iat of an access token (604800 s).
	AccessTokenLifetime Duration `yaml:"access_token_lifetime"`
	// RefreshTokenLifetime is exp − iat of a refresh token (1814400 s).
	RefreshTokenLifetime Duration `yaml:"refresh_token_lifetime"`
}

// LivedigitalClient is a client id and secret with its ObjectId.
type LivedigitalClient struct {
	ID     string `yaml:"id"`
	Secret string `yaml:"secret"`
	// ObjectID is the client's 24-hex id, the cId claim.
	ObjectID string `yaml:"object_id"`
	// Owner is the email of the user whose cabinet holds this client.
	Owner string `yaml:"owner"`
}

// LivedigitalUser is an account that logs in by email and password.
type LivedigitalUser struct {
	Email    string `yaml:"email"`
	Password string `yaml:"password"`
	// ObjectID is the user's 24-hex id, the sub claim of user tokens.
	ObjectID string `yaml:"object_id"`
	// Spaces are returned by GET /v1/spaces/ as they are.
	Spaces []map[string]any `yaml:"spaces"`
}

var objectIDRe = regexp.MustCompile(`^[0-9a-f]{24}$`)

func (l *Livedigital) defaults() {
	if l.AccessTokenLifetime == 0 {
		l.AccessTokenLifetime = Duration(604800e9)
	}
	if l.RefreshTokenLifetime == 0 {
		l.RefreshTokenLifetime = Duration(1814400e9)
	}
}

func (l *Livedigital) validate(p *Problems) {
	if len(l.HS256Secret) < 32 {
		p.Addf("livedigital.hs256_secret", "must be at least 32 bytes, got %d", len(l.HS256Secret))
	}
	emails := map[string]bool{}
	for i, u := range l.Users {
		f := fmt.Sprintf("livedigital.users[%d]", i)
		unique(p, f+".email", "user", u.Email, emails)
		nonEmpty(p, f+".password", u.Password)
		if !objectIDRe.MatchString(u.ObjectID) {
			p.Addf(f+".object_id", "must be 24 lowercase hex digits, got %q", u.ObjectID)
		}
	}
	ids := map[string]bool{}
	for i, c := range l.Clients {
		f := fmt.Sprintf("livedigital.clients[%d]", i)
		unique(p, f+".id", "client", c.ID, ids)
		nonEmpty(p, f+".secret", c.Secret)
		if !objectIDRe.MatchString(c.ObjectID) {
			p.Addf(f+".object_id", "must be 24 lowercase hex digits, got %q", c.ObjectID)
		}
		if c.Owner != "" && !emails[c.Owner] {
			p.Addf(f+".owner", "no user %q", c.Owner)
		}
	}
	if l.AccessTokenLifetime <= 0 {
		p.Addf("livedigital.access_token_lifetime", "must be positive")
	}
	if l.RefreshTokenLifetime <= 0 {
		p.Addf("livedigital.refresh_token_lifetime", "must be positive")
	}
}
