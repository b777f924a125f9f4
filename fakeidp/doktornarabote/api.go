package doktornarabote

import (
	"crypto/sha256"
	"net/http"

	"github.com/fakeidp/fakeidp/fakeidp/oauth"
	"github.com/fakeidp/fakeidp/fakeidp/site"
	"github.com/fakeidp/fakeidp/fakeidp/store"
	"github.com/fakeidp/fakeidp/fakeidp/stub"
)

// The partner API behind the tokens (SEEN): every path of the API host
// but the validation-code endpoint needs "Authorization: Bearer
// ACCESS_TOKEN"; a failed authorization (no token, an unknown, expired or
// reset one) is 403 {"type":"oauth","value":"access_token",…}, never 401,
// and a valid token without access (one a stub does not accept) is
// 403 {"type":"forbidden",…,"description":"Доступ запрещён"}, the type and
// text of the API's error list (doktornarabote/telemedicine-api
// docs/errors.md).
// Access tokens, opaque or JWT, are checked against this server's store of
// the tokens the auth host issued, by the server's clock.

// tokenKey is the SHA-256 of an access token: the store keeps digests, so
// nothing in memory can be replayed.
type tokenKey [sha256.Size]byte

// deniedDescription is ASP.NET Web API's message for a refused request
// (INFER: the partner API is an OWIN application).
const deniedDescription = "Authorization has been denied for this request."

// The error list's descriptions (SEEN, docs/errors.md).
const (
	forbiddenDescription = "Доступ запрещён"
	notFoundDescription  = "Запрашиваемый ресурс не найден"
)

func (s *Service) newAPI(stubs *stub.Set) *stub.API {
	return &stub.API{
		Site: site.DoktornaraboteAPI.Name, Stubs: stubs, Authenticate: s.authenticateAPI,
		// The reason is the fake's, in English: it belongs in the
		// journal, not in the provider's answer.
		Forbidden: func(w http.ResponseWriter, r *http.Request, _ string) {
			s.writeAPIError(w, r, &apiError{Type: "forbidden", Value: "access_token",
				Description: forbiddenDescription, status: http.StatusForbidden})
		},
		NotFound: s.notFound,
	}
}

func oauthDenied(desc string) *apiError {
	return &apiError{Type: "oauth", Value: "access_token", Description: desc, status: http.StatusForbidden}
}

func (s *Service) authenticateAPI(w http.ResponseWriter, r *http.Request) (stub.Token, bool) {
	raw, ok := oauth.BearerToken(r)
	if !ok {
		s.writeAPIError(w, r, oauthDenied(deniedDescription).because("token_missing", "no Authorization: Bearer header was sent"))
		return stub.Token{}, false
	}
	g, state, expires := s.access.GetState(sha256.Sum256([]byte(raw)))
	switch state {
	case store.Expired:
		s.writeAPIError(w, r, oauthDenied(deniedDescription).because("token_expired",
			oauth.Expired("access token", expires, s.env.Clock.Now())))
		return stub.Token{}, false
	case store.Absent:
		s.writeAPIError(w, r, oauthDenied(deniedDescription).because("token_unknown",
			"the access token was never issued by this server's auth host, or was dropped by a reset or the store's limit"))
		return stub.Token{}, false
	}
	return stub.Token{Subject: g.Phone, ClientID: g.ClientID, User: true}, true
}
