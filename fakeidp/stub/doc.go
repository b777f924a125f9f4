// Package stub is what the fake's API sites answer once a token is
// accepted: stubs that match a site, a method and a path template, and
// answer with a status, headers and a JSON or raw body in which
// ${token.sub}, ${token.client_id}, ${token.scope}, ${path.NAME} and
// ${query.NAME} are filled in.
//
// It owns the stub format (JSON from the control API and the Go API, YAML
// from the fixtures' "stubs:", strictly decoded and validated with every
// problem reported at once), the per-server Set that indexes the stubs by
// path, the pipeline every API site runs (the token first, then the stubs,
// then a 404 in the site's dialect) and the control endpoints under
// /_fakeidp/stubs.
//
// How a token is checked and how refusals look belong to each provider's
// package; they come in through API. This package depends on the
// provider-neutral core only (config, internal/budget,
// internal/controljson, internal/strictjson, site); it must not
// import any provider package, journal, fault or the root package.
package stub
