package scenarios

import (
	"context"
	"net/http"
	"net/http/cookiejar"
	"time"

	"github.com/cucumber/godog"
)

// Steps is the state of one scenario and the steps that act on it. Build
// a new one for every scenario (Register does), never share one.
type Steps struct {
	cfg    Config
	target *target
	client *http.Client
	// timeout bounds each request; a step may shorten it.
	timeout time.Duration

	// last is the last answer from a site (or a control call a step
	// asserts on).
	last *exchange
	// tokens are the latest tokens seen by field name (access_token,
	// refresh_token, id_token); prevRefresh is the refresh token before.
	tokens      map[string]string
	prevRefresh string

	kontur      konturState
	browser     browserState
	dnr         dnrState
	livedigital livedigitalState
	faultID     string
}

// New builds the state of one scenario.
func New(cfg Config) *Steps {
	jar, _ := cookiejar.New(nil)
	return &Steps{
		cfg:     cfg,
		target:  &target{cfg: cfg},
		timeout: cfg.timeout(),
		client: &http.Client{
			Transport: cfg.transport(),
			Jar:       jar,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		},
		tokens: map[string]string{},
	}
}

// Register adds every step to sc with fresh state for this scenario: the
// usual scenario initializer is
//
//	func(sc *godog.ScenarioContext) { scenarios.Register(sc, cfg) }
func Register(sc *godog.ScenarioContext, cfg Config) *Steps {
	s := New(cfg)
	s.RegisterSteps(sc)
	return s
}

// RegisterSteps adds the steps and the hooks that start and stop the
// scenario's target.
func (s *Steps) RegisterSteps(sc *godog.ScenarioContext) {
	sc.Before(func(ctx context.Context, scenario *godog.Scenario) (context.Context, error) {
		var tags []string
		for _, tag := range scenario.Tags {
			tags = append(tags, tag.Name)
		}
		if err := s.target.untargeted(tags); err != nil {
			return ctx, err
		}
		return ctx, s.target.start(ctx, s)
	})
	sc.After(func(ctx context.Context, _ *godog.Scenario, err error) (context.Context, error) {
		s.target.stop()
		s.client.CloseIdleConnections()
		return ctx, nil
	})
	s.registerAssertions(sc)
	s.registerJWT(sc)
	s.registerKontur(sc)
	s.registerBrowser(sc)
	s.registerDoktornarabote(sc)
	s.registerLivedigital(sc)
	s.registerControl(sc)
	s.registerAPI(sc)
	s.registerSandboxes(sc)
}

// remember keeps the tokens of a successful token answer.
func (s *Steps) remember(ex *exchange) {
	if ex.err != nil || ex.status != http.StatusOK {
		return
	}
	doc, err := ex.jsonBody()
	if err != nil {
		return
	}
	obj, ok := doc.value.(map[string]any)
	if !ok {
		return
	}
	for _, field := range []string{"access_token", "refresh_token", "id_token"} {
		v, ok := obj[field].(string)
		if !ok {
			continue
		}
		if field == "refresh_token" && s.tokens[field] != "" {
			s.prevRefresh = s.tokens[field]
		}
		s.tokens[field] = v
	}
}
