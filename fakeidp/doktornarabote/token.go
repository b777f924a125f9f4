package doktornarabote

import (
	"crypto/sha256"
	"encoding/json"
	"net/http"
	"net/url"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/oauth"
	"github.com/fakeidp/fakeidp/fakeidp/site"
	"github.com/fakeidp/fakeidp/fakeidp/store"
)

// tokenContentType is exactly what Katana writes: no space before charset.
const tokenContentType = "application/json;charset=UTF-8"

// owinHeaders are on every token response, errors included, as Katana's
// OAuthAuthorizationServerHandler sends them.
func owinHeaders(h http.Header, _ *http.Request) {
	h["Cache-Control"] = []string{"no-cache"}
	h["Pragma"] = []string{"no-cache"}
	h["Expires"] = []string{"-1"}
}

// tokenResponse is the success body, keys in the seed's order. ExpiresIn is
// whole seconds, never a time.Duration.
type tokenResponse struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token"`
}

// grant is who a token pair was issued to.
type grant struct {
	ClientID string
	Phone    string
}

type refreshToken struct {
	grant
}

func (s *Service) tokenEndpoint(w http.ResponseWriter, r *http.Request) {
	resp, err := s.issueToken(r)
	if err != nil {
		site.RefuseError(r, err)
		s.token.WriteError(w, r, err)
		return
	}
	s.token.WriteJSON(w, r, http.StatusOK, resp)
}

// issueToken is the one pipeline of every grant, in Katana's order: read
// the form, validate the client, then dispatch on grant_type. No grant can
// skip the client check.
func (s *Service) issueToken(r *http.Request) (*tokenResponse, error) {
	form, e := oauth.ParseForm(r, s.env.Config.Server.MaxBodyBytes)
	if e != nil {
		return nil, e
	}
	// Partner clients have an id and no secret; a client_secret, if sent,
	// is ignored as the real server's client validation does.
	client, ok := s.clients[form.Get("client_id")]
	if !ok {
		return nil, oauth.InvalidClient("").Because("unknown_client",
			"client_id "+oauth.Quote(form.Get("client_id"))+" is not in the fixtures (doktornarabote.clients)")
	}
	switch gt := form.Get("grant_type"); gt {
	case "password":
		return s.passwordGrant(r, form, client)
	case "refresh_token":
		return s.refreshGrant(r, form, client)
	default:
		return nil, oauth.UnsupportedGrantType("").Because("unsupported_grant_type",
			"grant_type "+oauth.Quote(gt)+" is not password or refresh_token")
	}
}

// passwordGrant redeems the phone's SMS code. Unknown phones, wrong,
// expired, spent and voided codes all give the same invalid_grant, so a
// client learns nothing about which phones exist.
func (s *Service) passwordGrant(r *http.Request, form url.Values, client *config.DoktornaraboteClient) (*tokenResponse, error) {
	phone, password := form.Get("username"), form.Get("password")
	if phone == "" || password == "" {
		return nil, oauth.InvalidRequest("username and password are required")
	}
	vc, state, expires := s.codes.GetState(phone)
	if state == store.Expired {
		// The store forgets a code when it expires (or its resend
		// window ends, if later): it can only say when.
		return nil, oauth.InvalidGrant("").Because("sms_code_expired", oauth.Expired("phone's SMS code (or its resend window)", expires, s.env.Clock.Now()))
	}
	if state == store.Absent {
		return nil, oauth.InvalidGrant("").Because("sms_code_mismatch",
			"no SMS code was sent to phone "+oauth.Quote(phone)+" (GET /api/v1/access/validation-code first), or it was forgotten")
	}
	if code, message := vc.redeem(password, s.env.Clock.Now(), s.cfg.CodeAttempts); code != "" {
		return nil, oauth.InvalidGrant("").Because(code, message)
	}
	return s.respond(r, client, grant{ClientID: client.ID, Phone: phone})
}

// refreshGrant rotates the pair: the refresh token presented is spent by
// this request whatever its outcome.
func (s *Service) refreshGrant(r *http.Request, form url.Values, client *config.DoktornaraboteClient) (*tokenResponse, error) {
	raw := form.Get("refresh_token")
	if raw == "" {
		return nil, oauth.InvalidRequest("refresh_token is required")
	}
	rt, state, expires := s.refresh.TakeState(raw)
	now := s.env.Clock.Now()
	switch {
	case state == store.Expired:
		return nil, oauth.InvalidGrant("").Because("refresh_token_expired", oauth.Expired("refresh token", expires, now))
	case state == store.Absent:
		if _, used := s.spent.How(raw); used {
			return nil, oauth.InvalidGrant("").Because("refresh_token_reused", "the refresh token was already used once; refresh tokens rotate")
		}
		return nil, oauth.InvalidGrant("").Because("refresh_token_unknown",
			"the refresh token was never issued by this server, or was dropped by a reset or the store's limit")
	}
	s.spent.Mark(raw, 1, expires.Sub(now))
	if rt.ClientID != client.ID {
		return nil, oauth.InvalidGrant("").Because("refresh_token_client_mismatch",
			"the refresh token was issued to client "+oauth.Quote(rt.ClientID)+", not to "+oauth.Quote(client.ID))
	}
	return s.respond(r, client, rt.grant)
}

func (s *Service) respond(r *http.Request, client *config.DoktornaraboteClient, g grant) (*tokenResponse, error) {
	now := s.env.Clock.Now()
	life := s.cfg.AccessTokenLifetime
	value, err := s.mintAccessToken(r, client, g, now, now.Add(life.D()))
	if err != nil {
		return nil, oauth.ServerError(err)
	}
	s.access.Put(sha256.Sum256([]byte(value)), g, life.D())
	// Katana applications commonly make refresh tokens with
	// Guid.NewGuid().ToString("n"): 32 lowercase hex digits.
	refresh := s.env.Random.Hex(16)
	s.refresh.Put(refresh, refreshToken{grant: g}, s.cfg.RefreshTokenLifetime.D())
	return &tokenResponse{
		AccessToken: value, TokenType: "bearer", ExpiresIn: life.Seconds(), RefreshToken: refresh,
	}, nil
}

// ticketBytes is the size of an opaque access token before encoding. A
// Katana bearer token is a data-protected serialized ticket: a few hundred
// base64url characters, opaque to the client.
const ticketBytes = 264

// jwtClaims are a JWT access token's claims (opt-in per client), as
// Katana's JwtFormat writes them plus sub, client_id, iat and jti.
type jwtClaims struct {
	UniqueName string `json:"unique_name"`
	Subject    string `json:"sub"`
	ClientID   string `json:"client_id"`
	Issuer     string `json:"iss"`
	Audience   string `json:"aud"`
	Expires    int64  `json:"exp"`
	NotBefore  int64  `json:"nbf"`
	IssuedAt   int64  `json:"iat"`
	JTI        string `json:"jti"`
}

func (s *Service) mintAccessToken(r *http.Request, client *config.DoktornaraboteClient, g grant, now, expires time.Time) (string, error) {
	if client.AccessTokenFormat != "jwt" {
		return s.env.Random.Base64URL(ticketBytes), nil
	}
	payload, err := json.Marshal(jwtClaims{
		UniqueName: g.Phone, Subject: g.Phone, ClientID: g.ClientID,
		Issuer: site.BaseURL(r), Audience: g.ClientID,
		Expires: expires.Unix(), NotBefore: now.Unix(), IssuedAt: now.Unix(),
		JTI: s.env.Random.Hex(16),
	})
	if err != nil {
		return "", err
	}
	return s.env.Keys.Signer().Sign(payload)
}
