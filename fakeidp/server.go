package fakeidp

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"slices"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/keys"
)

// Options choose what a Server is built from. The zero value is the
// embedded default fixtures, the wall clock and crypto/rand.
type Options struct {
	// Config is the fixtures; nil means the embedded default.
	Config *config.Config
	// Now is the clock's base; nil means time.Now. The control API and
	// Clock() can still move the clock from there.
	Now func() time.Time
	// Random is the source of every token, code and key id; nil means
	// crypto/rand.
	Random io.Reader
	// Logger receives the server's logs; nil discards them.
	Logger *slog.Logger
	// ControlToken, when set, guards the control API: every /_fakeidp/
	// call needs "Authorization: Bearer <ControlToken>". Listening on an
	// address other than loopback requires one.
	ControlToken string
	// Presets are enabled at start, by name (see fixtures "presets"). They
	// are part of the state Reset returns to: a reset enables them again.
	Presets []string
	// PublicNames are host names the control API answers to, added to
	// the fixtures' server.public_names. Besides them it answers only to
	// localhost, loopback IPs, the listen addresses, the TLS hosts and the
	// hosts of the sites' public URLs.
	PublicNames []string
	// TLSDir keeps the CA of the HTTPS listener (see ListenTLS): made there
	// on the first start, reused on later ones so that trust installed once
	// keeps working. Empty means a fresh CA in memory for each server. The
	// fixtures' tls.cert_file replaces the CA altogether.
	TLSDir string
	// TLSHosts are names, beside the sites' host names, localhost,
	// 127.0.0.0/8 and ::1, that the CA may vouch for and the HTTPS
	// listener's certificate covers: DNS names or IP addresses.
	TLSHosts []string
	// WallClock is the real time that sandbox lifetimes (their ttl of no
	// use) follow; nil means time.Now. It is not the virtual clock that
	// tokens expire by: each sandbox has its own.
	WallClock func() time.Time
}

// Server is one fake identity provider: a host that listens, and the
// root instance it serves at the root of its listeners, whose operations
// (Clock, Journal, Faults, EnablePreset, AddStub, SiteURL, Reset…) it
// offers as its own. Its sandboxes are instances too, served under
// /sandbox/{id}/ (see NewSandbox). Servers share no state.
type Server struct {
	*Instance
	host *host
}

// New builds a Server without listening. Use Handler to serve it yourself,
// or Listen / Serve. It can hold sandboxes: instances of their own, built
// by the same constructor as its root instance, reached under
// /sandbox/{id}/ (see NewSandbox).
func New(opts Options) (*Server, error) {
	cfg := opts.Config
	if cfg == nil {
		c, err := config.Default()
		if err != nil {
			return nil, err
		}
		cfg = c
	}
	presets, err := loadPresets(cfg)
	if err != nil {
		return nil, err
	}
	h, err := newHost(opts, cfg)
	if err != nil {
		return nil, err
	}
	root, err := h.build(opts, cfg, presets, "")
	if err != nil {
		return nil, err
	}
	root.endpoints = append(slices.Clip(controlEndpoints), sandboxEndpoints...)
	h.root = root
	return &Server{Instance: root, host: h}, nil
}

func loadKeys(cfg *config.Config) (*keys.Set, error) {
	parse := func(field string, list []config.Key) ([]*keys.Key, error) {
		var out []*keys.Key
		var errs []error
		for i, k := range list {
			key, err := keys.Parse(k.PEM)
			if err != nil {
				errs = append(errs, fmt.Errorf("%s[%d].pem: %w", field, i, err))
				continue
			}
			out = append(out, key)
		}
		return out, errors.Join(errs...)
	}
	published, err1 := parse("keys", cfg.Keys)
	spares, err2 := parse("spare_keys", cfg.SpareKeys)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("invalid fixtures: %w", err)
	}
	if len(published) == 0 {
		// Only when no key is configured: generating one is slow and its
		// tokens will not verify after a restart.
		k, err := keys.Generate()
		if err != nil {
			return nil, err
		}
		published = []*keys.Key{k}
	}
	return keys.NewSet(published, spares)
}

// Handler serves every site and the control API, of the root instance
// and of every sandbox.
func (s *Server) Handler() http.Handler { return s.host }

// Listen binds addr and serves HTTP in the background. Port 0 picks a
// free port; URL then tells which.
func (s *Server) Listen(addr string) error { return s.host.listen(addr, false) }

// ListenTLS binds addr and serves HTTPS in the background, with HTTP/2
// offered by ALPN: the same sites, control API and state as Listen. Port 0
// picks a free port; TLSURL then tells which.
func (s *Server) ListenTLS(addr string) error { return s.host.listen(addr, true) }

// Serve serves HTTP on l until Shutdown or Close; it returns
// http.ErrServerClosed then.
func (s *Server) Serve(l net.Listener) error { return s.host.serveOn(l, false) }

// ServeTLS serves HTTPS on l, as ListenTLS does, until Shutdown or Close.
func (s *Server) ServeTLS(l net.Listener) error { return s.host.serveOn(l, true) }

// Shutdown stops accepting connections on every listener and waits for
// in-flight requests to finish, or for ctx to end.
func (s *Server) Shutdown(ctx context.Context) error { return s.host.shutdown(ctx) }

// Close shuts the server down, waiting up to five seconds for in-flight
// requests, then closing whatever is left.
func (s *Server) Close() { s.host.close() }

// Client is an HTTP client for the server that does not follow redirects,
// so that tests see the authorize endpoint's 302 themselves. It trusts the
// server's CA and dials the server for every site's host name (port 443
// to the HTTPS listener, 80 to the HTTP one), so tests can use production
// URLs such as https://identity.testkontur.ru/connect/token.
func (s *Server) Client() *http.Client { return s.host.httpClient() }

// CACertPEM is the PEM certificate of the CA behind the HTTPS listener,
// for clients to trust; it makes the CA if the server has none yet. nil
// when the fixtures name the certificate (tls.cert_file).
func (s *Server) CACertPEM() []byte { return s.host.caCertPEM() }

// ErrControlTokenRequired: the server would expose its control API beyond
// this machine without a control token.
var ErrControlTokenRequired = errors.New("fakeidp: listening beyond loopback needs a control token (--control-token or FAKEIDP_CONTROL_TOKEN): anyone who reaches the control API can reset the server, inject faults and read the journal")
