// Package ui is the dashboard at /_fakeidp/ui: one server-rendered page
// (html/template) and a little vanilla JavaScript, every asset embedded in
// the binary, so that it works offline, needs no build step and runs under
// a strict Content-Security-Policy (no inline script or style).
//
// The page drives the control API with same-origin fetch calls and watches
// the journal over Server-Sent Events. Every URL it uses is relative to the
// page, so the same page works wherever the control API is mounted (a
// sandbox's included).
//
// It owns the page, its assets and their headers. What the page shows is
// handed to it by the composition root (Dashboard.Page); it imports no
// other fakeidp package but internal/htmlpage (every page's headers) and
// must not, so that it stays presentation only.
package ui
