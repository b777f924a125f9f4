package scenarios

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/cucumber/godog"
)

// registerCabinet adds the steps of livedigital's cabinet ("Интеграция"),
// which the fake offers under /_fakeidp/livedigital/.
func (s *Steps) registerCabinet(sc *godog.ScenarioContext) {
	sc.Step(`^"([^"]*)" creates a personal token in the cabinet$`, s.createPersonal)
	sc.Step(`^"([^"]*)" has created a personal token in the cabinet$`, s.hasPersonal)
	sc.Step(`^"([^"]*)" lists the personal tokens in the cabinet$`, s.listPersonal)
	sc.Step(`^"([^"]*)" deletes the personal token in the cabinet$`, s.deletePersonal)
	sc.Step(`^"([^"]*)" regenerates the secret of "([^"]*)" in the cabinet$`, s.regenerateSecret)
	sc.Step(`^the client takes the new secret from the cabinet$`, s.takeNewSecret)
}

func cabinetPath(email string) string {
	return "/_fakeidp/livedigital/users/" + url.PathEscape(email)
}

// cabinet calls the cabinet and makes its answer the last response.
func (s *Steps) cabinet(ctx context.Context, method, email, path string) (*exchange, error) {
	ex, err := s.control(ctx, method, cabinetPath(email)+path, "")
	if err != nil {
		return nil, err
	}
	s.last = ex
	return ex, nil
}

func (s *Steps) createPersonal(ctx context.Context, email string) error {
	ex, err := s.cabinet(ctx, http.MethodPost, email, "/personal-tokens")
	if err != nil || ex.status != http.StatusCreated {
		return err
	}
	var pt struct{ ID, Token string }
	if err := json.Unmarshal(ex.body, &pt); err != nil {
		return fmt.Errorf("expected the personal token as JSON, got %s", ex.summary())
	}
	s.livedigital.personalID, s.livedigital.personalToken = pt.ID, pt.Token
	return nil
}

func (s *Steps) hasPersonal(ctx context.Context, email string) error {
	if err := s.createPersonal(ctx, email); err != nil {
		return err
	}
	return s.statusIs(http.StatusCreated)
}

func (s *Steps) listPersonal(ctx context.Context, email string) error {
	_, err := s.cabinet(ctx, http.MethodGet, email, "/personal-tokens")
	return err
}

func (s *Steps) deletePersonal(ctx context.Context, email string) error {
	if s.livedigital.personalID == "" {
		return fmt.Errorf("expected a personal token created earlier in the scenario")
	}
	_, err := s.cabinet(ctx, http.MethodDelete, email, "/personal-tokens/"+url.PathEscape(s.livedigital.personalID))
	return err
}

func (s *Steps) regenerateSecret(ctx context.Context, email, clientID string) error {
	ex, err := s.cabinet(ctx, http.MethodPost, email, "/clients/"+url.PathEscape(clientID)+"/secret")
	if err != nil || ex.status != http.StatusOK {
		return err
	}
	var c struct {
		ClientSecret string `json:"clientSecret"`
	}
	if err := json.Unmarshal(ex.body, &c); err != nil || c.ClientSecret == "" {
		return fmt.Errorf("expected the client with its new clientSecret, got %s", ex.summary())
	}
	s.livedigital.newSecret = c.ClientSecret
	return nil
}

func (s *Steps) takeNewSecret() error {
	if s.livedigital.newSecret == "" {
		return fmt.Errorf("expected the cabinet to have generated a secret earlier in the scenario")
	}
	s.livedigital.secret = s.livedigital.newSecret
	return nil
}
