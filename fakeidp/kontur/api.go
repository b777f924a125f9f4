package kontur

import (
	"net/http"
	"slices"
	"strings"

	"github.com/fakeidp/fakeidp/fakeidp/internal/route"
	"github.com/fakeidp/fakeidp/fakeidp/oauth"
	"github.com/fakeidp/fakeidp/fakeidp/site"
	"github.com/fakeidp/fakeidp/fakeidp/stub"
)

// API is a Kontur API host (medi-api, the Extern API) behind the identity
// server's tokens. INFER: the real APIs are ASP.NET Core services with
// bearer authentication over this identity server
// (IdentityServer4.AccessTokenValidation: a JWT goes to JwtBearer, a
// reference token to introspection), so
//   - no bearer token: 401, WWW-Authenticate: Bearer;
//   - an unknown, expired or revoked token, a JWT of another issuer, a
//     reference token without the API's scope (introspection calls it
//     inactive): 401, WWW-Authenticate: Bearer error="invalid_token", with
//     JwtBearerHandler's error_description for a JWT;
//   - a JWT without the API's scope: 403;
//   - a path that stubs answer for other methods only: 405 with Allow;
//   - a path no stub answers: 404;
//
// each with an empty body, and every answer, a stub's included, with
// Kontur's trace headers. Reference (opaque) tokens are checked against
// this server's token store, as introspection would; JWT access tokens by
// signature against the published keys and by their claims, as ASP.NET's
// JwtBearer does (so revoking a JWT changes nothing, as with the real one).
type API struct {
	k     *Site
	scope string
	pipe  stub.API
	// validIssuer reports whether iss is the issuer this server's
	// identity site gives a client that reaches it the way r reached the
	// API: the Authority the real API would be configured with.
	validIssuer func(r *http.Request, iss string) bool
}

// API builds the API host named name, which accepts tokens with scope and,
// for JWTs, an issuer validIssuer accepts.
func (k *Site) API(name, scope string, stubs *stub.Set, validIssuer func(r *http.Request, iss string) bool) *API {
	a := &API{k: k, scope: scope, validIssuer: validIssuer}
	a.pipe = stub.API{
		Site: name, Stubs: stubs, Authenticate: a.authenticate,
		Forbidden: func(w http.ResponseWriter, _ *http.Request, _ string) { w.WriteHeader(http.StatusForbidden) },
		NotFound:  func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNotFound) },
		MethodNotAllowed: func(w http.ResponseWriter, _ *http.Request, allow string) {
			w.Header().Set("Allow", allow)
			w.WriteHeader(http.StatusMethodNotAllowed)
		},
	}
	return a
}

// Mount sends every path of the host through the token check and the
// stubs.
func (a *API) Mount(r route.Router) { r.Prefix("/", &a.pipe) }

// Reset does nothing: the tokens are the identity site's, the stubs the
// server's.
func (a *API) Reset() {}

// RenderError writes an injected error (a fault rule) as OAuth JSON with
// Kontur's trace headers and the rule's status.
func (a *API) RenderError(w http.ResponseWriter, r *http.Request, e *oauth.Error) {
	a.k.api.WriteInjectedError(w, r, e)
}

// authenticate runs first on every request, so it sets the trace headers
// that every answer of the host carries.
func (a *API) authenticate(w http.ResponseWriter, r *http.Request) (stub.Token, bool) {
	a.k.traceHeaders(w.Header(), r)
	raw, ok := oauth.BearerToken(r)
	if !ok {
		site.Refuse(r, refusedMissing, "no Authorization: Bearer header was sent")
		a.challenge(w, "Bearer")
		return stub.Token{}, false
	}
	tok, refused := a.check(r, raw)
	if refused != nil {
		site.Refuse(r, refused.Code, refused.message())
	}
	switch {
	case refused == nil:
		return tok, true
	case refused.Forbidden:
		w.WriteHeader(http.StatusForbidden)
	case refused.Description != "":
		a.challenge(w, `Bearer error="invalid_token", error_description="`+refused.Description+`"`)
	default:
		a.challenge(w, `Bearer error="invalid_token"`)
	}
	return stub.Token{}, false
}

// check finds whom an access token was issued to. A reference token is
// looked up in the store (gone once expired, revoked or reset); one
// without the API's scope is refused as inactive, since that is what
// IdentityServer4's introspection answers the API
// (IntrospectionResponseGenerator, AreExpectedScopesPresentAsync). A JWT
// is verified; one without the scope passes authentication and fails
// authorization, a 403.
func (a *API) check(r *http.Request, raw string) (stub.Token, *refusal) {
	if strings.Count(raw, ".") == 2 {
		tok, refused := a.k.checkJWT(raw, func(iss string) bool { return a.validIssuer(r, iss) })
		if refused == nil && !slices.Contains(tok.Scopes, a.scope) {
			return stub.Token{}, &refusal{Code: refusedScope, Forbidden: true, Message: a.scopeMessage(tok.Scopes)}
		}
		return tok, refused
	}
	at, refused := a.k.lookupAccessWhy(raw, "")
	if refused != nil {
		return stub.Token{}, refused
	}
	if !slices.Contains(at.Scopes, a.scope) {
		return stub.Token{}, &refusal{Code: refusedScope, Message: a.scopeMessage(at.Scopes) +
			" (a reference token without it is inactive to the API's introspection, hence 401)"}
	}
	return stub.Token{Subject: at.Subject, ClientID: at.ClientID, Scopes: at.Scopes, User: at.Subject != ""}, nil
}

func (a *API) scopeMessage(has []string) string {
	return "the API needs scope " + oauth.Quote(a.scope) + "; the token has " + strings.Join(has, " ")
}

func (a *API) challenge(w http.ResponseWriter, value string) {
	w.Header().Set("WWW-Authenticate", value)
	w.WriteHeader(http.StatusUnauthorized)
}
