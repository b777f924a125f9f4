package kontur

import (
	"crypto/subtle"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/oauth"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// userinfo answers with the claims the token's scopes allow. A missing or
// invalid token gets 401 with an empty body and a Bearer challenge.
func (k *Site) userinfo(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodPost {
		site.Refuse(r, "method_not_allowed", r.Method+" /connect/userinfo: GET or POST only")
		w.Header().Set("Allow", "GET, POST")
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	token, ok := oauth.BearerToken(r)
	if !ok && r.Method == http.MethodPost && oauth.MediaType(r) == "application/x-www-form-urlencoded" {
		if form, e := oauth.ParseForm(r, k.env.Config.Server.MaxBodyBytes); e == nil {
			token = form.Get("access_token")
			ok = token != ""
		}
	}
	at, refused := k.lookupAccessWhy(token, siteBase(r))
	if !ok {
		refused = &refusal{Code: refusedMissing, Message: "no Authorization: Bearer header and no access_token in a form body was sent"}
	}
	if refused != nil {
		site.Refuse(r, refused.Code, refused.message())
		k.challenge(w, r, http.StatusUnauthorized, "invalid_token")
		return
	}
	if at.Subject == "" {
		site.Refuse(r, refusedKind, "userinfo needs a user's token; this one was issued to client "+oauth.Quote(at.ClientID)+" by client_credentials")
		k.challenge(w, r, http.StatusForbidden, "insufficient_scope")
		return
	}
	if !slices.Contains(at.Scopes, "openid") {
		site.Refuse(r, refusedScope, "userinfo needs scope openid; the token has "+strings.Join(at.Scopes, " "))
		k.challenge(w, r, http.StatusForbidden, "insufficient_scope")
		return
	}
	claims := k.userClaims(at.Subject, at.Scopes)
	claims["sub"] = at.Subject
	k.api.WriteJSON(w, r, http.StatusOK, claims)
}

// userClaims are the claims of the user with subject sub that the scopes
// release, each with the JSON type the fixtures give it.
func (k *Site) userClaims(sub string, scopes []string) map[string]any {
	out := map[string]any{}
	if user := k.bySub[sub]; user != nil {
		for name, v := range user.Claims {
			if claimAllowed(name, scopes) {
				out[name] = v
			}
		}
	}
	return out
}

// claimAllowed maps standard claims to the scope that releases them
// (OIDC Core §5.4).
func claimAllowed(name string, scopes []string) bool {
	switch name {
	case "email", "email_verified":
		return slices.Contains(scopes, "email")
	case "phone_number", "phone_number_verified":
		return slices.Contains(scopes, "phone")
	default:
		return slices.Contains(scopes, "profile")
	}
}

func (k *Site) challenge(w http.ResponseWriter, r *http.Request, status int, code string) {
	h := w.Header()
	k.traceHeaders(h, r)
	h.Set("WWW-Authenticate", `Bearer realm="IdentityServer", error="`+code+`"`)
	w.WriteHeader(status)
}

// introspectionResponse is RFC 7662's answer, with IdentityServer's claims.
type introspectionResponse struct {
	Issuer    string   `json:"iss,omitempty"`
	NotBefore int64    `json:"nbf,omitempty"`
	IssuedAt  int64    `json:"iat,omitempty"`
	Expires   int64    `json:"exp,omitempty"`
	Audience  []string `json:"aud,omitempty"`
	ClientID  string   `json:"client_id,omitempty"`
	Subject   string   `json:"sub,omitempty"`
	AuthTime  int64    `json:"auth_time,omitempty"`
	IDP       string   `json:"idp,omitempty"`
	AMR       []string `json:"amr,omitempty"`
	Active    bool     `json:"active"`
	Scope     string   `json:"scope,omitempty"`
}

// introspect lets an API resource (HTTP Basic with its name and secret) ask
// whether a token is live. Any bad token is simply {"active":false}.
func (k *Site) introspect(w http.ResponseWriter, r *http.Request) {
	form, e := oauth.ParseForm(r, k.env.Config.Server.MaxBodyBytes)
	if e != nil {
		site.RefuseError(r, e)
		k.token.WriteError(w, r, e)
		return
	}
	creds, e := oauth.ClientCredentials(r, form)
	api, ok := k.apis[creds.ID]
	if e != nil || !ok || subtle.ConstantTimeCompare([]byte(api.Secret), []byte(creds.Secret)) != 1 {
		if e != nil {
			site.RefuseError(r, e) // the reason ClientCredentials gave
		} else {
			code, message := introspectionRefusal(creds, ok)
			site.Refuse(r, code, message)
		}
		h := w.Header()
		k.traceHeaders(h, r)
		w.WriteHeader(http.StatusUnauthorized)
		return
	}
	token := form.Get("token")
	if token == "" {
		site.Refuse(r, refusedMissing, "introspection needs a token parameter")
		k.token.WriteError(w, r, &oauth.Error{Code: "missing_token"})
		return
	}
	at, refused := k.lookupAccessWhy(token, siteBase(r))
	var granted []string
	for _, s := range at.Scopes {
		if slices.Contains(api.Scopes, s) {
			granted = append(granted, s)
		}
	}
	if refused == nil && len(granted) == 0 {
		refused = &refusal{Code: refusedScope, Message: "the token has none of API resource " + oauth.Quote(api.Name) +
			"'s scopes (" + strings.Join(api.Scopes, " ") + "); it has " + strings.Join(at.Scopes, " ")}
	}
	if refused != nil {
		// {"active":false} is a success on the wire, but not for the
		// token: the journal says why it is inactive.
		site.Refuse(r, refused.Code, refused.message())
		k.token.WriteJSON(w, r, http.StatusOK, introspectionResponse{Active: false})
		return
	}
	resp := introspectionResponse{
		Issuer: at.Issuer, NotBefore: at.IssuedAt.Unix(), IssuedAt: at.IssuedAt.Unix(),
		Expires: at.Expires.Unix(), Audience: []string{at.Issuer + "/resources", api.Name},
		ClientID: at.ClientID, Subject: at.Subject, Active: true, Scope: strings.Join(granted, " "),
	}
	if at.Subject != "" {
		resp.AuthTime, resp.IDP, resp.AMR = at.AuthTime.Unix(), "local", []string{"pwd"}
	}
	k.token.WriteJSON(w, r, http.StatusOK, resp)
}

// revocation (RFC 7009) answers 200 even for unknown tokens, so that a
// client learns nothing about tokens it does not hold.
func (k *Site) revocation(w http.ResponseWriter, r *http.Request) {
	// A request that is not a form POST gets a bare status, not an OAuth
	// error (INFER: IdentityServer4 TokenRevocationEndpoint).
	switch {
	case r.Method != http.MethodPost:
		site.Refuse(r, "method_not_allowed", r.Method+" /connect/revocation: POST only")
		w.Header().Set("Allow", http.MethodPost)
		k.bareStatus(w, r, http.StatusMethodNotAllowed)
		return
	case oauth.MediaType(r) != "application/x-www-form-urlencoded":
		site.Refuse(r, "invalid_request", "Content-Type is "+oauth.Quote(r.Header.Get("Content-Type"))+"; revocation takes a form (application/x-www-form-urlencoded)")
		k.bareStatus(w, r, http.StatusUnsupportedMediaType)
		return
	}
	err := k.revoke(r)
	if err != nil {
		site.RefuseError(r, err)
		k.token.WriteError(w, r, err)
		return
	}
	k.bareStatus(w, r, http.StatusOK)
}

// bareStatus answers with Kontur's token headers, the status and no body.
func (k *Site) bareStatus(w http.ResponseWriter, r *http.Request, status int) {
	k.tokenHeaders(w.Header(), r)
	w.WriteHeader(status)
}

func (k *Site) revoke(r *http.Request) error {
	form, e := oauth.ParseForm(r, k.env.Config.Server.MaxBodyBytes)
	if e != nil {
		return e
	}
	creds, e := oauth.ClientCredentials(r, form)
	if e != nil {
		return e
	}
	client, e := k.authenticate(creds)
	if e != nil {
		return e
	}
	token := form.Get("token")
	if token == "" {
		return oauth.InvalidRequest("").Because(refusedMissing, "revocation needs a token parameter")
	}
	switch hint := form.Get("token_type_hint"); hint {
	case "", "access_token", "refresh_token":
	default:
		return (&oauth.Error{Code: "unsupported_token_type", Status: 400}).Because("unsupported_token_type",
			"token_type_hint is "+oauth.Quote(hint)+"; access_token or refresh_token")
	}
	if at, ok := k.lookupAccess(token, ""); ok && at.ClientID == client.ID {
		k.access.Delete(keyOf(token))
		k.spent.Mark(token, spentRevoked, at.Expires.Sub(k.env.Clock.Now()))
	}
	if rt, ok := k.refresh.Get(token); ok && rt.ClientID == client.ID {
		k.refresh.Delete(token)
		k.spent.Mark(token, spentRevoked, k.cfg.RefreshTokenLifetime.D())
	}
	return nil
}

// endsession logs out: with a valid id_token_hint and a registered
// post_logout_redirect_uri it redirects back, otherwise it shows a page.
func (k *Site) endsession(w http.ResponseWriter, r *http.Request) {
	params, ok := k.pageParams(w, r)
	if !ok {
		return
	}
	if target := params.Get("post_logout_redirect_uri"); target != "" {
		aud := k.hintAudience(params.Get("id_token_hint"))
		c := k.clients[aud]
		switch {
		case aud == "":
			// The logout itself succeeds; only the way back is refused.
			site.Refuse(r, "id_token_hint_invalid", "post_logout_redirect_uri needs a valid id_token_hint (an id_token this server signed); none was sent, or it does not verify")
		case c == nil || !slices.Contains(c.PostLogoutRedirectURIs, target):
			site.Refuse(r, "redirect_uri_mismatch", "the post_logout_redirect_uri sent, "+oauth.Quote(target)+
				", is not registered for client "+oauth.Quote(aud)+"; its post_logout_redirect_uris are "+quoteAll(postLogoutURIs(c)))
		default:
			q := url.Values{}
			if s := params.Get("state"); s != "" {
				q.Set("state", s)
			}
			redirectTo(w, r, target, q)
			return
		}
	}
	k.logoutPage(w, r)
}

// hintAudience verifies an id_token_hint against the published keys (its
// expiry does not matter, OIDC RP-Initiated Logout §2) and returns its aud.
func (k *Site) hintAudience(hint string) string {
	if hint == "" || len(hint) > 8192 {
		return ""
	}
	jws, err := jose.ParseSigned(hint, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		return ""
	}
	for _, sig := range jws.Signatures {
		key := k.env.Keys.Lookup(sig.Header.KeyID)
		if key == nil {
			continue
		}
		payload, err := jws.Verify(&key.Private.PublicKey)
		if err != nil {
			continue
		}
		var claims struct {
			Aud string `json:"aud"`
		}
		if json.Unmarshal(payload, &claims) == nil {
			return claims.Aud
		}
	}
	return ""
}

func postLogoutURIs(c *config.KonturClient) []string {
	if c == nil {
		return nil
	}
	return c.PostLogoutRedirectURIs
}

// introspectionRefusal says why an API resource failed to authenticate
// at the introspection endpoint.
func introspectionRefusal(creds oauth.Credentials, known bool) (code, message string) {
	switch {
	case !known:
		return "unknown_client", "API resource " + oauth.Quote(creds.ID) + " is not in the fixtures (kontur.api_resources); introspection authenticates with an API resource's name and secret"
	}
	return "client_secret_mismatch", "API resource " + oauth.Quote(creds.ID) + " is known, but the secret sent " + creds.Where() + " is not its secret"
}
