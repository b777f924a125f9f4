package kontur

import (
	"crypto/subtle"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/oauth"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// authorizeRequest is a validated authorization request.
type authorizeRequest struct {
	client        *config.KonturClient
	redirectURI   string
	scopes        []string
	state         string
	nonce         string
	challenge     string
	challengeMode string
	// params are the request's parameters, carried through the login form.
	params url.Values
}

// authorizeParams are the parameters the login form carries as hidden fields.
var authorizeParams = []string{
	"response_type", "client_id", "redirect_uri", "scope", "state", "nonce",
	"code_challenge", "code_challenge_method", "response_mode", "prompt", "login_hint",
}

// authorize serves GET /connect/authorize (the authorization request) and
// POST /connect/authorize (the login form's answer).
func (k *Site) authorize(w http.ResponseWriter, r *http.Request) {
	params, ok := k.pageParams(w, r)
	if !ok {
		return
	}
	req, redirectable, e := k.validateAuthorize(params)
	if e != nil {
		site.RefuseError(r, e)
		if !redirectable {
			// An unknown client or unregistered redirect_uri is never
			// redirected to (RFC 6749 §4.1.2.1): that would make the
			// server an open redirector.
			k.errorPage(w, r, http.StatusBadRequest, e.Code, e.Description)
			return
		}
		k.redirectError(w, r, req, e.Code, e.Description)
		return
	}
	if r.Method == http.MethodGet {
		if k.cfg.AutoLogin != "" {
			k.issueCode(w, r, req, k.users[k.cfg.AutoLogin])
			return
		}
		if params.Get("prompt") == "none" {
			// The fake keeps no login session, so a silent request cannot
			// succeed without auto_login.
			site.Refuse(r, "login_required", "prompt=none, but fakeidp keeps no login session: only kontur.auto_login signs in silently")
			k.redirectError(w, r, req, "login_required", "")
			return
		}
		k.loginPage(w, r, http.StatusOK, req, params.Get("login_hint"), "")
		return
	}
	switch params.Get("button") {
	case "deny":
		site.Refuse(r, "access_denied", "the user pressed Deny on the login page")
		k.redirectError(w, r, req, "access_denied", "")
	case "login":
		user, ok := k.users[params.Get("username")]
		if !ok || subtle.ConstantTimeCompare([]byte(user.Password), []byte(params.Get("password"))) != 1 {
			site.Refuse(r, "user_credentials", userRefusal(params.Get("username"), ok))
			k.loginPage(w, r, http.StatusOK, req, params.Get("username"), msgBadLogin)
			return
		}
		k.issueCode(w, r, req, user)
	case testUserButton:
		// The page's one-click sign-in as a fixture user: only while the
		// page lists them, so that show_test_users: false leaves the
		// password as the only way in.
		user, ok := k.users[params.Get("username")]
		if !ok || !k.cfg.LoginPage.TestUsersShown() {
			site.Refuse(r, "user_credentials", "one-click sign-in as "+oauth.Quote(params.Get("username"))+
				": no such fixture user, or kontur.login_page.show_test_users is false")
			k.loginPage(w, r, http.StatusBadRequest, req, params.Get("username"), msgNoTestUser)
			return
		}
		k.issueCode(w, r, req, user)
	default:
		site.Refuse(r, "invalid_request", "the login form's button is "+oauth.Quote(params.Get("button"))+", not login or deny")
		k.loginPage(w, r, http.StatusBadRequest, req, params.Get("username"), msgChooseButton)
	}
}

// pageParams reads the parameters of a browser-facing endpoint: the query of
// a GET, the form of a POST. Anything else gets an error page.
func (k *Site) pageParams(w http.ResponseWriter, r *http.Request) (url.Values, bool) {
	switch r.Method {
	case http.MethodGet:
		return r.URL.Query(), true
	case http.MethodPost:
		form, e := k.readLoginForm(r)
		if e != nil {
			site.RefuseError(r, e)
			k.errorPage(w, r, http.StatusBadRequest, e.Code, e.Description)
			return nil, false
		}
		return form, true
	}
	site.Refuse(r, "method_not_allowed", r.Method+" "+r.URL.Path+": GET or POST only")
	w.Header().Set("Allow", "GET, POST")
	k.errorPage(w, r, http.StatusMethodNotAllowed, "invalid_request", "GET or POST only")
	return nil, false
}

func (k *Site) readLoginForm(r *http.Request) (url.Values, *oauth.Error) {
	if oauth.MediaType(r) != "application/x-www-form-urlencoded" {
		return nil, oauth.InvalidRequest("the login form must be application/x-www-form-urlencoded")
	}
	body, e := oauth.ReadBody(r, k.env.Config.Server.MaxBodyBytes)
	if e != nil {
		return nil, e
	}
	form, err := url.ParseQuery(string(body))
	if err != nil {
		return nil, oauth.InvalidRequest("malformed form body")
	}
	return form, nil
}

// validateAuthorize checks the request in the order that decides whether an
// error may be redirected: client and redirect_uri first.
func (k *Site) validateAuthorize(p url.Values) (*authorizeRequest, bool, *oauth.Error) {
	for _, name := range authorizeParams {
		if len(p[name]) > 1 {
			return nil, false, oauth.InvalidRequest(name+" is given more than once").Because("invalid_request", name+" is given more than once")
		}
		if !utf8.ValidString(p.Get(name)) {
			return nil, false, oauth.InvalidRequest(name+" is not UTF-8").Because("invalid_request", name+" is not UTF-8")
		}
	}
	client, ok := k.clients[p.Get("client_id")]
	if !ok {
		return nil, false, (&oauth.Error{Code: "unauthorized_client", Description: "unknown client_id"}).Because("unknown_client",
			"client_id "+oauth.Quote(p.Get("client_id"))+" is not in the fixtures (kontur.clients)")
	}
	redirect := p.Get("redirect_uri")
	if !redirectRegistered(client, redirect) {
		return nil, false, oauth.InvalidRequest("redirect_uri is not registered for this client").Because("redirect_uri_mismatch",
			"the redirect_uri sent, "+oauth.Quote(redirect)+", is not registered for client "+oauth.Quote(client.ID)+
				"; its redirect_uris are "+quoteAll(client.RedirectURIs))
	}
	req := &authorizeRequest{client: client, redirectURI: redirect, state: p.Get("state"), params: p}
	if rt := p.Get("response_type"); rt != "code" {
		return req, true, (&oauth.Error{Code: "unsupported_response_type"}).Because("unsupported_response_type",
			"response_type is "+oauth.Quote(rt)+"; Kontur answers only code")
	}
	if rm := p.Get("response_mode"); rm != "" && rm != "query" {
		return req, true, oauth.InvalidRequest("response_mode must be query").Because("invalid_request",
			"response_mode is "+oauth.Quote(rm)+"; only query is supported")
	}
	if !slices.Contains(client.GrantTypes, "authorization_code") {
		return req, true, oauth.UnauthorizedClient("").Because("grant_type_not_allowed",
			"client "+oauth.Quote(client.ID)+" may not use authorization_code; its grant_types are "+strings.Join(client.GrantTypes, ", "))
	}
	if strings.TrimSpace(p.Get("scope")) == "" {
		return req, true, oauth.InvalidScope("scope is required").Because("scope_not_allowed", "no scope was sent; an authorization request needs one")
	}
	scopes, e := k.scopes(client, p.Get("scope"), func(string) bool { return true })
	if e != nil {
		return req, true, e
	}
	req.scopes = scopes
	req.nonce = p.Get("nonce")
	if len(req.nonce) > 300 || len(req.state) > 2000 {
		return req, true, oauth.InvalidRequest("nonce or state too long").Because("invalid_request",
			"nonce is longer than 300 or state longer than 2000 characters")
	}
	if e := req.readPKCE(p); e != nil {
		return req, true, e
	}
	return req, false, nil
}

// readPKCE takes the code challenge (RFC 7636 §4.3): plain unless S256 is
// named, and required when the client says so.
func (req *authorizeRequest) readPKCE(p url.Values) *oauth.Error {
	req.challenge, req.challengeMode = p.Get("code_challenge"), p.Get("code_challenge_method")
	if req.challenge == "" {
		req.challengeMode = ""
		if req.client.RequirePKCE {
			return oauth.InvalidRequest("code challenge required").Because("pkce_mismatch",
				"client "+oauth.Quote(req.client.ID)+" requires PKCE, but no code_challenge was sent")
		}
		return nil
	}
	if req.challengeMode == "" {
		req.challengeMode = "plain"
	}
	if req.challengeMode != "plain" && req.challengeMode != "S256" {
		return oauth.InvalidRequest("transform algorithm not supported").Because("invalid_request",
			"code_challenge_method is "+oauth.Quote(req.challengeMode)+"; plain or S256")
	}
	if !validVerifier(req.challenge) {
		return oauth.InvalidRequest("invalid code_challenge").Because("invalid_request",
			"the code_challenge is not 43 to 128 unreserved characters (RFC 7636 §4.2)")
	}
	return nil
}

func (k *Site) issueCode(w http.ResponseWriter, r *http.Request, req *authorizeRequest, user *config.KonturUser) {
	code := strings.ToUpper(k.env.Random.Hex(32))
	k.codes.Put(code, authCode{
		grant: grant{
			ClientID: req.client.ID, Subject: user.Subject, Scopes: req.scopes,
			AuthTime: k.env.Clock.Now(), SessionID: k.env.Random.Hex(16),
			Nonce: req.nonce, Issuer: siteBase(r),
		},
		RedirectURI: req.redirectURI, Challenge: req.challenge, ChallengeMode: req.challengeMode,
	}, k.cfg.CodeLifetime.D())
	q := url.Values{}
	q.Set("code", code)
	q.Set("scope", strings.Join(req.scopes, " "))
	if req.state != "" {
		q.Set("state", req.state)
	}
	redirectTo(w, r, req.redirectURI, q)
}

func (k *Site) redirectError(w http.ResponseWriter, r *http.Request, req *authorizeRequest, code, desc string) {
	q := url.Values{}
	q.Set("error", code)
	if desc != "" {
		q.Set("error_description", desc)
	}
	if req.state != "" {
		q.Set("state", req.state)
	}
	redirectTo(w, r, req.redirectURI, q)
}

// redirectTo adds q to the redirect URI's own query, keeping what it had.
func redirectTo(w http.ResponseWriter, r *http.Request, redirectURI string, q url.Values) {
	u, err := url.Parse(redirectURI)
	if err != nil {
		http.Error(w, "bad redirect_uri", http.StatusBadRequest)
		return
	}
	merged := u.Query()
	for key, vs := range q {
		merged[key] = vs
	}
	u.RawQuery = merged.Encode()
	w.Header().Set("Cache-Control", "no-store, no-cache, max-age=0")
	w.Header().Set("Pragma", "no-cache")
	http.Redirect(w, r, u.String(), http.StatusFound)
}

// userRefusal says which of the login's two fields was wrong.
func userRefusal(username string, known bool) string {
	if !known {
		return "username " + oauth.Quote(username) + " is not in the fixtures (kontur.users)"
	}
	return "user " + oauth.Quote(username) + " is known, but the password sent is not theirs"
}

// quoteAll quotes each of a list, for a message.
func quoteAll(list []string) string {
	if len(list) == 0 {
		return "none"
	}
	q := make([]string, len(list))
	for i, s := range list {
		q[i] = oauth.Quote(s)
	}
	return strings.Join(q, ", ")
}
