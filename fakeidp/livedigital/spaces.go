package livedigital

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp/oauth"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// apiError is the provider's API error body, {"message","code"}. SEEN:
// the public Android SDK example (livedigital-android-sdk-binary,
// moodhood-api ErrorResponse) decodes code as a String? with a strict
// kotlinx.serialization Json, which refuses a JSON number there, so code
// is a JSON string. INFER: its value is the HTTP status, "401".
type apiError struct {
	Message string `json:"message"`
	Code    int    `json:"code,string"`
}

// The API errors of the protected method, in one place. They are values:
// a caller gets a copy, never a shared one to mutate.
var (
	apiUnauthorized = apiError{"Unauthorized", http.StatusUnauthorized}
	apiTokenExpired = apiError{"Token expired", http.StatusUnauthorized}
	apiInvalidToken = apiError{"Invalid token", http.StatusUnauthorized}
	apiUserOnly     = apiError{"Forbidden: this method needs a user token", http.StatusForbidden}
	apiNotFound     = apiError{"Not Found", http.StatusNotFound}
)

// spacesResponse is the list envelope. A public client of the real API
// reads response.items[].id and .name from GET /v1/spaces/, so items is
// the one key it has.
type spacesResponse struct {
	Items []map[string]any `json:"items"`
}

// spaces is GET /v1/spaces/: the spaces of the user a user token or a
// personal token belongs to. A client token may not list them.
func (s *Site) spaces(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		site.Refuse(r, "not_found", r.Method+" /v1/spaces/: the API answers GET only, with 404 for other methods")
		s.api.WriteJSON(w, r, apiNotFound.Code, apiNotFound)
		return
	}
	u, refused := s.authenticateUser(r)
	if refused.Code != 0 {
		s.api.WriteJSON(w, r, refused.Code, refused)
		return
	}
	items := u.Spaces
	if items == nil {
		items = []map[string]any{}
	}
	s.api.WriteJSON(w, r, http.StatusOK, spacesResponse{Items: items})
}

// authenticateUser finds the user behind the request's bearer token: a
// user access token whose sgn still matches the user's password, or a live
// personal token. A zero apiError means the user was found.
func (s *Site) authenticateUser(r *http.Request) (userView, apiError) {
	b, refused := s.bearer(r)
	switch {
	case refused.Code != 0:
		return userView{}, refused
	case b.personal != nil:
		return *b.personal, apiError{}
	case b.claims.Aud == audClient:
		site.Refuse(r, "token_kind", "a client token may not list spaces; a user's or a personal token may")
		return userView{}, apiUserOnly
	case b.claims.Aud != audUser:
		site.Refuse(r, "token_unknown", "the token's aud is "+oauth.Quote(b.claims.Aud)+", neither client nor user")
		return userView{}, apiInvalidToken
	}
	u, ok := s.liveUser(b.claims)
	if !ok {
		site.Refuse(r, "token_revoked", revokedUserToken)
		return userView{}, apiInvalidToken
	}
	return u, apiError{}
}

// bearerToken is a request's bearer token once it has passed the checks
// every API method makes: a live personal token (personal set), or a
// verified, unexpired access JWT (claims set) of either audience.
type bearerToken struct {
	personal *userView
	claims   *claims
}

// bearer reads and checks the request's bearer token. A zero apiError
// means it passed.
func (s *Site) bearer(r *http.Request) (bearerToken, apiError) {
	raw, ok := oauth.BearerToken(r)
	if !ok {
		site.Refuse(r, "token_missing", "no Authorization: Bearer header was sent")
		return bearerToken{}, apiUnauthorized
	}
	if !strings.Contains(raw, ".") {
		// Personal tokens are opaque and never expire; a deleted one is
		// simply no longer found.
		if u, ok := s.accounts.personalOwner(raw); ok {
			return bearerToken{personal: &u}, apiError{}
		}
		site.Refuse(r, "token_unknown", "the opaque Bearer token is no personal token of a cabinet: never made, deleted, or forgotten by a reset")
		return bearerToken{}, apiInvalidToken
	}
	now := s.env.Clock.Now()
	c, err := s.signer.verify(raw, now)
	switch {
	case errors.Is(err, errExpired):
		site.Refuse(r, "token_expired", oauth.Expired("access token", time.Unix(c.Exp, 0), now))
		return bearerToken{}, apiTokenExpired
	case err != nil:
		site.Refuse(r, "token_unknown", "the Bearer token is not a token this server signed: "+err.Error())
		return bearerToken{}, apiInvalidToken
	case c.Type != typeAccess:
		site.Refuse(r, "token_kind", "the Bearer token is a refresh token, not an access token")
		return bearerToken{}, apiInvalidToken
	}
	return bearerToken{claims: c}, apiError{}
}

// liveUser is the user of a verified user token, unless the token has been
// revoked since: by a password change (its sgn no longer matches) or by
// its client's removal.
func (s *Site) liveUser(c *claims) (userView, bool) {
	u, ok := s.accounts.userByOID(c.Sub)
	if !ok || u.Sgn != c.Sgn || !s.accounts.clientExists(c.CID) {
		return userView{}, false
	}
	return u, true
}
