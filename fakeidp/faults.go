package fakeidp

import (
	"fmt"
	"sort"
	"strings"
	"sync"

	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/fault"
	"github.com/fakeidp/fakeidp/fakeidp/journal"
	"github.com/fakeidp/fakeidp/fakeidp/keys"
)

// preset is a named error case from the fixtures: fault rules, and actions
// that are not rules (key rotation).
type preset struct {
	name, description string
	rules             fault.Checked
	actions           []string
}

// presetActions are the actions a preset may name.
var presetActions = map[string]func(*Instance) error{
	"rotate_keys": func(s *Instance) error { _, err := s.RotateKeys(true); return err },
}

// defaultPresets are the embedded default fixtures' presets, parsed
// once: those fixtures live as long as the process, and most servers
// (every test's) start from them. Any other Config's presets are parsed
// for the Server built from it and live as long as that Server.
var defaultPresets struct {
	once    sync.Once
	presets map[string]*preset
	err     error
}

// loadPresets validates a config's presets.
func loadPresets(cfg *config.Config) (map[string]*preset, error) {
	if def, err := config.Default(); err == nil && def == cfg {
		defaultPresets.once.Do(func() { defaultPresets.presets, defaultPresets.err = parsePresets(cfg) })
		return defaultPresets.presets, defaultPresets.err
	}
	return parsePresets(cfg)
}

// parsePresets validates a config's presets.
func parsePresets(cfg *config.Config) (map[string]*preset, error) {
	out := map[string]*preset{}
	var problems config.Problems
	for i, p := range cfg.Presets {
		rules, err := fault.DecodeYAML(p.Rules)
		rules = rules.FromPreset(p.Name)
		if err != nil {
			problems = append(problems, fmt.Sprintf("presets[%d] (%s): %v", i, p.Name, err))
		}
		for j, a := range p.Actions {
			if presetActions[a] == nil {
				problems = append(problems, fmt.Sprintf("presets[%d].actions[%d]: unknown action %q (known: rotate_keys)", i, j, a))
			}
		}
		if len(p.Rules) > cfg.Server.MaxFaultRules {
			problems = append(problems, fmt.Sprintf("presets[%d] (%s): %d rules, more than server.max_fault_rules (%d)", i, p.Name, len(p.Rules), cfg.Server.MaxFaultRules))
		}
		if len(p.Rules) == 0 && len(p.Actions) == 0 {
			problems = append(problems, fmt.Sprintf("presets[%d] (%s): has neither rules nor actions", i, p.Name))
		}
		out[p.Name] = &preset{name: p.Name, description: p.Description, rules: rules, actions: p.Actions}
	}
	if err := problems.FileErr("fixtures"); err != nil {
		return nil, err
	}
	return out, nil
}

// PresetInfo describes a preset, as GET /_fakeidp/presets lists it.
type PresetInfo struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	// Rules is how many fault rules enabling it adds.
	Rules   int      `json:"rules"`
	Actions []string `json:"actions,omitempty"`
	// Enabled: some of the rules it added are in place.
	Enabled bool `json:"enabled"`
}

// Presets describes every preset, sorted by name.
func (s *Instance) Presets() []PresetInfo {
	out := []PresetInfo{}
	for _, name := range s.PresetNames() {
		p := s.presets[name]
		out = append(out, PresetInfo{Name: name, Description: p.description,
			Rules: len(p.rules.Rules()), Actions: p.actions, Enabled: s.PresetEnabled(name)})
	}
	return out
}

// PresetNames lists the presets this server knows.
func (s *Instance) PresetNames() []string {
	names := make([]string, 0, len(s.presets))
	for n := range s.presets {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func (s *Instance) preset(name string) (*preset, error) {
	if p, ok := s.presets[name]; ok {
		return p, nil
	}
	return nil, fmt.Errorf("unknown preset %q; known: %s", truncate(name, 60), strings.Join(s.PresetNames(), ", "))
}

// EnablePreset adds a preset's fault rules and runs its actions. It returns
// the rules as stored, with their ids.
func (s *Instance) EnablePreset(name string) ([]fault.Rule, error) {
	p, err := s.preset(name)
	if err != nil {
		return nil, err
	}
	var added []fault.Rule
	if len(p.rules.Rules()) > 0 {
		s.presetMu.Lock()
		rules, err := s.faults.AddChecked(p.rules)
		if err == nil {
			s.trackPreset(name, rules)
		}
		s.presetMu.Unlock()
		if err != nil {
			return nil, err
		}
		added = rules
	}
	return added, s.runActions(p)
}

// trackPreset notes the ids of the rules a preset added. s.presetMu is
// held.
func (s *Instance) trackPreset(name string, added []fault.Rule) {
	if s.presetRules == nil {
		s.presetRules = map[string][]string{}
	}
	for _, r := range added {
		s.presetRules[name] = append(s.presetRules[name], r.ID)
	}
}

// PresetEnabled reports whether any fault rule a preset added is still in
// place. A preset of actions only (a key rotation) is never enabled: what
// it did cannot be undone.
func (s *Instance) PresetEnabled(name string) bool {
	s.presetMu.Lock()
	defer s.presetMu.Unlock()
	for _, id := range s.presetRules[name] {
		if _, ok := s.faults.Get(id); ok {
			return true
		}
	}
	return false
}

// DisablePreset removes the fault rules the preset added, however often it
// was enabled, and reports how many were still in place. Its actions stay
// done.
func (s *Instance) DisablePreset(name string) (int, error) {
	if _, err := s.preset(name); err != nil {
		return 0, err
	}
	s.presetMu.Lock()
	defer s.presetMu.Unlock()
	removed := 0
	for _, id := range s.presetRules[name] {
		if s.faults.Delete(id) {
			removed++
		}
	}
	delete(s.presetRules, name)
	return removed, nil
}

func (s *Instance) runActions(p *preset) error {
	for _, a := range p.actions {
		if err := presetActions[a](s); err != nil {
			return err
		}
	}
	return nil
}

// restoreStartPresets puts back the presets enabled at start, as part of
// the state Reset returns to (as WireMock's reset returns to the mappings
// loaded at start). Their rules replace every rule in one step, so no
// request slips between the reset and the presets.
func (s *Instance) restoreStartPresets() error {
	var rules []fault.Checked
	for _, name := range s.startPresets {
		rules = append(rules, s.presets[name].rules)
	}
	s.presetMu.Lock()
	stored, err := s.faults.ReplaceChecked(fault.Join(rules...))
	if err == nil {
		clear(s.presetRules)
		for _, name := range s.startPresets {
			n := len(s.presets[name].rules.Rules())
			s.trackPreset(name, stored[:n])
			stored = stored[n:]
		}
	}
	s.presetMu.Unlock()
	if err != nil {
		return err
	}
	for _, name := range s.startPresets {
		if err := s.runActions(s.presets[name]); err != nil {
			return err
		}
	}
	return nil
}

// Faults is the server's fault engine: add, list and delete rules in Go.
func (s *Instance) Faults() *fault.Engine { return s.faults }

// Journal is the server's request journal.
func (s *Instance) Journal() *journal.Journal { return s.journal }

// RotateKeys makes a new key sign. With keepOld the previous keys stay in
// the JWKS; without, tokens they signed stop verifying.
func (s *Instance) RotateKeys(keepOld bool) (*keys.Key, error) {
	return s.env.Keys.Rotate(keepOld)
}
