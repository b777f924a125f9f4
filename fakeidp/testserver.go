package fakeidp

import (
	"testing"
)

// Start builds a Server and serves it on a free loopback port, like
// httptest.NewServer. Close it when done.
func Start(opts Options) (*Server, error) {
	s, err := New(opts)
	if err != nil {
		return nil, err
	}
	if err := s.Listen("127.0.0.1:0"); err != nil {
		return nil, err
	}
	return s, nil
}

// StartTest starts a Server for one test and closes it in t.Cleanup.
func StartTest(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s, err := Start(opts)
	if err != nil {
		tb.Fatalf("fakeidp: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// StartTLS starts a Server for one test with an HTTP and an HTTPS listener
// on free loopback ports, and closes it in t.Cleanup. Its Client trusts the
// server's CA and reaches every site under its production URL, e.g.
// https://identity.testkontur.ru; TLSSiteURL gives the prefix form.
func StartTLS(tb testing.TB, opts Options) *Server {
	tb.Helper()
	s := StartTest(tb, opts)
	if err := s.ListenTLS("127.0.0.1:0"); err != nil {
		tb.Fatalf("fakeidp: %v", err)
	}
	return s
}
