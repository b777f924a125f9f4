package fakeidp

import "github.com/fakeidp/fakeidp/fakeidp/livedigital"

// Livedigital is the server's livedigital site, so Go tests can reach its
// cabinet in-process.
func (s *Instance) Livedigital() *livedigital.Site { return s.livedigital }
