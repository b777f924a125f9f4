// Package fault makes a site misbehave on purpose and deterministically:
// fault rules that match site requests (by site, site-relative path,
// method, grant type, client id, username or phone) and replace or disturb
// their answer — an error in the site's own dialect, any canned response,
// latency, a hang, a closed or reset connection, a truncated or malformed
// body, or a wrong Content-Type.
//
// It owns the rule format (JSON and YAML, strictly decoded and validated
// with every problem reported at once), the per-server Engine that stores
// rules and counts their matches, the site middleware that applies them,
// and the control endpoints under /_fakeidp/faults.
//
// A site's error dialect comes in through ErrorRenderer, so this package
// depends on the provider-neutral core only (oauth, site, reqinfo). It must
// not import any provider package, journal or the root package.
package fault
