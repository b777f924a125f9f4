package scenarios

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// Resolve checks that the target answers and completes cfg with what a
// running fakeidp says about itself. For a running fakeidp it calls
// GET /_fakeidp/health and takes the sites' public URLs from it, so that
// issuers match when the fixtures name public URLs (as in docker-compose);
// for real providers it dials each site. It fails fast, with a message
// saying what was expected, when a target cannot be reached.
func Resolve(ctx context.Context, cfg Config) (Config, error) {
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	switch cfg.Kind() {
	case Fake:
		return resolveFake(ctx, cfg)
	case Real:
		return cfg, dialSites(ctx, cfg)
	}
	return cfg, nil
}

// HealthReport is what GET /_fakeidp/health answers: "ok" and each site's
// base URL.
type HealthReport struct {
	Status string            `json:"status"`
	Sites  map[string]string `json:"sites"`
}

func resolveFake(ctx context.Context, cfg Config) (Config, error) {
	h, err := Health(ctx, cfg)
	if err != nil {
		return cfg, err
	}
	base := strings.TrimRight(cfg.URL, "/")
	sites := map[string]string{}
	for name, u := range h.Sites {
		st, ok := site.ByName(name)
		// A URL without a configured public host is the listener's own
		// (maybe 127.0.0.1 of another machine): reach it through cfg.URL.
		if !ok || strings.HasSuffix(strings.TrimRight(u, "/"), st.Prefix) {
			continue
		}
		sites[name] = u
	}
	for name, u := range cfg.Sites {
		sites[name] = u // explicit targets win
	}
	if len(sites) > 0 {
		cfg.Sites = sites
	}
	cfg.URL = base
	return cfg, nil
}

// Health calls GET /_fakeidp/health of the running fakeidp at cfg.URL.
func Health(ctx context.Context, cfg Config) (*HealthReport, error) {
	ctx, cancel := context.WithTimeout(ctx, min(cfg.timeout(), 5*time.Second))
	defer cancel()
	u := strings.TrimRight(cfg.URL, "/") + "/_fakeidp/health"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL: %v", cfg.URL, err)
	}
	if cfg.ControlToken != "" {
		req.Header.Set("Authorization", "Bearer "+cfg.ControlToken)
	}
	transport := cfg.transport()
	defer transport.CloseIdleConnections()
	resp, err := (&http.Client{Transport: transport}).Do(req)
	if err != nil {
		return nil, fmt.Errorf("cannot reach a fakeidp at %s: %v (expected 200 JSON from GET /_fakeidp/health)", cfg.URL, err)
	}
	defer resp.Body.Close()
	ex := &exchange{method: http.MethodGet, url: u, status: resp.StatusCode, header: resp.Header}
	ex.body, ex.readErr = readAll(resp)
	if resp.StatusCode == http.StatusUnauthorized {
		return nil, fmt.Errorf("the fakeidp at %s refused the control token (set FAKEIDP_CONTROL_TOKEN to the server's token): %s", cfg.URL, ex.summary())
	}
	var h HealthReport
	if resp.StatusCode != http.StatusOK || json.Unmarshal(ex.body, &h) != nil {
		return nil, fmt.Errorf("%s is not a fakeidp: expected 200 JSON from GET /_fakeidp/health, got %s", cfg.URL, ex.summary())
	}
	return &h, nil
}

// dialSites opens a TCP connection to each real site, so that a target
// that cannot be reached fails at once rather than in every scenario.
func dialSites(ctx context.Context, cfg Config) error {
	var errs []error
	dial := (&net.Dialer{}).DialContext
	if cfg.DialContext != nil {
		dial = cfg.DialContext
	}
	ctx, cancel := context.WithTimeout(ctx, min(cfg.timeout(), 5*time.Second))
	defer cancel()
	for _, name := range sortedKeys(cfg.Sites) {
		u, _ := url.Parse(cfg.Sites[name])
		port := u.Port()
		if port == "" {
			port = map[string]string{"http": "80", "https": "443"}[u.Scheme]
		}
		conn, err := dial(ctx, "tcp", net.JoinHostPort(u.Hostname(), port))
		if err != nil {
			errs = append(errs, fmt.Errorf("cannot reach %s at %s: %v", name, cfg.Sites[name], err))
			continue
		}
		conn.Close()
	}
	return errors.Join(errs...)
}

func readAll(resp *http.Response) ([]byte, error) {
	return io.ReadAll(io.LimitReader(resp.Body, maxBody))
}
