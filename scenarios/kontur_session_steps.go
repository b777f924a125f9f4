package scenarios

import (
	"context"
	"fmt"
	"net/http"
	"net/url"

	"github.com/cucumber/godog"
)

// registerKonturSession adds the steps that end what a sign-in started:
// token revocation (RFC 7009) and RP-initiated logout.
func (s *Steps) registerKonturSession(sc *godog.ScenarioContext) {
	sc.Step(`^the client revokes the (access|refresh) token$`, s.revokeOwn)
	sc.Step(`^the client revokes the token "([^"]*)"$`, s.revoke)
	sc.Step(`^the user's browser opens the Kontur end-session URL with the id_token, post_logout_redirect_uri "([^"]*)" and state "([^"]*)"$`, func(ctx context.Context, uri, state string) error {
		return s.endSession(ctx, true, uri, state)
	})
	sc.Step(`^the user's browser opens the Kontur end-session URL with post_logout_redirect_uri "([^"]*)" and state "([^"]*)"$`, func(ctx context.Context, uri, state string) error {
		return s.endSession(ctx, false, uri, state)
	})
	sc.Step(`^the browser is redirected to "([^"]*)" with state "([^"]*)"$`, s.redirectedWithState)
	sc.Step(`^the browser stays with the provider, on a page$`, s.staysOnPage)
}

func (s *Steps) revokeOwn(ctx context.Context, kind string) error {
	token, err := s.token(kind + "_token")
	if err != nil {
		return err
	}
	return s.revoke(ctx, token)
}

// revoke posts the token with the client's credentials in HTTP Basic.
func (s *Steps) revoke(ctx context.Context, token string) error {
	h := http.Header{"Authorization": {basic(s.kontur.clientID, s.kontur.secret)}}
	return s.postKontur(ctx, "/connect/revocation", url.Values{"token": {token}}, h)
}

// endSession opens the end-session endpoint in the user's browser (the
// one that signed in, cookies and all) and follows the provider's
// redirects until the browser reaches the post-logout URI or a page. The
// post-logout URI is the code flow's redirect URI, replaced like it for a
// real target.
func (s *Steps) endSession(ctx context.Context, withHint bool, uri, state string) error {
	q := url.Values{"post_logout_redirect_uri": {s.cfg.value("redirect_uri", uri)}, "state": {state}}
	if withHint {
		hint, err := s.token("id_token")
		if err != nil {
			return err
		}
		q.Set("id_token_hint", hint)
	}
	base, err := s.target.siteURL("kontur")
	if err != nil {
		return err
	}
	s.browser.redirectURI, s.browser.callback = q.Get("post_logout_redirect_uri"), nil
	return s.browse(ctx, http.MethodGet, base+"/connect/endsession?"+q.Encode(), "")
}

func (s *Steps) redirectedWithState(uri, state string) error {
	q, err := s.callback(uri)
	if err != nil {
		return err
	}
	if q.Get("state") != state {
		return fmt.Errorf("expected state=%s in the redirect, got state=%q", state, q.Get("state"))
	}
	return nil
}

func (s *Steps) staysOnPage() error {
	if s.browser.callback != nil {
		return fmt.Errorf("expected no redirect to %s, but the browser was sent to %s", s.browser.redirectURI, redactURL(s.browser.callback.String()))
	}
	return s.statusIs(http.StatusOK)
}
