package journal

import (
	"bufio"
	"math"
	"net"
	"net/http"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp/reqinfo"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// Middleware records every request once it completes. Chain it inside
// reqinfo.Middleware (for body fields and the client id) and outside the
// fault middleware, so that injected faults are journalled with what the
// client really got. A disabled journal returns next unchanged.
func (j *Journal) Middleware() func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		if !j.Enabled() {
			return next
		}
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			at, start := j.now(), time.Now()
			rec := &recorder{ResponseWriter: w}
			completed := false
			// Deferred so that a handler aborting with a panic (as a fault
			// does when it cannot hijack) is journalled too.
			defer func() {
				j.add(recordOf(r, rec, at, time.Since(start), completed))
			}()
			next.ServeHTTP(rec, r)
			completed = true
		})
	}
}

func recordOf(r *http.Request, rec *recorder, at time.Time, took time.Duration, completed bool) record {
	status, note := rec.status, ""
	switch {
	case rec.hijacked:
		status, note = 0, "connection hijacked: closed or reset without a response"
	case !completed:
		note = "handler aborted"
	case status == 0:
		status = http.StatusOK // net/http's implicit status
	}
	path, clientID := r.URL.Path, ""
	info := reqinfo.From(r)
	if info != nil {
		path, clientID = info.Path, info.ClientID
	}
	// An API site records whom the accepted token belongs to.
	subject := ""
	if sr := site.Of(r); sr != nil && sr.ClientID != "" {
		clientID, subject = sr.ClientID, sr.Subject
	}
	var p packer
	p.init()
	p.fixed(site.Name(r), r.Method, path, clientID, subject, note)
	p.rawQuery(r.URL.RawQuery)
	if info != nil {
		p.params(secFields, info.Fields)
	}
	p.headers(r.Header, true)
	return p.record(at, status, math.Round(float64(took.Microseconds()))/1000)
}

// recorder captures the status and notices hijacking. It implements
// http.Hijacker and http.Flusher itself, and Unwrap for the rest of
// http.ResponseController, because the fault middleware closes and resets
// connections through it.
type recorder struct {
	http.ResponseWriter
	status   int
	hijacked bool
}

func (rec *recorder) WriteHeader(code int) {
	if rec.status == 0 && code >= 200 {
		rec.status = code
	}
	rec.ResponseWriter.WriteHeader(code)
}

func (rec *recorder) Write(p []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	return rec.ResponseWriter.Write(p)
}

// Flush implements http.Flusher.
func (rec *recorder) Flush() {
	_ = http.NewResponseController(rec.ResponseWriter).Flush()
}

// Hijack implements http.Hijacker.
func (rec *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(rec.ResponseWriter).Hijack()
	if err == nil {
		rec.hijacked = true
	}
	return conn, rw, err
}

// Unwrap gives http.ResponseController the underlying writer.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }
