package fakeidp

import (
	"net/http"
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

// Client is an HTTP client for the server that does not follow redirects,
// so that tests see the authorize endpoint's 302 themselves.
func (s *Server) Client() *http.Client {
	return &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}
}
