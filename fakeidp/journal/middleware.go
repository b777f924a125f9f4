package journal

import (
	"bufio"
	"math"
	"net"
	"net/http"
	"sync"
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
	sr := site.Of(r)
	if sr != nil && sr.ClientID != "" {
		clientID, subject = sr.ClientID, sr.Subject
	}
	var p packer
	p.init()
	p.fixed(site.Name(r), r.Method, path, clientID, subject, note)
	why := &site.Refusal{}
	if sr != nil {
		why = &sr.Refusal
	}
	p.explained(why.Code, why.Message, why.FaultID, why.Preset)
	p.flags |= flagResponse
	var respHeader http.Header
	if !rec.hijacked {
		respHeader = rec.Header()
	}
	p.body(respHeader.Get("Content-Type"), rec.body, rec.size)
	p.rawQuery(r.URL.RawQuery)
	if info != nil {
		p.params(secFields, info.Fields)
	}
	p.headers(secHeaders, r.Header, true)
	p.headers(secResponse, respHeader, true)
	for _, n := range why.NearMisses {
		p.nearMiss(n.ID, n.Method, n.Path, n.Differs)
	}
	rec.release()
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
	// body is the first MaxBody bytes written (a buffer from bodies),
	// size how many were written in all.
	body []byte
	size int
}

// bodies recycles the recorders' body buffers: a token answer is about
// 2 KiB, and the packer copies what it keeps.
var bodies = sync.Pool{New: func() any { return new([MaxBody]byte) }}

func (rec *recorder) capture(p []byte) {
	rec.size += len(p)
	if len(rec.body) == MaxBody || len(p) == 0 {
		return
	}
	if rec.body == nil {
		rec.body = bodies.Get().(*[MaxBody]byte)[:0]
	}
	rec.body = append(rec.body, p[:min(len(p), MaxBody-len(rec.body))]...)
}

func (rec *recorder) release() {
	if rec.body != nil {
		bodies.Put((*[MaxBody]byte)(rec.body[:MaxBody]))
		rec.body = nil
	}
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
	rec.capture(p)
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
