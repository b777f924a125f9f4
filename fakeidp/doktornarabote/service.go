package doktornarabote

import (
	"net/http"
	"sync"

	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/internal/route"
	"github.com/fakeidp/fakeidp/fakeidp/oauth"
	"github.com/fakeidp/fakeidp/fakeidp/site"
	"github.com/fakeidp/fakeidp/fakeidp/store"
	"github.com/fakeidp/fakeidp/fakeidp/stub"
)

// Service is the Doktornarabote fake of one server: both hosts and the
// state they share (a code the API host sends is redeemed on the auth
// host). It is safe for concurrent use.
type Service struct {
	env     *site.Env
	cfg     *config.Doktornarabote
	clients map[string]*config.DoktornaraboteClient
	// pinned maps a phone (country code + number) to the code it always
	// gets, so that the seed's example works verbatim.
	pinned map[string]string

	// codes holds the latest validation code of each phone. One entry
	// carries the code, its attempt budget and when it was sent, which is
	// also what the resend throttle reads.
	codes *store.Store[*validationCode]
	// issueMu makes the throttle check and the replacement of a phone's
	// code one step, so two concurrent requests cannot both pass it.
	issueMu sync.Mutex
	outbox  *outbox

	// refresh holds the refresh tokens; access the access tokens the API
	// host accepts, by digest, until they expire or the auth host resets.
	refresh *store.Store[refreshToken]
	access  *store.Keyed[tokenKey, grant]
	// spent remembers rotated refresh tokens, so that a second use is
	// refused as refresh_token_reused.
	spent *store.Spent
	// methods are the API host's paths but the validation code: the token
	// check, then the stubs.
	methods *stub.API

	// api is the API host's writer; token the auth host's (OWIN).
	api, token oauth.Dialect
}

// New builds the service from the fixtures in env; stubs answer the API
// host's methods.
func New(env *site.Env, stubs *stub.Set) *Service {
	cfg := &env.Config.Doktornarabote
	s := &Service{
		env:     env,
		cfg:     cfg,
		clients: map[string]*config.DoktornaraboteClient{},
		pinned:  map[string]string{},
	}
	for i := range cfg.Clients {
		s.clients[cfg.Clients[i].ID] = &cfg.Clients[i]
	}
	for _, ph := range cfg.Phones {
		if ph.ValidationCode != "" {
			s.pinned[ph.Code+ph.Number] = ph.ValidationCode
		}
	}
	now, max := env.Clock.Now, env.Config.Server.MaxTokens
	s.codes = store.New[*validationCode](now, max)
	s.outbox = newOutbox(max)
	s.refresh = store.New[refreshToken](now, max)
	s.access = store.NewKeyed[tokenKey, grant](now, max)
	s.spent = store.NewSpent(now, max)
	s.methods = s.newAPI(stubs)
	s.api = oauth.Dialect{ContentType: apiContentType, Log: env.Log}
	s.token = oauth.Dialect{
		ContentType: tokenContentType,
		Headers:     owinHeaders,
		Status:      oauth.Status400, // invalid_client and an oversized body included
		Log:         env.Log,
	}
	return s
}

// API is the partner API host (testapipartner.doktornarabote.ru).
func (s *Service) API() *APISite { return &APISite{s: s} }

// Auth is the OAuth host (testauthpartner.doktornarabote.ru).
func (s *Service) Auth() *AuthSite { return &AuthSite{s: s} }

// Outbox lists the SMS sent to phone (country code + number), newest
// first; an empty phone lists every SMS.
func (s *Service) Outbox(phone string) []SMS { return s.outbox.list(phone) }

// ClearOutbox forgets every SMS sent.
func (s *Service) ClearOutbox() { s.outbox.clear() }

// APISite is the partner API host: validation codes, the SMS outbox and
// the API methods behind the tokens.
type APISite struct{ s *Service }

// Mount registers the API host's routes on r, the site's own router.
func (a *APISite) Mount(r route.Router) {
	r.HandleFunc("/api/v1/access/validation-code", a.s.validationCodeEndpoint)
	// Anything else needs a token; what no stub answers is a 404 in the
	// API's shape, as the real API answers unknown resources.
	r.Prefix("/", a.s.methods)
}

// MountControl adds the outbox to the control API; r is /_fakeidp.
func (a *APISite) MountControl(r route.Router) {
	r.HandleFunc("/sms", a.s.listSMS, http.MethodGet)
	r.HandleFunc("/sms", a.s.clearSMS, http.MethodDelete)
}

// Reset forgets every validation code, throttle and SMS.
func (a *APISite) Reset() {
	a.s.codes.Clear()
	a.s.outbox.clear()
}

// AuthSite is the OAuth host: POST /token.
type AuthSite struct{ s *Service }

// Mount registers the auth host's routes on r, the site's own router.
func (a *AuthSite) Mount(r route.Router) {
	r.HandleFunc("/token", a.s.tokenEndpoint)
}

// Reset forgets every refresh and access token.
func (a *AuthSite) Reset() {
	a.s.refresh.Clear()
	a.s.access.Clear()
	a.s.spent.Clear()
}

// RenderError writes an injected error (a fault rule) in the API's
// {type, value, description} shape: the rule's error code is the type.
func (a *APISite) RenderError(w http.ResponseWriter, r *http.Request, e *oauth.Error) {
	ae := &apiError{Type: e.Code, Description: e.Description, status: e.Status, header: e.Header}
	for _, f := range e.Extra {
		if f.Key == "value" {
			if v, ok := f.Value.(string); ok {
				ae.Value = v
			}
		}
	}
	a.s.writeAPIError(w, r, ae)
}

// RenderError writes an injected error (a fault rule) as Katana's token
// endpoint does, with the status the rule asks for.
func (a *AuthSite) RenderError(w http.ResponseWriter, r *http.Request, e *oauth.Error) {
	a.s.token.WriteInjectedError(w, r, e)
}
