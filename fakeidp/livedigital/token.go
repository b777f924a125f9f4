package livedigital

import (
	"errors"
	"net/http"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp/oauth"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// tokenRequest is the JSON body of POST /v1/auth/token, read once.
type tokenRequest struct {
	GrantType    string `json:"grant_type"`
	ClientID     string `json:"client_id"`
	ClientSecret string `json:"client_secret"`
	Username     string `json:"username"`
	Password     string `json:"password"`
	RefreshToken string `json:"refresh_token"`
}

// tokenResponse is the provider's answer: no expires_in (the iOS SDK
// requires exactly these three strings).
type tokenResponse struct {
	TokenType    string `json:"token_type"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
}

func (s *Site) tokenEndpoint(w http.ResponseWriter, r *http.Request) {
	resp, err := s.issue(r)
	if err != nil {
		site.RefuseError(r, err)
		s.token.WriteError(w, r, err)
		return
	}
	s.token.WriteJSON(w, r, http.StatusOK, resp)
}

// issue parses the body once, then dispatches on grant_type. Each grant
// authenticates what it needs before anything is issued.
func (s *Site) issue(r *http.Request) (*tokenResponse, error) {
	if r.Method != http.MethodPost {
		return nil, oauth.InvalidRequest("the token endpoint accepts POST only")
	}
	var req tokenRequest
	if e := readJSON(r, s.env.Config.Server.MaxBodyBytes, &req); e != nil {
		return nil, e
	}
	switch req.GrantType {
	case "client_credentials":
		return s.clientCredentials(&req)
	case "password":
		return s.password(r, &req)
	case "refresh_token":
		return s.refreshGrant(&req)
	case "":
		return nil, oauth.InvalidRequest("grant_type is required")
	default:
		return nil, oauth.UnsupportedGrantType("grant_type must be client_credentials, password or refresh_token")
	}
}

// invalidCredentials is the provider's answer to a wrong secret or password.
func invalidCredentials() *oauth.Error { return oauth.InvalidGrant("Invalid credentials") }

// invalidToken refuses the Bearer client token of a password grant
// (RFC 6750 §3.1).
func invalidToken(desc string) *oauth.Error {
	return &oauth.Error{Code: "invalid_token", Description: desc, Status: http.StatusUnauthorized}
}

// authenticateClient checks client_id and client_secret and returns the
// client's ObjectId.
func (s *Site) authenticateClient(req *tokenRequest) (string, *oauth.Error) {
	if req.ClientID == "" || req.ClientSecret == "" {
		return "", oauth.InvalidRequest("client_id and client_secret are required")
	}
	oid, known, ok := s.accounts.authenticateClient(req.ClientID, req.ClientSecret)
	switch {
	case !known:
		return "", invalidCredentials().Because("unknown_client",
			"client_id "+oauth.Quote(req.ClientID)+" is neither in the fixtures (livedigital.clients) nor made in a cabinet")
	case !ok:
		return "", invalidCredentials().Because("client_secret_mismatch",
			"client "+oauth.Quote(req.ClientID)+" is known, but the client_secret sent is not its secret")
	}
	return oid, nil
}

func (s *Site) clientCredentials(req *tokenRequest) (*tokenResponse, error) {
	cid, e := s.authenticateClient(req)
	if e != nil {
		return nil, e
	}
	return s.issuePair(cid, cid, audClient, "")
}

// password issues a user token. The caller must prove, with a live access
// token in Authorization: Bearer, that it is the client whose credentials
// the body carries.
func (s *Site) password(r *http.Request, req *tokenRequest) (*tokenResponse, error) {
	bearerCID, e := s.passwordBearer(r)
	if e != nil {
		return nil, e
	}
	cid, e := s.authenticateClient(req)
	if e != nil {
		return nil, e
	}
	if bearerCID != cid {
		return nil, invalidToken("the client token was issued to another client").Because("token_client_mismatch",
			"the Bearer client token was issued to another client than "+oauth.Quote(req.ClientID)+", whose credentials the body carries")
	}
	if req.Username == "" || req.Password == "" {
		return nil, oauth.InvalidRequest("username and password are required")
	}
	u, known, ok := s.accounts.login(req.Username, req.Password)
	switch {
	case !known:
		return nil, invalidCredentials().Because("user_credentials", "username "+oauth.Quote(req.Username)+" is not a user (livedigital.users)")
	case !ok:
		return nil, invalidCredentials().Because("user_credentials", "user "+oauth.Quote(req.Username)+" is known, but the password sent is not theirs")
	}
	return s.issuePair(u.ObjectID, cid, audUser, u.Sgn)
}

// passwordBearer verifies the Bearer of a password grant and returns its
// cId. The document asks for a client token, but its own curl example
// sends a user token (aud "user"), so a live user token of the client is
// accepted too (CONTRACTS.md §4, DOC).
func (s *Site) passwordBearer(r *http.Request) (string, *oauth.Error) {
	raw, ok := oauth.BearerToken(r)
	if !ok {
		return "", invalidToken("a client token is required in Authorization: Bearer").Because("token_missing",
			"the password grant needs the client's access token in Authorization: Bearer; none was sent")
	}
	now := s.env.Clock.Now()
	c, err := s.signer.verify(raw, now)
	switch {
	case errors.Is(err, errExpired):
		return "", invalidToken("the client token has expired").Because("token_expired",
			oauth.Expired("Bearer client token", time.Unix(c.Exp, 0), now))
	case err != nil:
		return "", invalidToken("the client token is invalid").Because("token_unknown", "the Bearer token is not a token this server signed: "+err.Error())
	case c.Type == typeAccess && c.Aud == audClient && c.Sub == c.CID:
		return c.CID, nil
	case c.Type == typeAccess && c.Aud == audUser:
		if _, ok := s.liveUser(c); !ok {
			return "", invalidToken("the user token is no longer valid").Because("token_revoked",
				"the Bearer user token was revoked: the user's password changed, or the user or client was removed")
		}
		return c.CID, nil
	}
	return "", invalidToken("the bearer token is not a client access token").Because("token_kind",
		"the Bearer token is a refresh token, not an access token")
}

// refreshGrant exchanges a refresh token for a new pair of the same kind.
// Refresh tokens rotate: the one presented is spent by this request, so a
// second use is refused. Client credentials are optional (the provider's
// iframe flow refreshes a user in the browser), but when sent they must be
// right and name the token's client.
func (s *Site) refreshGrant(req *tokenRequest) (*tokenResponse, error) {
	if req.RefreshToken == "" {
		return nil, oauth.InvalidRequest("refresh_token is required")
	}
	now := s.env.Clock.Now()
	c, err := s.signer.verify(req.RefreshToken, now)
	switch {
	case errors.Is(err, errExpired):
		return nil, oauth.InvalidGrant("Invalid refresh token").Because("refresh_token_expired", oauth.Expired("refresh token", time.Unix(c.Exp, 0), now))
	case err != nil:
		return nil, oauth.InvalidGrant("Invalid refresh token").Because("refresh_token_unknown", "the refresh token is not a token this server signed: "+err.Error())
	case c.Type != typeRefresh:
		return nil, oauth.InvalidGrant("Invalid refresh token").Because("token_kind", "the refresh_token sent is an access token")
	}
	if req.ClientID != "" || req.ClientSecret != "" {
		cid, e := s.authenticateClient(req)
		if e != nil {
			return nil, e
		}
		if cid != c.CID {
			return nil, oauth.InvalidGrant("Invalid refresh token").Because("refresh_token_client_mismatch",
				"the refresh token was issued to another client than "+oauth.Quote(req.ClientID))
		}
	}
	g, ok := s.refresh.Take(c.JTI)
	if !ok || g.ClientOID != c.CID {
		// The token verifies, so this server issued it: it is spent, or
		// a reset forgot it.
		return nil, oauth.InvalidGrant("Refresh token is already used or revoked").Because("refresh_token_reused",
			"the refresh token was already used once (refresh tokens rotate), or a reset forgot it")
	}
	if c.Aud == audClient && c.Sub == c.CID && s.accounts.clientExists(c.CID) {
		return s.issuePair(c.CID, c.CID, audClient, "")
	}
	u, ok := s.accounts.userByOID(c.Sub)
	if c.Aud != audUser || !ok || u.Sgn != c.Sgn || g.UserOID != u.ObjectID {
		// The password changed since: the user must log in again.
		return nil, oauth.InvalidGrant("Refresh token is already used or revoked").Because("refresh_token_revoked",
			"the refresh token was revoked: the user's password changed, or the user was removed")
	}
	return s.issuePair(u.ObjectID, c.CID, audUser, u.Sgn)
}

// issuePair signs an access and a refresh token for sub and records the
// refresh token as unused.
func (s *Site) issuePair(sub, cid, aud, sgn string) (*tokenResponse, error) {
	now := s.env.Clock.Now()
	access := claims{Sub: sub, Aud: aud, Type: typeAccess, CID: cid, JTI: s.newJTI(), Sgn: sgn,
		Iat: now.Unix(), Exp: now.Add(s.cfg.AccessTokenLifetime.D()).Unix()}
	refresh := access
	refresh.Type, refresh.JTI = typeRefresh, s.newJTI()
	refresh.Exp = now.Add(s.cfg.RefreshTokenLifetime.D()).Unix()
	at, err := s.signer.sign(&access)
	if err != nil {
		return nil, oauth.ServerError(err)
	}
	rt, err := s.signer.sign(&refresh)
	if err != nil {
		return nil, oauth.ServerError(err)
	}
	g := refreshGrant{ClientOID: cid}
	if aud == audUser {
		g.UserOID = sub
	}
	s.refresh.Put(refresh.JTI, g, s.cfg.RefreshTokenLifetime.D())
	return &tokenResponse{TokenType: "Bearer", AccessToken: at, RefreshToken: rt}, nil
}

// newJTI is 21 characters of [A-Za-z0-9_-], like the nanoid ids the
// provider uses: 16 random bytes in base64url, cut to 21.
func (s *Site) newJTI() string { return s.env.Random.Base64URL(16)[:21] }
