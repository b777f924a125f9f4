// Package livedigital emulates the livedigital (moodhood) API at
// moodhood-api.livedigital.space: the JSON token endpoint POST
// /v1/auth/token issuing HS256 JWTs (client tokens, user tokens and their
// refresh tokens), one protected method to use them on (GET /v1/spaces/),
// and the personal cabinet ("Интеграция") where a user generates client
// credentials and personal tokens.
//
// The real service offers the cabinet only in its web app; the fake offers
// it through its own control API under /_fakeidp/livedigital/ and a small
// HTML page there, both clearly the fake's and not the provider's.
//
// It follows CONTRACTS.md §3: the provider's decoded tokens, not the labels
// the seed document puts on them, decide the claims. Every decision about
// time reads the server's clock; every token, secret and id is drawn from
// the server's random source.
//
// It depends on the provider-neutral core only (config, clock, store, oauth,
// site, internal/htmlpage); it must not import another provider or the
// root package.
package livedigital
