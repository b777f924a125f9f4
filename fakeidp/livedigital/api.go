package livedigital

import (
	"net/http"
	"strings"

	"github.com/fakeidp/fakeidp/fakeidp/oauth"
	"github.com/fakeidp/fakeidp/fakeidp/site"
	"github.com/fakeidp/fakeidp/fakeidp/stub"
)

// The API methods behind the tokens (SEEN): every /v1/… path but the
// token endpoint needs a livedigital token. A missing, garbage or expired
// token is 401 {"message","code":"401"}; a client token where a stub needs a
// user is 403 {"message","code":"403"}. Personal tokens count as user tokens.
// Client and user tokens are JWTs checked by signature and claims (a
// user's also by its sgn, so a password change ends it), personal tokens
// against the cabinet: deleting one, or a reset, ends it.

// newAPI is the pipeline of the /v1/ paths other than the token endpoint
// and GET /v1/spaces/.
func (s *Site) newAPI(stubs *stub.Set) *stub.API {
	return &stub.API{
		Site: site.Livedigital.Name, Stubs: stubs, Authenticate: s.authenticateAPI,
		Forbidden: func(w http.ResponseWriter, r *http.Request, reason string) {
			s.writeAPIError(w, r, apiError{"Forbidden: " + reason, http.StatusForbidden})
		},
		NotFound: s.apiDefault,
	}
}

// authenticateAPI accepts a client, user or personal token, and says which.
func (s *Site) authenticateAPI(w http.ResponseWriter, r *http.Request) (stub.Token, bool) {
	tok, refused := s.caller(r)
	if refused.Code != 0 {
		s.writeAPIError(w, r, refused)
		return stub.Token{}, false
	}
	return tok, true
}

// caller is whom a bearer token stands for. The client of a user token is
// named by its clientId, as the token endpoint's client_id is.
func (s *Site) caller(r *http.Request) (stub.Token, apiError) {
	b, refused := s.bearer(r)
	switch {
	case refused.Code != 0:
		return stub.Token{}, refused
	case b.personal != nil:
		return stub.Token{Subject: b.personal.ObjectID, User: true}, apiError{}
	}
	c := b.claims
	clientID, ok := s.accounts.clientID(c.CID)
	switch {
	case !ok:
		site.Refuse(r, "token_revoked", "the token's client no longer exists (removed from its cabinet, or forgotten by a reset)")
		return stub.Token{}, apiInvalidToken
	case c.Aud == audClient && c.Sub == c.CID:
		return stub.Token{Subject: c.Sub, ClientID: clientID}, apiError{}
	case c.Aud == audUser:
		if u, ok := s.liveUser(c); ok {
			return stub.Token{Subject: u.ObjectID, ClientID: clientID, User: true}, apiError{}
		}
		site.Refuse(r, "token_revoked", revokedUserToken)
		return stub.Token{}, apiInvalidToken
	}
	site.Refuse(r, "token_unknown", "the token's aud is "+oauth.Quote(c.Aud)+", neither client nor user")
	return stub.Token{}, apiInvalidToken
}

// roomsResponse is GET /v1/rooms's default: the same list envelope as
// spaces (INFER), empty.
type roomsResponse struct {
	Items []any `json:"items"`
}

// apiDefault answers what no stub does: GET /v1/rooms, which a client
// token may call (seed 004: it "can view public entities, e.g. rooms"),
// with an empty list, and any other path with 404.
func (s *Site) apiDefault(w http.ResponseWriter, r *http.Request) {
	if (r.Method == http.MethodGet || r.Method == http.MethodHead) && strings.TrimSuffix(r.URL.Path, "/") == "/v1/rooms" {
		s.api.WriteJSON(w, r, http.StatusOK, roomsResponse{Items: []any{}})
		return
	}
	s.writeAPIError(w, r, apiNotFound)
}

// revokedUserToken explains a user token that verifies but is dead.
const revokedUserToken = "the user token was revoked: the user's password changed, or the user or its client was removed"

func (s *Site) writeAPIError(w http.ResponseWriter, r *http.Request, e apiError) {
	s.api.WriteJSON(w, r, e.Code, e)
}

// renderAPIError writes an injected error (a fault rule) on an API path in
// the API's {"message","code"} shape, with the rule's status.
func (s *Site) renderAPIError(w http.ResponseWriter, r *http.Request, e *oauth.Error) {
	msg := e.Description
	if msg == "" {
		msg = e.Code
	}
	for k, vs := range e.Header {
		w.Header()[k] = vs
	}
	s.writeAPIError(w, r, apiError{msg, e.Status})
}
