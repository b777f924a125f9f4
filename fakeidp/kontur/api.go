package kontur

import (
	"encoding/json"
	"net/http"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4"
	"github.com/gorilla/mux"

	"github.com/fakeidp/fakeidp/fakeidp/oauth"
	"github.com/fakeidp/fakeidp/fakeidp/stub"
)

// API is a Kontur API host (medi-api, the Extern API) behind the identity
// server's tokens. INFER: the real APIs are ASP.NET Core services with
// bearer authentication over this identity server, so
//   - no bearer token: 401, WWW-Authenticate: Bearer;
//   - an unknown, expired or revoked token: 401,
//     WWW-Authenticate: Bearer error="invalid_token";
//   - a valid token without the API's scope: 403;
//   - a path no stub answers: 404;
//
// each with an empty body. Reference (opaque) tokens are checked against
// this server's token store, as introspection would; JWT access tokens by
// signature against the published keys and by their claims, as ASP.NET's
// JwtBearer does (so revoking a JWT changes nothing, as with the real one).
type API struct {
	k     *Site
	scope string
	pipe  stub.API
}

// API builds the API host named name, which accepts tokens with scope.
func (k *Site) API(name, scope string, stubs *stub.Set) *API {
	a := &API{k: k, scope: scope}
	a.pipe = stub.API{
		Site: name, Stubs: stubs, Authenticate: a.authenticate,
		Forbidden: func(w http.ResponseWriter, r *http.Request, _ string) { a.bare(w, r, http.StatusForbidden) },
		NotFound:  func(w http.ResponseWriter, r *http.Request) { a.bare(w, r, http.StatusNotFound) },
	}
	return a
}

// Mount sends every path of the host through the token check and the
// stubs.
func (a *API) Mount(r *mux.Router) { r.PathPrefix("/").Handler(&a.pipe) }

// Reset does nothing: the tokens are the identity site's, the stubs the
// server's.
func (a *API) Reset() {}

// RenderError writes an injected error (a fault rule) as OAuth JSON with
// Kontur's trace headers and the rule's status.
func (a *API) RenderError(w http.ResponseWriter, r *http.Request, e *oauth.Error) {
	a.k.api.WriteInjectedError(w, r, e)
}

func (a *API) authenticate(w http.ResponseWriter, r *http.Request) (stub.Token, bool) {
	raw, ok := oauth.BearerToken(r)
	if !ok {
		a.challenge(w, r, "Bearer")
		return stub.Token{}, false
	}
	tok, ok := a.k.checkAccess(raw)
	if !ok {
		a.challenge(w, r, `Bearer error="invalid_token"`)
		return stub.Token{}, false
	}
	if !slices.Contains(tok.Scopes, a.scope) {
		a.bare(w, r, http.StatusForbidden)
		return stub.Token{}, false
	}
	return tok, true
}

func (a *API) challenge(w http.ResponseWriter, r *http.Request, value string) {
	w.Header().Set("WWW-Authenticate", value)
	a.bare(w, r, http.StatusUnauthorized)
}

// bare answers with Kontur's trace headers, the status and no body.
func (a *API) bare(w http.ResponseWriter, r *http.Request, status int) {
	a.k.traceHeaders(w.Header(), r)
	w.WriteHeader(status)
}

// checkAccess finds whom an access token was issued to: a reference token
// in the store (gone once expired, revoked or reset), or a JWT access
// token that verifies.
func (k *Site) checkAccess(raw string) (stub.Token, bool) {
	if strings.Count(raw, ".") == 2 {
		return k.checkJWT(raw)
	}
	at, ok := k.lookupAccess(raw, "")
	if !ok {
		return stub.Token{}, false
	}
	return stub.Token{Subject: at.Subject, ClientID: at.ClientID, Scopes: at.Scopes, User: at.Subject != ""}, true
}

// checkJWT verifies a JWT access token as ASP.NET's JwtBearer would: an
// RS256 signature by a key still in the JWKS, a live lifetime by the
// server's clock (with no clock skew, so moving the clock past exp is
// enough; ASP.NET allows 5 minutes by default), an issuer, and the
// audience IdentityServer gives every access token, {issuer}/resources,
// which an id_token or another provider's token lacks.
func (k *Site) checkJWT(raw string) (stub.Token, bool) {
	if len(raw) > 16<<10 {
		return stub.Token{}, false
	}
	jws, err := jose.ParseSigned(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil || len(jws.Signatures) != 1 {
		return stub.Token{}, false
	}
	key := k.env.Keys.Lookup(jws.Signatures[0].Header.KeyID)
	if key == nil {
		return stub.Token{}, false
	}
	payload, err := jws.Verify(&key.Private.PublicKey)
	if err != nil {
		return stub.Token{}, false
	}
	var c accessTokenClaims
	if json.Unmarshal(payload, &c) != nil {
		return stub.Token{}, false
	}
	now := k.env.Clock.Now().Unix()
	if now >= c.Expires || now < c.NotBefore || c.Issuer == "" ||
		!slices.Contains(c.Audience, c.Issuer+"/resources") || k.clients[c.ClientID] == nil {
		return stub.Token{}, false
	}
	return stub.Token{Subject: c.Subject, ClientID: c.ClientID, Scopes: c.Scope, User: c.Subject != ""}, true
}
