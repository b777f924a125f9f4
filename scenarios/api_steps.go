package scenarios

import (
	"context"
	"fmt"
	"net/http"

	"github.com/cucumber/godog"
)

// registerAPI adds the steps that stub the providers' APIs and call them
// with the scenario's tokens.
//
// Against the real providers a stub step skips (it needs the control
// API), an API call needs a target for the API site (--target
// medi-api=URL…) and skips otherwise, and only GET and HEAD are sent: a
// contract test must not change anything on a real API.
func (s *Steps) registerAPI(sc *godog.ScenarioContext) {
	sc.Step(`^the fake has the stubs?:$`, s.addStubs)
	sc.Step(`^the client calls "([A-Z]+) ([^"]*)" on "([^"]*)" (with the access token|with the client token|with the user token|with the personal token|without a token|with the Bearer token "([^"]*)")$`, s.callAPI)
}

// addStubs installs one stub, or {"stubs":[…]}, through the control API.
func (s *Steps) addStubs(ctx context.Context, doc *godog.DocString) error {
	return s.controlJSON(ctx, http.MethodPost, "/_fakeidp/stubs", doc.Content, http.StatusCreated, nil)
}

// callAPI calls an API site with one of the scenario's tokens.
func (s *Steps) callAPI(ctx context.Context, method, path, siteName, how, bearer string) error {
	if s.cfg.Kind() == Real && method != http.MethodGet && method != http.MethodHead {
		return fmt.Errorf("%w: a real API is only called with GET or HEAD, not %s", godog.ErrSkip, method)
	}
	switch how {
	case "with the access token":
		bearer = s.tokens["access_token"]
	case "with the client token":
		bearer = s.livedigital.clientToken
	case "with the user token":
		bearer = s.livedigital.userToken
	case "with the personal token":
		bearer = s.livedigital.personalToken
	}
	if bearer == "" && how != "without a token" {
		return s.noTokenToSend(how)
	}
	h := http.Header{}
	if bearer != "" {
		h.Set("Authorization", "Bearer "+bearer)
	}
	_, err := s.site(ctx, siteName, method, path, "", "", h)
	return err
}

// noTokenToSend: a step needs a token that no earlier answer gave; the
// last answer (and, from a fakeidp, its journal) says why.
func (s *Steps) noTokenToSend(how string) error {
	return fmt.Errorf("expected the scenario to hold a token to send (%s); the last answer was %s", how, s.last.summary())
}
