package scenarios

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/cucumber/godog"
)

// livedigitalState is the livedigital client of a scenario and its tokens.
type livedigitalState struct {
	clientID, secret string
	clientToken      string
	userToken        string
	// personalID and personalToken are the cabinet's last personal token;
	// newSecret is the last secret the cabinet generated.
	personalID, personalToken string
	newSecret                 string
}

// registerLivedigital adds the livedigital token and API steps; the
// cabinet steps are in cabinet_steps.go.
func (s *Steps) registerLivedigital(sc *godog.ScenarioContext) {
	sc.Step(`^the livedigital client "([^"]*)" with secret "([^"]*)"$`, s.ldClient)
	sc.Step(`^the client requests a livedigital client token$`, s.ldClientToken)
	sc.Step(`^the client has a livedigital client token$`, s.ldHasClientToken)
	sc.Step(`^the client requests a livedigital user token for "([^"]*)" with password "([^"]*)"$`, func(ctx context.Context, u, p string) error {
		return s.ldUserToken(ctx, u, p, "", "")
	})
	sc.Step(`^the client requests a livedigital user token for "([^"]*)" with password "([^"]*)" (without a client token|with the user token|with the Bearer token "([^"]*)")$`, s.ldUserToken)
	sc.Step(`^the client has a livedigital user token for "([^"]*)" with password "([^"]*)"$`, s.ldHasUserToken)
	sc.Step(`^the client refreshes the livedigital token$`, func(ctx context.Context) error { return s.ldRefresh(ctx, false) })
	sc.Step(`^the client refreshes the livedigital token with the previous refresh token$`, func(ctx context.Context) error { return s.ldRefresh(ctx, true) })
	sc.Step(`^the client lists spaces (with the user token|with the client token|with the personal token|without a token|with the Bearer token "([^"]*)")$`, s.listSpaces)
	s.registerCabinet(sc)
}

func (s *Steps) ldClient(id, secret string) {
	s.livedigital.clientID = s.cfg.value("client_id", id)
	s.livedigital.secret = s.cfg.value("client_secret", secret)
}

// postToken posts a JSON body to /v1/auth/token.
func (s *Steps) postToken(ctx context.Context, body map[string]string, bearer string) (*exchange, error) {
	b, _ := json.Marshal(body)
	h := http.Header{}
	if bearer != "" {
		h.Set("Authorization", "Bearer "+bearer)
	}
	return s.site(ctx, "livedigital", http.MethodPost, "/v1/auth/token", "application/json", string(b), h)
}

func (s *Steps) ldClientToken(ctx context.Context) error {
	ex, err := s.postToken(ctx, map[string]string{
		"client_id": s.livedigital.clientID, "client_secret": s.livedigital.secret, "grant_type": "client_credentials",
	}, "")
	if err == nil && ex.status == http.StatusOK {
		s.livedigital.clientToken = s.tokens["access_token"]
	}
	return err
}

func (s *Steps) ldHasClientToken(ctx context.Context) error {
	if err := s.ldClientToken(ctx); err != nil {
		return err
	}
	return s.statusIs(http.StatusOK)
}

// ldUserToken asks for a user token with the client token as Bearer, or
// the user token, or with no Bearer, or another one.
func (s *Steps) ldUserToken(ctx context.Context, user, password, how, bearer string) error {
	switch how {
	case "":
		if s.livedigital.clientToken == "" {
			return fmt.Errorf("expected a client token first (\"the client has a livedigital client token\")")
		}
		bearer = s.livedigital.clientToken
	case "without a client token":
		bearer = ""
	case "with the user token":
		if s.livedigital.userToken == "" {
			return fmt.Errorf("expected a user token first (\"the client has a livedigital user token\")")
		}
		bearer = s.livedigital.userToken
	}
	ex, err := s.postToken(ctx, map[string]string{
		"client_id": s.livedigital.clientID, "client_secret": s.livedigital.secret, "grant_type": "password",
		"username": s.cfg.value("username", user), "password": s.cfg.value("password", password),
	}, bearer)
	if err == nil && ex.status == http.StatusOK {
		s.livedigital.userToken = s.tokens["access_token"]
	}
	return err
}

func (s *Steps) ldHasUserToken(ctx context.Context, user, password string) error {
	if err := s.ldHasClientToken(ctx); err != nil {
		return err
	}
	if err := s.ldUserToken(ctx, user, password, "", ""); err != nil {
		return err
	}
	return s.statusIs(http.StatusOK)
}

func (s *Steps) ldRefresh(ctx context.Context, previous bool) error {
	token, err := s.refreshToken(previous)
	if err != nil {
		return err
	}
	_, err = s.postToken(ctx, map[string]string{
		"client_id": s.livedigital.clientID, "client_secret": s.livedigital.secret,
		"grant_type": "refresh_token", "refresh_token": token,
	}, "")
	return err
}

func (s *Steps) listSpaces(ctx context.Context, how, bearer string) error {
	switch how {
	case "with the user token":
		bearer = s.livedigital.userToken
	case "with the client token":
		bearer = s.livedigital.clientToken
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
	_, err := s.site(ctx, "livedigital", http.MethodGet, "/v1/spaces/", "", "", h)
	return err
}
