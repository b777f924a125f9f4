package journal

import (
	"bufio"
	"math"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp/reqinfo"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// maxHeaders bounds the headers journalled per request.
const maxHeaders = 64

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
				j.add(entryOf(r, rec, at, time.Since(start), completed))
			}()
			next.ServeHTTP(rec, r)
			completed = true
		})
	}
}

func entryOf(r *http.Request, rec *recorder, at time.Time, took time.Duration, completed bool) Entry {
	e := Entry{
		Time:       at,
		Site:       site.Name(r),
		Method:     r.Method,
		Path:       r.URL.Path,
		Query:      queryOf(r.URL.RawQuery),
		Headers:    headersOf(r.Header),
		Status:     rec.status,
		DurationMS: math.Round(float64(took.Microseconds())) / 1000,
	}
	if info := reqinfo.From(r); info != nil {
		e.Path, e.ClientID = info.Path, clip(info.ClientID)
		e.Fields = redactShared(info.Fields)
	}
	switch {
	case rec.hijacked:
		e.Status, e.Note = 0, "connection hijacked: closed or reset without a response"
	case !completed:
		e.Note = "handler aborted"
	case e.Status == 0:
		e.Status = http.StatusOK // net/http's implicit status
	}
	return e
}

func queryOf(raw string) map[string]string {
	if raw == "" {
		return nil
	}
	q, _ := url.ParseQuery(raw) // keep what parses
	out := make(map[string]string, len(q))
	for k, vs := range q {
		out[clip(k)] = redactParam(k, strings.Join(vs, ","))
	}
	return out
}

func headersOf(h http.Header) map[string]string {
	if len(h) == 0 {
		return nil
	}
	out := make(map[string]string, min(len(h), maxHeaders))
	for k, vs := range h {
		if len(out) == maxHeaders {
			break
		}
		// Server requests carry canonical keys already.
		out[clip(k)] = redactHeader(k, strings.Join(vs, ", "))
	}
	return out
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
