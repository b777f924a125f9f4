package scenarios

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/cucumber/godog"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// errNoControl skips a step that needs the fake's control API on a real
// target (such scenarios are tagged @fake and normally filtered out).
var errNoControl = fmt.Errorf("%w: this step needs fakeidp's control API, and the target is the real providers", godog.ErrSkip)

// target is the server of one scenario.
type target struct {
	cfg Config
	srv *fakeidp.Server // in-process only
}

// start prepares the target for a scenario: a new in-process server, or a
// reset of a running fakeidp so that the scenario starts from the fixtures.
func (t *target) start(ctx context.Context, s *Steps) error {
	switch t.cfg.Kind() {
	case InProcess:
		srv, err := fakeidp.Start(t.cfg.Server)
		if err != nil {
			return fmt.Errorf("starting an in-process fakeidp: %w", err)
		}
		t.srv = srv
	case Fake:
		ex, err := s.control(ctx, http.MethodPost, "/_fakeidp/reset", "")
		if err != nil {
			return err
		}
		if ex.err != nil || ex.status != http.StatusOK {
			return fmt.Errorf("resetting the fakeidp at %s before the scenario: expected 200 from POST /_fakeidp/reset, got %s", t.cfg.URL, ex.summary())
		}
	}
	return nil
}

// untargeted skips, before its first step, a scenario against the real
// providers whose provider has a site without a target: the tag @kontur
// names site kontur, @doktornarabote the sites doktornarabote-*. Skipped
// whole, it is reported skipped, never passed on the steps that need no
// site.
func (t *target) untargeted(tags []string) error {
	if t.cfg.Kind() != Real {
		return nil
	}
	for _, tag := range tags {
		provider := strings.TrimPrefix(tag, "@")
		for _, st := range site.All {
			if st.Name != provider && !strings.HasPrefix(st.Name, provider+"-") {
				continue
			}
			if t.cfg.Sites[st.Name] == "" {
				return fmt.Errorf("%w: no target for site %s (set %s or --target %s=URL)", godog.ErrSkip, st.Name, SiteEnv(st.Name), st.Name)
			}
		}
	}
	return nil
}

func (t *target) stop() {
	if t.srv != nil {
		t.srv.Close()
	}
}

// siteURL is a site's base URL, without a trailing slash.
func (t *target) siteURL(name string) (string, error) {
	if u := t.cfg.Sites[name]; u != "" {
		return strings.TrimRight(u, "/"), nil
	}
	switch t.cfg.Kind() {
	case InProcess:
		return t.srv.SiteURL(name), nil
	case Fake:
		st, ok := site.ByName(name)
		if !ok {
			return "", fmt.Errorf("unknown site %q", name)
		}
		return strings.TrimRight(t.cfg.URL, "/") + st.Prefix, nil
	default:
		return "", fmt.Errorf("%w: no target for site %s (set %s or --target %s=URL)", godog.ErrSkip, name, SiteEnv(name), name)
	}
}

// controlURL is the base of the control API, or errNoControl.
func (t *target) controlURL() (string, error) {
	switch t.cfg.Kind() {
	case InProcess:
		return t.srv.URL(), nil
	case Fake:
		return strings.TrimRight(t.cfg.URL, "/"), nil
	default:
		return "", errNoControl
	}
}

// hs256Secret is livedigital's signing secret, known only for an
// in-process server (from its fixtures).
func (t *target) hs256Secret() (string, bool) {
	if t.srv == nil || t.cfg.Sites["livedigital"] != "" {
		return "", false
	}
	return t.srv.Config().Livedigital.HS256Secret, true
}

// isTimeout tells whether a request ended because the client gave up.
func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}
