// Package reqinfo reads what the fault rules and the request journal need to
// know about a site request — grant type, client id, username, phone, the
// site-relative path and the top-level body fields — in one pass, and shares
// the result through the request context so that the body is parsed once.
//
// Read never fails a request: a body that is too large, unreadable or not a
// form or JSON object simply yields no fields, and the body is always given
// back to the handler byte for byte, including the error that cut it short,
// so that the handler's own size check still fires.
//
// It owns no state. It depends on site (for the site name and prefix) only;
// it must not import any provider package, fault, journal or the root.
package reqinfo
