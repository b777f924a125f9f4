package scenarios

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/cucumber/godog"
)

// registerSandboxes adds the steps that make more sandboxes beside the
// scenario's and switch between them, so that features can show what one
// sandbox does is invisible in another. Every other step acts on the
// sandbox the client works in.
func (s *Steps) registerSandboxes(sc *godog.ScenarioContext) {
	sc.Step(`^a new sandbox "([^"]*)"$`, func(ctx context.Context, name string) error {
		return s.addSandbox(ctx, name, "")
	})
	sc.Step(`^a new sandbox "([^"]*)" with the fixtures:$`, func(ctx context.Context, name string, doc *godog.DocString) error {
		return s.addSandbox(ctx, name, doc.Content)
	})
	sc.Step(`^the client works in sandbox "([^"]*)"$`, s.workIn)
}

// addSandbox makes a sandbox in the fakeidp that holds the scenario's
// (in process, the scenario's own server), with a fixtures overlay in
// YAML when one is given.
func (s *Steps) addSandbox(ctx context.Context, name, fixtures string) error {
	if s.cfg.Kind() == Real {
		return errNoControl
	}
	if s.target.named[name] != nil {
		return fmt.Errorf("the scenario has a sandbox %q already", name)
	}
	body := "{}"
	if fixtures != "" {
		b, _ := json.Marshal(map[string]string{"fixtures": fixtures})
		body = string(b)
	}
	sb, err := s.createSandbox(ctx, s.target.rootURL(), body)
	if err != nil {
		return err
	}
	if s.target.named == nil {
		s.target.named = map[string]*sandbox{}
	}
	s.target.named[name] = sb
	return nil
}

func (s *Steps) workIn(_ context.Context, name string) error {
	sb := s.target.named[name]
	if sb == nil {
		return fmt.Errorf("no sandbox %q: make it first with the step 'a new sandbox %q'", name, name)
	}
	s.target.sandbox = sb
	return nil
}
