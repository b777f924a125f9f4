// Package scenarios is fakeidp's Gherkin step library: the steps behind
// the provider contract in package features, exported so that anyone can
// write features of their own with them.
//
// Register adds every step to a godog scenario, with state that belongs to
// that scenario alone (a Steps value), so scenarios run concurrently.
// Config chooses the target:
//
//   - InProcess (the zero Config): a fresh fakeidp per scenario, in this
//     process, on a free loopback port;
//   - Fake (Config.URL): a running fakeidp, each scenario in a fresh
//     sandbox of its own (deleted after it), so scenarios run in parallel
//     and the root is never reset;
//   - Real (Config.Sites without URL): the providers' own servers. Seed
//     example credentials are replaced by Config.Values, scenarios tagged
//     @fake are filtered out, and a step that needs an SMS code uses
//     Config.SMSCode or skips.
//
// The steps talk to the sites and to the control API (/_fakeidp/) over
// HTTP only, each request bounded by a timeout. Signatures are verified
// with go-jose: RS256 against the Kontur JWKS, HS256 against livedigital's
// secret, which only an in-process target can know (read from its
// fixtures); against other targets the HS256 signature check is skipped.
//
// Run runs a set of features with godog (Strict, Randomize, concurrent for
// in-process targets); FromEnv builds a Config from FAKEIDP_* variables.
//
// This package imports the fakeidp root package only to start in-process
// servers and read their fixtures; it must not import provider packages.
package scenarios
