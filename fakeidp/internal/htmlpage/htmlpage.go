// Package htmlpage sets the headers that every HTML page of the fake sends
// (Kontur's login, error and logout pages, livedigital's cabinet, the
// dashboard, the landing page), and holds the style those pages but the
// dashboard share: one policy and one look, kept in one place.
//
// It imports no other fakeidp package.
package htmlpage

import (
	"crypto/sha256"
	_ "embed"
	"encoding/base64"
	"html/template"
	"net/http"
)

// pageCSS is the pages' style, sent inside each page rather than as a file
// beside it: Kontur's pages are reached by host name too, and a path for
// a stylesheet would be a path the real identity server does not have.
//
//go:embed page.css
var pageCSS string

// Style is the <style> element that carries the pages' style. The CSP
// allows exactly this text, by its hash, and no other inline style.
func Style() template.HTML { return template.HTML("<style>" + pageCSS + "</style>") }

// CSP lets a page load only its own resources: scripts, styles and fetches
// from its own origin, nothing inline but the shared style (by hash, so an
// injected <style> is refused), no plugins, no <base> that would move
// its relative URLs elsewhere, and no framing. It sets no form-action:
// browsers apply that to the redirect after a form post too, and the login
// form's answer redirects to the client's redirect_uri.
var CSP = "default-src 'self'; style-src 'self' '" + styleHash() + "'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

func styleHash() string {
	sum := sha256.Sum256([]byte(pageCSS))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

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
