// Package doktornarabote emulates the Doktornarabote partner API and its
// OAuth server: two hosts that log a user in by phone.
//
//   - The API host (testapipartner.doktornarabote.ru) answers
//     GET /api/v1/access/validation-code?code={country}&number={phone}: it
//     issues a 4-digit validation code and "sends" it by SMS to an outbox.
//     Its errors have the API's own shape {"type","value","description"}.
//   - The auth host (testauthpartner.doktornarabote.ru) answers POST /token
//     the way an OWIN/Katana authorization server does: the password grant
//     (username = country code + number, password = the SMS code, client_id
//     and no secret) and the refresh grant, every error a 400 {"error"}.
//   - The outbox is the fake's own addition, read by tests through
//     GET/DELETE /_fakeidp/sms or Service.Outbox.
//
// It owns all of this state: validation codes per phone with their resend
// throttle and attempt budget, refresh tokens, and the outbox.
// Everything reads time from the server's clock and randomness from the
// server's random source, so tests can expire codes by advancing the clock.
//
// It follows CONTRACTS.md §2: the provider where it is documented or seen,
// the Katana framework's defaults where it is inferred.
//
// It depends on the provider-neutral core only (config, keys, clock, store,
// oauth, site); it must not import another provider or the root package.
package doktornarabote
