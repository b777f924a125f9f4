package fakeidp

import (
	"fmt"

	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/internal/budget"
	"github.com/fakeidp/fakeidp/fakeidp/site"
	"github.com/fakeidp/fakeidp/fakeidp/stub"
)

// apiSites are the sites whose answers are stubs, and whether their
// tokens carry scopes a stub may require: the API sites of site.All.
var apiSites = func() []stub.SiteRule {
	var out []stub.SiteRule
	for _, st := range site.All {
		if st.API {
			out = append(out, stub.SiteRule{Name: st.Name, Scoped: st.Scoped})
		}
	}
	return out
}()

// loadStubs builds the server's stubs from the fixtures' "stubs:".
func loadStubs(cfg *config.Config, b *budget.Budget) (*stub.Set, error) {
	fixtures, err := stub.DecodeYAML(cfg.Stubs)
	if err != nil {
		return nil, fmt.Errorf("invalid fixtures: %w", err)
	}
	set, err := stub.NewSet(stub.Options{Sites: apiSites, MaxBody: int(cfg.Server.MaxBodyBytes), Fixtures: fixtures, Budget: b})
	if err != nil {
		return nil, fmt.Errorf("invalid fixtures: %w", err)
	}
	return set, nil
}

// AddStub adds a stub, as POST /_fakeidp/stubs does, and returns its id.
// Reset removes it again.
func (s *Instance) AddStub(st stub.Stub) (string, error) {
	stored, err := s.stubs.Add(st)
	if err != nil {
		return "", err
	}
	return stored[0].ID, nil
}

// Stubs is the server's stub set, for Go tests that list or delete stubs.
func (s *Instance) Stubs() *stub.Set { return s.stubs }
