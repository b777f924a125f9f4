package livedigital

import (
	"net/http"
	"strings"

	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/internal/route"
	"github.com/fakeidp/fakeidp/fakeidp/oauth"
	"github.com/fakeidp/fakeidp/fakeidp/site"
	"github.com/fakeidp/fakeidp/fakeidp/store"
	"github.com/fakeidp/fakeidp/fakeidp/stub"
)

// Site is the livedigital API of one server.
type Site struct {
	env *site.Env
	cfg *config.Livedigital

	// accounts are the users, clients and personal tokens the cabinet can
	// change; Reset rebuilds them from the fixtures.
	accounts *accounts
	// signer signs and verifies every JWT with the fixtures' HS256 secret,
	// so tokens still verify after a restart.
	signer *signer
	// refresh holds the jti of every refresh token issued and not yet used:
	// taking it is what makes a refresh token single-use.
	refresh *store.Store[refreshGrant]

	// token is the dialect of POST /v1/auth/token (OAuth-shaped errors);
	// api that of the API methods ({"message","code"} errors).
	token, api oauth.Dialect
	// methods are the API's other /v1/ paths: the token check, then the
	// stubs.
	methods *stub.API
}

// refreshGrant is what an unused refresh token may be exchanged for.
type refreshGrant struct {
	// ClientOID is the cId claim; UserOID is empty for a client token.
	ClientOID, UserOID string
}

// contentTypeJSON is what Express's res.json sends.
const contentTypeJSON = "application/json; charset=utf-8"

// New builds the site from the fixtures in env; stubs answer the API
// methods.
func New(env *site.Env, stubs *stub.Set) *Site {
	cfg := &env.Config.Livedigital
	sig := newSigner(cfg.HS256Secret)
	s := &Site{
		env:      env,
		cfg:      cfg,
		accounts: newAccounts(cfg, env, sig.signature),
		signer:   sig,
		refresh:  store.New[refreshGrant](env.Clock.Now, env.Config.Server.MaxTokens),
	}
	s.token = oauth.Dialect{ContentType: contentTypeJSON, Headers: noStore, Log: env.Log}
	s.api = oauth.Dialect{ContentType: contentTypeJSON, Log: env.Log}
	s.methods = s.newAPI(stubs)
	return s
}

// noStore keeps tokens out of caches, as any token endpoint should.
func noStore(h http.Header, _ *http.Request) {
	h.Set("Cache-Control", "no-store")
}

// Mount registers the provider's routes on r, the site's own router.
// Express routes ignore a trailing slash, so both spellings are served.
func (s *Site) Mount(r route.Router) {
	r.HandleFunc("/v1/auth/token", s.tokenEndpoint)
	r.HandleFunc("/v1/auth/token/", s.tokenEndpoint)
	r.HandleFunc("/v1/spaces/", s.spaces)
	r.HandleFunc("/v1/spaces", s.spaces)
	r.Prefix("/v1/", s.methods)
	// Any other path (/, /v2/…) gets the API's JSON 404, not Go's
	// plain-text one: the real host is one Express app (INFER).
	r.Prefix("/", http.HandlerFunc(s.notFound))
}

func (s *Site) notFound(w http.ResponseWriter, r *http.Request) {
	s.writeAPIError(w, r, apiNotFound)
}

// Reset returns the site to its fixtures: passwords, generated clients and
// secrets and personal tokens are forgotten, and no refresh token issued
// before can be used any more.
func (s *Site) Reset() {
	s.accounts.reset()
	s.refresh.Clear()
}

// RenderError writes an injected error (a fault rule) with the status the
// rule asks for: in the token endpoint's OAuth shape there, in the API's
// {"message","code"} shape on the API methods.
func (s *Site) RenderError(w http.ResponseWriter, r *http.Request, e *oauth.Error) {
	if strings.HasPrefix(r.URL.Path, "/v1/") && !strings.HasPrefix(r.URL.Path, "/v1/auth/token") {
		s.renderAPIError(w, r, e)
		return
	}
	s.token.WriteInjectedError(w, r, e)
}
