package fault

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp/oauth"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// ErrorRenderer writes an error in a site's own dialect. The rule's status
// is in e.Status and must be honoured: a rule that says 503 means 503.
type ErrorRenderer interface {
	RenderError(w http.ResponseWriter, r *http.Request, e *oauth.Error)
}

// RenderFunc adapts a function to ErrorRenderer.
type RenderFunc func(w http.ResponseWriter, r *http.Request, e *oauth.Error)

// RenderError calls f.
func (f RenderFunc) RenderError(w http.ResponseWriter, r *http.Request, e *oauth.Error) { f(w, r, e) }

// DialectRenderer renders errors with d's content type and headers but the
// rule's status (oauth.Dialect.WriteInjectedError).
func DialectRenderer(d oauth.Dialect) ErrorRenderer {
	return RenderFunc(d.WriteInjectedError)
}

// defaultRenderer is plain OAuth JSON, for sites without a renderer.
var defaultRenderer = DialectRenderer(oauth.Dialect{ContentType: "application/json"})

// Middleware applies the engine's rules to a site's requests. Chain it
// inside reqinfo.Middleware, which supplies the fields rules match on, and
// inside the journal, so that injected faults are journalled too.
//
// render writes error effects in the site's dialect (nil: plain OAuth
// JSON). stop must be closed when the server begins shutting down: hang
// and latency effects end then, so graceful shutdown never waits on them.
func (e *Engine) Middleware(render ErrorRenderer, stop <-chan struct{}) func(http.Handler) http.Handler {
	if render == nil {
		render = defaultRenderer
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !e.hasRules() {
				next.ServeHTTP(w, r)
				return
			}
			q := requestOf(r)
			en := e.pick(&q)
			if en == nil {
				next.ServeHTTP(w, r)
				return
			}
			apply(en, w, r, next, render, stop)
		})
	}
}

func apply(en *entry, w http.ResponseWriter, r *http.Request, next http.Handler, render ErrorRenderer, stop <-chan struct{}) {
	eff := &en.rule.Effect
	if eff.Type != TypeLatency {
		// Recorded before the answer is written, so that the explain
		// header can carry it. A delayed request is answered by its
		// handler, which gives its own reason, if any.
		site.RefuseByFault(r, en.rule.ID, en.rule.Preset, explain(&en.rule))
	}
	switch eff.Type {
	case TypeError:
		render.RenderError(w, r, eff.oauthError())
	case TypeResponse:
		writeResponse(w, eff)
	case TypeLatency:
		if sleep(r.Context(), en.delay, stop) {
			next.ServeHTTP(w, r)
		}
	case TypeHang:
		// net/http notices a client hanging up (and cancels the context)
		// only once the request body has been read to its end.
		_, _ = io.Copy(io.Discard, r.Body)
		select {
		case <-r.Context().Done(): // the client gave up
		case <-stop:
			dropConnection(w, false)
		}
	case TypeClose:
		dropConnection(w, false)
	case TypeReset:
		dropConnection(w, true)
	case TypeTruncate:
		rewriteBody(w, r, next, truncated)
	case TypeMalformed:
		rewriteBody(w, r, next, brokenJSON)
	case TypeContentType:
		serveWithContentType(w, r, next, eff.ContentType)
	}
}

// explain says what rule r did to a request, for the journal.
func explain(r *Rule) string {
	eff := &r.Effect
	var did string
	switch eff.Type {
	case TypeError:
		did = fmt.Sprintf("answered with error %s (status %d)", eff.Error, cmp.Or(eff.Status, http.StatusBadRequest))
	case TypeResponse:
		did = fmt.Sprintf("answered with its own response (status %d)", cmp.Or(eff.Status, http.StatusOK))
	case TypeHang:
		did = "held the request without answering"
	case TypeClose:
		did = "closed the connection without an answer"
	case TypeReset:
		did = "reset the connection without an answer"
	case TypeTruncate:
		did = "cut the real answer's body in half"
	case TypeMalformed:
		did = "broke the real answer's JSON"
	case TypeContentType:
		did = "replaced the real answer's Content-Type with " + cmp.Or(eff.ContentType, "text/html; charset=utf-8")
	}
	by := "fault rule " + r.ID
	if r.Preset != "" {
		by += " (preset " + r.Preset + ")"
	}
	return by + " " + did
}

// oauthError builds a fresh error for each request: an *oauth.Error must
// never be shared between requests.
func (eff *Effect) oauthError() *oauth.Error {
	e := &oauth.Error{Code: eff.Error, Description: eff.Description, Status: eff.Status}
	if e.Status == 0 {
		e.Status = http.StatusBadRequest
	}
	if eff.Value != "" {
		e.Extra = append(e.Extra, oauth.Field{Key: "value", Value: eff.Value})
	}
	for _, f := range eff.Fields {
		// json.RawMessage is written verbatim, keeping the rule's JSON.
		e.Extra = append(e.Extra, oauth.Field{Key: f.Key, Value: f.Value})
	}
	if len(eff.Headers) > 0 {
		e.Header = make(http.Header, len(eff.Headers))
		for k, v := range eff.Headers {
			e.Header.Set(k, v)
		}
	}
	return e
}

func writeResponse(w http.ResponseWriter, eff *Effect) {
	h := w.Header()
	for k, v := range eff.Headers {
		h.Set(k, v)
	}
	h.Set("Content-Length", strconv.Itoa(len(eff.Body)))
	status := eff.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	_, _ = w.Write([]byte(eff.Body))
}

// sleep waits d. It reports false when the client gave up meanwhile; a
// server shutting down cuts the wait short but still serves the request.
func sleep(ctx context.Context, d time.Duration, stop <-chan struct{}) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-stop:
		return true
	case <-ctx.Done():
		return false
	}
}

// dropConnection closes the connection without a response; with reset, the
// kernel is told to discard it (SO_LINGER 0), so the client sees ECONNRESET
// instead of EOF.
func dropConnection(w http.ResponseWriter, reset bool) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// HTTP/2, or a writer that cannot hijack: aborting the handler is
		// the nearest thing, net/http then drops the stream or connection.
		panic(http.ErrAbortHandler)
	}
	if tcp := tcpConn(conn); reset && tcp != nil {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

// tcpConn digs the TCP connection out of a TLS one.
func tcpConn(c net.Conn) *net.TCPConn {
	for {
		switch v := c.(type) {
		case *net.TCPConn:
			return v
		case interface{ NetConn() net.Conn }:
			c = v.NetConn()
		default:
			return nil
		}
	}
}

// rewriteBody runs the real handler into a buffer and sends its status and
// headers with the body rewritten, and a Content-Length that matches, so
// the client gets a complete HTTP response with a broken payload.
func rewriteBody(w http.ResponseWriter, r *http.Request, next http.Handler, rewrite func([]byte) []byte) {
	buf := &bufferedWriter{header: w.Header()}
	next.ServeHTTP(buf, r)
	body := rewrite(buf.body.Bytes())
	w.Header().Del("Transfer-Encoding")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(buf.statusOr200())
	_, _ = w.Write(body)
}

func truncated(body []byte) []byte { return body[:len(body)/2] }

// brokenJSON keeps the real body recognisable but opens a string it never
// closes after dropping the closing bracket, so no JSON parser accepts it.
func brokenJSON(body []byte) []byte {
	b := bytes.TrimRight(body, " \t\r\n")
	if n := len(b); n > 0 && (b[n-1] == '}' || b[n-1] == ']') {
		b = b[:n-1]
	}
	if len(b) == 0 {
		return []byte(`{"`)
	}
	return append(bytes.Clone(b), `,"`...)
}

// bufferedWriter collects a handler's response. Headers go straight to the
// real writer's map, which is not sent before rewriteBody writes.
type bufferedWriter struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(code int) {
	if b.status == 0 && code >= 200 {
		b.status = code
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

func (b *bufferedWriter) statusOr200() int {
	if b.status == 0 {
		return http.StatusOK
	}
	return b.status
}

// serveWithContentType runs the real handler, replacing the Content-Type
// it sends.
func serveWithContentType(w http.ResponseWriter, r *http.Request, next http.Handler, ct string) {
	if ct == "" {
		ct = "text/html; charset=utf-8"
	}
	cw := &contentTypeWriter{ResponseWriter: w, contentType: ct}
	next.ServeHTTP(cw, r)
	if !cw.wrote {
		cw.WriteHeader(http.StatusOK)
	}
}

type contentTypeWriter struct {
	http.ResponseWriter
	contentType string
	wrote       bool
}

func (c *contentTypeWriter) WriteHeader(code int) {
	if !c.wrote && code >= 200 {
		c.wrote = true
		c.Header().Set("Content-Type", c.contentType)
	}
	c.ResponseWriter.WriteHeader(code)
}

func (c *contentTypeWriter) Write(p []byte) (int, error) {
	if !c.wrote {
		c.WriteHeader(http.StatusOK)
	}
	return c.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach Flush and Hijack.
func (c *contentTypeWriter) Unwrap() http.ResponseWriter { return c.ResponseWriter }
