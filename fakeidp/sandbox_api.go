package fakeidp

import (
	"context"

	"github.com/fakeidp/fakeidp/fakeidp/fault"
)

// Sandbox is a sandbox made in Go: an instance of its own (its own
// stores, clock, keys, fault rules, presets and journal) inside the Server
// that made it, reached through that Server's listeners under its own
// URLs, /sandbox/{id}/…. It is for one shared Server in TestMain with
// parallel tests, each in a sandbox:
//
//	sb, err := srv.NewSandbox(t.Context(), nil)
//	tokenURL := sb.SiteURL("kontur") + "/connect/token"
//
// It offers an instance's operations (SiteURL, SiteURLs, Clock,
// EnablePreset, Faults, Journal, Keys, AddStub, Reset…), each scoped to
// the sandbox, and Close; it does not listen, and holds no sandboxes.
type Sandbox struct {
	*Instance
	entry *sandbox
	reg   *sandboxes
	// unhook stops ctx from closing the sandbox.
	unhook func() bool
}

// NewSandbox makes a sandbox from the server's fixtures with overlay (a
// partial fixtures document in YAML or JSON; nil for none) applied. It is
// deleted when ctx ends or Close is called, or after an hour of no use.
// SiteURL and URL name the server's HTTP listener, so make it after
// Listen; over HTTP its URLs follow the host and scheme of each request.
func (s *Server) NewSandbox(ctx context.Context, overlay []byte) (*Sandbox, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	reg := s.host.sandboxes
	sb, err := reg.create(sandboxSpec{fixtures: overlay})
	if err != nil {
		return nil, err
	}
	x := &Sandbox{Instance: sb.in, entry: sb, reg: reg}
	x.unhook = context.AfterFunc(ctx, func() { reg.remove(sb) })
	return x, nil
}

// ID is the sandbox's id, as in its URLs and the Fakeidp-Sandbox header.
func (x *Sandbox) ID() string { return x.entry.id }

// ControlURL is the sandbox's control API, the same operations as the
// server's /_fakeidp, scoped to the sandbox.
func (x *Sandbox) ControlURL() string { return x.URL() + "/_fakeidp" }

// AddFault adds a fault rule to the sandbox; it returns the rule as
// stored, with its id.
func (x *Sandbox) AddFault(r fault.Rule) (fault.Rule, error) { return x.Faults().Add(r) }

// Close deletes the sandbox: requests already inside it finish, later
// ones get 404. It is safe to call more than once.
func (x *Sandbox) Close() {
	x.unhook()
	x.reg.remove(x.entry)
}
