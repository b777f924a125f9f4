package scenarios

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
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
	// sandbox is the one the scenario works in: in a running fakeidp,
	// its own (own) unless a step switched to another; in process, none
	// (the server is the scenario's) unless a step switched.
	sandbox, own *sandbox
	// named are the sandboxes the scenario's steps made, by name.
	named map[string]*sandbox
	// steps is the scenario's, for the sandboxes' own calls.
	steps *Steps
}

// start prepares the target for a scenario: a new in-process server, or a
// new sandbox in a running fakeidp, so that the scenario starts from the
// fixtures without touching anyone else's state.
func (t *target) start(ctx context.Context, s *Steps) error {
	switch t.cfg.Kind() {
	case InProcess:
		srv, err := fakeidp.Start(t.cfg.Server)
		if err != nil {
			return fmt.Errorf("starting an in-process fakeidp: %w", err)
		}
		t.srv = srv
	case Fake:
		sb, err := s.newSandbox(ctx, strings.TrimRight(t.cfg.URL, "/"))
		if err != nil {
			return err
		}
		t.sandbox, t.own = sb, sb
	}
	t.steps = s
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
		t.srv.Close() // its sandboxes go with it
		t.srv, t.sandbox, t.named = nil, nil, nil
		return
	}
	for _, sb := range append(slices.Collect(maps.Values(t.named)), t.own) {
		if sb != nil {
			t.steps.deleteSandbox(t.rootURL(), sb)
		}
	}
	t.sandbox, t.own, t.named = nil, nil, nil
}

// rootURL is the base of the fakeidp that holds the scenario's sandboxes.
func (t *target) rootURL() string {
	if t.srv != nil {
		return t.srv.URL()
	}
	return strings.TrimRight(t.cfg.URL, "/")
}

// siteURL is a site's base URL, without a trailing slash.
func (t *target) siteURL(name string) (string, error) {
	if u := t.cfg.Sites[name]; u != "" {
		return strings.TrimRight(u, "/"), nil
	}
	if t.sandbox != nil && t.sandbox.Sites[name] != "" {
		return strings.TrimRight(t.sandbox.Sites[name], "/"), nil
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
	if t.sandbox != nil {
		return t.sandbox.base(), nil
	}
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
	// A sandbox's secret is its own, derived on the server.
	if t.srv == nil || t.sandbox != nil || t.cfg.Sites["livedigital"] != "" {
		return "", false
	}
	return t.srv.Config().Livedigital.HS256Secret, true
}

// isTimeout tells whether a request ended because the client gave up.
func isTimeout(err error) bool {
	var ne interface{ Timeout() bool }
	return errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout())
}
