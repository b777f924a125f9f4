// Package journal keeps a bounded, newest-first record of the requests a
// server's sites received — time, site, method, path, query, body fields,
// headers, status, duration, client — for tests and people to see what a
// client really sent.
//
// It owns the ring buffer, the redaction of secrets (passwords, client
// secrets, codes, tokens, credentials in headers are cut to a short prefix
// before anything is stored, so no secret is ever kept in full), the site
// middleware that records each request once it completes, the control
// endpoints under /_fakeidp/journal, and the live stream of new entries
// (Server-Sent Events) that dashboards watch without ever slowing a
// request down.
//
// It depends on reqinfo (for the parsed request) and site only; it must not
// import fault, any provider package or the root package.
package journal
