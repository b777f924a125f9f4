package config

import (
	"fmt"
	"regexp"
)

// Doktornarabote is the partner API (SMS validation codes) and its OAuth
// server (password grant with phone + code, refresh).
type Doktornarabote struct {
	Clients []DoktornaraboteClient `yaml:"clients" merge:"id"`
	// Phones may pin the code a phone receives; other phones get random codes.
	Phones []DoktornarabotePhone `yaml:"phones" merge:"code,number"`
	// CodeLifetime is how long an SMS code stays valid (5 minutes).
	CodeLifetime Duration `yaml:"code_lifetime"`
	// CodeAttempts is how many wrong tries void a code (3).
	CodeAttempts int `yaml:"code_attempts"`
	// ResendInterval is the least time between two codes for a phone (45 s).
	ResendInterval Duration `yaml:"resend_interval"`
	// AccessTokenLifetime is expires_in (1209599 s, 14 days less a second).
	AccessTokenLifetime Duration `yaml:"access_token_lifetime"`
	// RefreshTokenLifetime is how long a refresh token lives (60 days).
	RefreshTokenLifetime Duration `yaml:"refresh_token_lifetime"`
}

// DoktornaraboteClient is a partner application: an id and no secret.
type DoktornaraboteClient struct {
	ID string `yaml:"id"`
	// AccessTokenFormat is "opaque" (base64url ticket, the default) or "jwt".
	AccessTokenFormat string `yaml:"access_token_format"`
}

// DoktornarabotePhone pins the SMS code of one phone.
type DoktornarabotePhone struct {
	Code   string `yaml:"code"`
	Number string `yaml:"number"`
	// ValidationCode is the 4-digit code this phone always gets.
	ValidationCode string `yaml:"validation_code"`
}

var (
	hex32Re  = regexp.MustCompile(`^[0-9a-f]{32}$`)
	digitsRe = regexp.MustCompile(`^[0-9]+$`)
	code4Re  = regexp.MustCompile(`^[0-9]{4}$`)
)

func (d *Doktornarabote) defaults() {
	if d.CodeLifetime == 0 {
		d.CodeLifetime = Duration(5 * 60e9)
	}
	if d.CodeAttempts == 0 {
		d.CodeAttempts = 3
	}
	if d.ResendInterval == 0 {
		d.ResendInterval = Duration(45e9)
	}
	if d.AccessTokenLifetime == 0 {
		d.AccessTokenLifetime = Duration(1209599e9)
	}
	if d.RefreshTokenLifetime == 0 {
		d.RefreshTokenLifetime = Duration(60 * 24 * 3600e9)
	}
	for i := range d.Clients {
		if d.Clients[i].AccessTokenFormat == "" {
			d.Clients[i].AccessTokenFormat = "opaque"
		}
	}
}

func (d *Doktornarabote) validate(p *Problems) {
	for i, c := range d.Clients {
		f := fmt.Sprintf("doktornarabote.clients[%d]", i)
		if !hex32Re.MatchString(c.ID) {
			p.Addf(f+".id", "must be 32 lowercase hex digits, got %q", c.ID)
		}
		if c.AccessTokenFormat != "opaque" && c.AccessTokenFormat != "jwt" {
			p.Addf(f+".access_token_format", "must be opaque or jwt, got %q", c.AccessTokenFormat)
		}
	}
	for i, ph := range d.Phones {
		f := fmt.Sprintf("doktornarabote.phones[%d]", i)
		if !digitsRe.MatchString(ph.Code) || len(ph.Code) > 4 {
			p.Addf(f+".code", "must be 1 to 4 digits, got %q", ph.Code)
		}
		if !digitsRe.MatchString(ph.Number) || len(ph.Number) < 5 || len(ph.Number) > 14 {
			p.Addf(f+".number", "must be 5 to 14 digits, got %q", ph.Number)
		}
		if ph.ValidationCode != "" && !code4Re.MatchString(ph.ValidationCode) {
			p.Addf(f+".validation_code", "must be 4 digits, got %q", ph.ValidationCode)
		}
	}
	if d.CodeAttempts < 1 {
		p.Addf("doktornarabote.code_attempts", "must be at least 1")
	}
	if d.CodeLifetime <= 0 {
		p.Addf("doktornarabote.code_lifetime", "must be positive")
	}
	if d.ResendInterval < 0 {
		p.Addf("doktornarabote.resend_interval", "must not be negative")
	}
	if d.AccessTokenLifetime <= 0 {
		p.Addf("doktornarabote.access_token_lifetime", "must be positive")
	}
}
