// Package fakeidp is a fake identity provider: one server that emulates the
// auth endpoints of Kontur identity, the Doktornarabote partner API and
// livedigital, for offline, deterministic integration tests.
//
// This package is the composition root. It builds a Server from a fixtures
// file, chooses the clock and random source, mounts every site under its
// path prefix and its real host names, and serves the control API under
// /_fakeidp/. Provider packages never import it.
//
// In a Go test, start one server per test; servers share nothing:
//
//	srv := fakeidp.StartTest(t, fakeidp.Options{})
//	tokenURL := srv.SiteURL("kontur") + "/connect/token"
//
// fakeidp.StartTLS adds an HTTPS listener whose Client reaches every site
// under its production URL, e.g. https://identity.testkontur.ru.
package fakeidp
