// Package htmlpage sets the headers that every HTML page of the fake sends
// (Kontur's login, error and logout pages, livedigital's cabinet, the
// dashboard): one policy, kept in one place.
//
// It imports no other fakeidp package.
package htmlpage

import "net/http"

// CSP lets a page load only its own resources: scripts, styles and fetches
// from its own origin, nothing inline (a page's script and style are
// embedded files served beside it), no plugins, no <base> that would move
// its relative URLs elsewhere, and no framing. It sets no form-action:
// browsers apply that to the redirect after a form post too, and the login
// form's answer redirects to the client's redirect_uri.
const CSP = "default-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

// SetHeaders marks the response as an HTML page and protects it:
//   - nosniff, so a browser never reads a response as another type than
//     the one it says it is;
//   - X-Frame-Options DENY and CSP frame-ancestors 'none' (the first for
//     browsers that predate the second), so no other page can frame the
//     login form or the cabinet and trick a click on it;
//   - CSP, above.
func SetHeaders(h http.Header) {
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("X-Frame-Options", "DENY")
	h.Set("Content-Security-Policy", CSP)
}

// Asset serves one of a page's embedded files, its script or its style,
// with nosniff so that it runs only as the type it is sent as.
func Asset(contentType string, body []byte) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Type", contentType)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Cache-Control", "no-cache")
		if r.Method == http.MethodGet {
			_, _ = w.Write(body)
		}
	}
}
