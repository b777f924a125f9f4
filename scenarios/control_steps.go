package scenarios

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/cucumber/godog"
)

// registerControl adds the steps that drive the fake through its control
// API: presets, fault rules, the clock, keys and the journal.
func (s *Steps) registerControl(sc *godog.ScenarioContext) {
	sc.Step(`^the fake has the preset "([^"]*)" enabled$`, s.enablePreset)
	sc.Step(`^the fake has the fault rule:$`, s.addFault)
	sc.Step(`^the fake deletes the fault rule$`, s.deleteFault)
	sc.Step(`^the fake lists (\d+) fault rules?$`, s.faultCount)
	sc.Step(`^the fake offers the presets:$`, s.offersPresets)
	sc.Step(`^the fake's clock moves forward by "([^"]*)"$`, func(ctx context.Context, d string) error {
		return s.moveClock(ctx, map[string]string{"advance": d})
	})
	sc.Step(`^the fake's clock is set to "([^"]*)"$`, func(ctx context.Context, t string) error {
		return s.moveClock(ctx, map[string]string{"set": t})
	})
	sc.Step(`^the fake rotates its signing keys, (keeping|dropping) the old ones$`, s.rotateKeys)
	sc.Step(`^the client calls the control API "([A-Z]+) (/_fakeidp/[^"]*)"$`, s.callControl)
	sc.Step(`^a web page at "([^"]*)" calls the control API "([A-Z]+) (/_fakeidp/[^"]*)" with Content-Type "([^"]*)":$`, s.crossSiteControl)
	sc.Step(`^the client calls the control API "([A-Z]+) (/_fakeidp/[^"]*)" with Content-Type "([^"]*)"$`,
		func(ctx context.Context, method, path, contentType string) error {
			return s.crossSiteControl(ctx, "", method, path, contentType, &godog.DocString{})
		})
	sc.Step(`^the fake's journal has a "([A-Z]+)" request to "([^"]*)" path "([^"]*)" with status (\d+)$`, s.journalHas)
}

// controlJSON calls the control API expecting status and decodes the
// answer into out (when not nil).
func (s *Steps) controlJSON(ctx context.Context, method, path, body string, status int, out any) error {
	ex, err := s.control(ctx, method, path, body)
	if err != nil {
		return err
	}
	if err := ex.want(status); err != nil {
		return err
	}
	if out != nil {
		if err := json.Unmarshal(ex.body, out); err != nil {
			return fmt.Errorf("expected JSON from %s %s, got %s", method, path, ex.summary())
		}
	}
	return nil
}

func (s *Steps) enablePreset(ctx context.Context, name string) error {
	return s.controlJSON(ctx, http.MethodPost, "/_fakeidp/presets/"+url.PathEscape(name), "", http.StatusCreated, nil)
}

func (s *Steps) addFault(ctx context.Context, rule *godog.DocString) error {
	var stored struct {
		ID string `json:"id"`
	}
	if err := s.controlJSON(ctx, http.MethodPost, "/_fakeidp/faults", rule.Content, http.StatusCreated, &stored); err != nil {
		return err
	}
	s.faultID = stored.ID
	return nil
}

func (s *Steps) deleteFault(ctx context.Context) error {
	if s.faultID == "" {
		return fmt.Errorf("expected a fault rule added earlier in the scenario")
	}
	ex, err := s.control(ctx, http.MethodDelete, "/_fakeidp/faults/"+url.PathEscape(s.faultID), "")
	if err != nil {
		return err
	}
	s.last = ex
	return nil
}

func (s *Steps) faultCount(ctx context.Context, n int) error {
	var list struct {
		Rules []json.RawMessage `json:"rules"`
	}
	if err := s.controlJSON(ctx, http.MethodGet, "/_fakeidp/faults", "", http.StatusOK, &list); err != nil {
		return err
	}
	if len(list.Rules) != n {
		return fmt.Errorf("expected %d fault rules, the fake lists %d", n, len(list.Rules))
	}
	return nil
}

func (s *Steps) offersPresets(ctx context.Context, t *godog.Table) error {
	var list []struct {
		Name string `json:"name"`
	}
	if err := s.controlJSON(ctx, http.MethodGet, "/_fakeidp/presets", "", http.StatusOK, &list); err != nil {
		return err
	}
	have := map[string]bool{}
	for _, p := range list {
		have[p.Name] = true
	}
	var missing []string
	for _, r := range t.Rows {
		if name := r.Cells[0].Value; !have[name] {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return fmt.Errorf("expected the presets %s, the fake does not list them", strings.Join(missing, ", "))
	}
	return nil
}

func (s *Steps) moveClock(ctx context.Context, req map[string]string) error {
	b, _ := json.Marshal(req)
	return s.controlJSON(ctx, http.MethodPost, "/_fakeidp/clock", string(b), http.StatusOK, nil)
}

func (s *Steps) rotateKeys(ctx context.Context, how string) error {
	body := fmt.Sprintf(`{"keep_old":%t}`, how == "keeping")
	return s.controlJSON(ctx, http.MethodPost, "/_fakeidp/keys/rotate", body, http.StatusOK, nil)
}

func (s *Steps) callControl(ctx context.Context, method, path string) error {
	ex, err := s.control(ctx, method, path, "")
	if err != nil {
		return err
	}
	s.last = ex
	return nil
}

// crossSiteControl sends what another web page could: its Origin (when
// not empty) and a body type of its choosing, with the control token, so
// that the answer is the control API's guard and not a missing token.
func (s *Steps) crossSiteControl(ctx context.Context, origin, method, path, contentType string, body *godog.DocString) error {
	base, err := s.target.controlURL()
	if err != nil {
		return err
	}
	h := http.Header{}
	if origin != "" {
		h.Set("Origin", origin)
	}
	if s.cfg.ControlToken != "" {
		h.Set("Authorization", "Bearer "+s.cfg.ControlToken)
	}
	s.last = s.send(ctx, method, base+path, contentType, body.Content, h)
	return nil
}

func (s *Steps) journalHas(ctx context.Context, method, site, path string, status int) error {
	var list struct {
		Entries []struct {
			Method string `json:"method"`
			Status int    `json:"status"`
		} `json:"entries"`
	}
	q := url.Values{"site": {site}, "path": {path}}
	if err := s.controlJSON(ctx, http.MethodGet, "/_fakeidp/journal?"+q.Encode(), "", http.StatusOK, &list); err != nil {
		return err
	}
	for _, e := range list.Entries {
		if e.Method == method && e.Status == status {
			return nil
		}
	}
	return fmt.Errorf("expected the journal to hold %s %s %s with status %d; it holds %d matching entries, none with that method and status", method, site, path, status, len(list.Entries))
}
