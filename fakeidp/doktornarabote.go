package fakeidp

import "github.com/fakeidp/fakeidp/fakeidp/doktornarabote"

// Doktornarabote is the server's Doktornarabote fake, whose Outbox lets a Go
// test read the SMS code it has just requested.
func (s *Instance) Doktornarabote() *doktornarabote.Service { return s.dnr }
