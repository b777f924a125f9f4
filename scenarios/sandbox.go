package scenarios

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// sandbox is the scenario's own sandbox in a running fakeidp: each
// scenario gets a fresh one, so scenarios run in parallel, and the root
// (and anyone else's sandbox) is never reset or changed.
type sandbox struct {
	ID      string            `json:"id"`
	Sites   map[string]string `json:"sites"`
	Control string            `json:"control"`
}

// newSandbox creates the scenario's sandbox through the root's control
// API at root.
func (s *Steps) newSandbox(ctx context.Context, root string) (*sandbox, error) {
	return s.createSandbox(ctx, root, "{}")
}

// createSandbox sends POST /_fakeidp/sandboxes with body to root.
func (s *Steps) createSandbox(ctx context.Context, root, body string) (*sandbox, error) {
	// Not as the current sandbox: the registry is the root's.
	current := s.target.sandbox
	s.target.sandbox = nil
	ex := s.send(ctx, http.MethodPost, root+"/_fakeidp/sandboxes", "application/json", body, s.controlHeader())
	s.target.sandbox = current
	if ex.err != nil || ex.status != http.StatusCreated {
		return nil, fmt.Errorf("creating a sandbox in the fakeidp at %s: expected 201 from POST /_fakeidp/sandboxes, got %s", root, ex.summary())
	}
	var sb sandbox
	if err := json.Unmarshal(ex.body, &sb); err != nil || sb.ID == "" || sb.Control == "" {
		return nil, fmt.Errorf("creating a sandbox: expected {id, sites, control}, got %s", ex.summary())
	}
	return &sb, nil
}

// deleteSandbox removes sb; a failure only costs the server memory until
// the sandbox expires, so it is not the scenario's failure. It takes the
// configured timeout, not one a step shortened ("the client gives up after
// 300ms"): that was for the step's request, and on a loaded machine a
// cleanup that short fails and leaves the sandbox behind.
func (s *Steps) deleteSandbox(root string, sb *sandbox) {
	s.timeout = s.cfg.timeout() // the scenario is over
	ctx, cancel := context.WithTimeout(context.Background(), s.timeout)
	defer cancel()
	s.send(ctx, http.MethodDelete, root+"/_fakeidp/sandboxes/"+url.PathEscape(sb.ID), "", "", s.controlHeader())
}

// base is the root of the sandbox's tree, below which its control API
// lives at /_fakeidp/ as the root's does.
func (sb *sandbox) base() string { return strings.TrimSuffix(sb.Control, "/_fakeidp") }

// controlHeader carries the control token, when there is one.
func (s *Steps) controlHeader() http.Header {
	h := http.Header{}
	if s.cfg.ControlToken != "" {
		h.Set("Authorization", "Bearer "+s.cfg.ControlToken)
	}
	return h
}

// selectSandbox adds the Fakeidp-Sandbox header, which selects the
// scenario's sandbox for sites reached by their real host names or public
// URLs (as in docker-compose).
func (t *target) selectSandbox(req *http.Request) {
	if t.sandbox != nil {
		req.Header.Set(fakeidp.SandboxHeader, t.sandbox.ID)
	}
}
