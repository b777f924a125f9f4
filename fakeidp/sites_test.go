package fakeidp

import (
	"slices"
	"strings"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/fault"
	"github.com/fakeidp/fakeidp/fakeidp/site"
	"github.com/fakeidp/fakeidp/fakeidp/stub"
)

// site.All is the one table of sites; adding a site is adding an entry
// there. This lists what derives from each entry, so that a new one that
// something misses fails here: the config's site names, the router (by
// prefix and by each host name), the stub sites, the TLS names, the fault
// rules' match.site and the dashboard.
func TestSiteTableDerivations(t *testing.T) {
	s, err := New(Options{})
	if err != nil {
		t.Fatal(err)
	}
	names, err := TLSNames(s.Config(), nil)
	if err != nil {
		t.Fatal(err)
	}
	dashboard := s.dashboardSites()
	for i, st := range site.All {
		// config cannot import site (site carries a *config.Config), so
		// it keeps the names; they must be the table's.
		if !slices.Contains(config.SiteNames, st.Name) {
			t.Errorf("%s: not among config.SiteNames", st.Name)
		}
		if s.sites[i] == nil {
			t.Errorf("%s: no provider built", st.Name)
		}
		for _, h := range st.Hosts {
			if j, ok := s.host.byHost[h]; !ok || j != i {
				t.Errorf("%s: host name %s routes to %d", st.Name, h, j)
			}
			if !slices.Contains(st.Production, h) && !slices.Contains(names.DNS, strings.ToLower(h)) {
				t.Errorf("%s: %s not in the TLS names", st.Name, h)
			}
		}
		if got := s.SiteURL(st.Name); got != "http://127.0.0.1:8080"+st.Prefix {
			t.Errorf("%s: SiteURL %s", st.Name, got)
		}
		isStub := slices.ContainsFunc(apiSites, func(r stub.SiteRule) bool { return r.Name == st.Name && r.Scoped == st.Scoped })
		if isStub != st.API {
			t.Errorf("%s: a stub site: %v, an API site: %v", st.Name, isStub, st.API)
		}
		if _, err := fault.NewEngine().Add(fault.Rule{Match: fault.Match{Site: st.Name}, Effect: fault.Effect{Type: fault.TypeReset}}); err != nil {
			t.Errorf("%s: a fault rule may not name it: %v", st.Name, err)
		}
		if i >= len(dashboard) || dashboard[i].Name != st.Name || (dashboard[i].Issuer != "") != st.Discovery {
			t.Errorf("%s: the dashboard lists %+v", st.Name, dashboard)
		}
	}
	if len(config.SiteNames) != len(site.All) {
		t.Errorf("config.SiteNames %v, site.All has %d", config.SiteNames, len(site.All))
	}
}
