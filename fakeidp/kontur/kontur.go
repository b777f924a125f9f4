// Package kontur emulates Kontur's identity server (identity.testkontur.ru):
// an IdentityServer-style OpenID Connect provider used by Kontur.Strakhovanie
// medi-api (client credentials) and Kontur.Extern (authorization code and
// password grants).
//
// It follows what the real server sends (see CONTRACTS.md §1), not the RFC
// where the two differ: every token error is a 400, even a bad Basic secret,
// with no WWW-Authenticate, and every token response carries Kontur's trace,
// Context-Globals, no-cache and Dont-Retry headers.
//
// It depends on the provider-neutral core only (config, keys, clock, store,
// oauth, site, internal/htmlpage); it must not import another provider or
// the root package.
package kontur

import (
	"crypto/subtle"
	"github.com/fakeidp/fakeidp/fakeidp/internal/route"
	"net/http"
	"slices"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/oauth"
	"github.com/fakeidp/fakeidp/fakeidp/site"
	"github.com/fakeidp/fakeidp/fakeidp/store"
)

// Site is the Kontur identity site of one server.
type Site struct {
	env     *site.Env
	cfg     *config.Kontur
	clients map[string]*config.KonturClient
	users   map[string]*config.KonturUser
	bySub   map[string]*config.KonturUser
	apis    map[string]*config.KonturAPIResource

	// Indexes that let an accessRecord name clients, users and scopes by
	// number.
	clientList  []*config.KonturClient
	clientIndex map[string]int
	subIndex    map[string]int
	scopeIndex  map[string]int

	codes   *store.Store[authCode]
	access  *store.Keyed[tokenKey, accessRecord]
	refresh *store.Store[refreshToken]
	// spent remembers the codes and refresh tokens already used, so that a
	// second use is refused as such (code_used, refresh_token_reused).
	spent *store.Spent

	// token is the dialect of the token, introspection and revocation
	// endpoints; api that of the other JSON endpoints.
	token, api oauth.Dialect
}

// grant is what a code or token was issued for.
type grant struct {
	ClientID  string
	Subject   string // empty for client credentials
	Scopes    []string
	AuthTime  time.Time
	SessionID string
	Nonce     string
	Issuer    string
}

type authCode struct {
	grant
	RedirectURI   string
	Challenge     string
	ChallengeMode string
}

type refreshToken struct {
	grant
}

// New builds the site from the fixtures in env.
func New(env *site.Env) *Site {
	cfg := &env.Config.Kontur
	k := &Site{
		env:     env,
		cfg:     cfg,
		clients: map[string]*config.KonturClient{},
		users:   map[string]*config.KonturUser{},
		bySub:   map[string]*config.KonturUser{},
		apis:    map[string]*config.KonturAPIResource{},

		clientIndex: map[string]int{},
		subIndex:    map[string]int{},
		scopeIndex:  map[string]int{},
	}
	for i := range cfg.Clients {
		c := &cfg.Clients[i]
		k.clients[c.ID] = c
		k.clientIndex[c.ID] = len(k.clientList)
		k.clientList = append(k.clientList, c)
	}
	for i := range cfg.Users {
		u := &cfg.Users[i]
		k.users[u.Username] = u
		k.bySub[u.Subject] = u
		k.subIndex[u.Subject] = i
	}
	for i, s := range cfg.Scopes {
		k.scopeIndex[s] = i
	}
	for i := range cfg.APIResources {
		k.apis[cfg.APIResources[i].Name] = &cfg.APIResources[i]
	}
	now := env.Clock.Now
	max := env.Config.Server.MaxTokens
	k.codes = store.New[authCode](now, max)
	k.access = store.NewKeyed[tokenKey, accessRecord](now, max)
	k.refresh = store.New[refreshToken](now, max)
	k.spent = store.NewSpent(now, max)
	k.token = oauth.Dialect{
		ContentType: contentTypeJSON,
		Headers:     k.tokenHeaders,
		Status:      oauth.Status400, // a failed client authentication included
		Log:         env.Log,
	}
	k.api = oauth.Dialect{ContentType: contentTypeJSON, Headers: k.traceHeaders, Log: env.Log}
	return k
}

const contentTypeJSON = "application/json; charset=UTF-8"

// Mount registers the site's routes on r, the site's own router; paths are
// the provider's, below any prefix. The token endpoint comes first: the
// router tries routes in order, and it is by far the busiest.
func (k *Site) Mount(r route.Router) {
	r.HandleFunc("/connect/token", k.tokenEndpoint)
	r.HandleFunc("/.well-known/openid-configuration", k.discovery)
	r.HandleFunc("/.well-known/openid-configuration/jwks", k.jwks)
	r.HandleFunc("/connect/authorize", k.authorize)
	r.HandleFunc("/connect/userinfo", k.userinfo)
	r.HandleFunc("/connect/introspect", k.introspect)
	r.HandleFunc("/connect/revocation", k.revocation)
	r.HandleFunc("/connect/endsession", k.endsession)
}

// Reset forgets every code and token.
func (k *Site) Reset() {
	k.codes.Clear()
	k.access.Clear()
	k.refresh.Clear()
	k.spent.Clear()
}

// authenticate checks a client's id and secret. Secrets are compared in
// constant time so the fake never teaches a timing side channel by example.
func (k *Site) authenticate(c oauth.Credentials) (*config.KonturClient, *oauth.Error) {
	if c.ID == "" {
		return nil, oauth.InvalidClient("").Because("unknown_client",
			"no client_id was sent, neither in the body nor in an Authorization: Basic header")
	}
	client, ok := k.clients[c.ID]
	if !ok {
		return nil, oauth.InvalidClient("").Because("unknown_client",
			"client_id "+oauth.Quote(c.ID)+" is not in the fixtures (kontur.clients)")
	}
	if subtle.ConstantTimeCompare([]byte(client.Secret), []byte(c.Secret)) != 1 {
		return nil, oauth.InvalidClient("").Because("client_secret_mismatch",
			"client "+oauth.Quote(c.ID)+" is known, but the client_secret sent "+c.Where()+" is not its secret")
	}
	return client, nil
}

// identityScopes are OpenID scopes; the rest name API resources.
var identityScopes = []string{"openid", "profile", "email", "offline_access"}

func isIdentityScope(s string) bool { return slices.Contains(identityScopes, s) }

// RenderError writes an injected error (a fault rule) as Kontur's token
// endpoint does, with its headers, but with the status the rule asks for.
func (k *Site) RenderError(w http.ResponseWriter, r *http.Request, e *oauth.Error) {
	k.token.WriteInjectedError(w, r, e)
}
