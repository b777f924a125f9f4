package fakeidp

import (
	"log/slog"
	"net/http"
	"strings"

	"github.com/fakeidp/fakeidp/fakeidp/reqinfo"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// explainHeader is the opt-in header that carries a refusal's reason on
// the wire (server.explain_header, --explain-header).
const explainHeader = "Fakeidp-Reason"

// explain logs one line per refused request — site, method, path, status,
// reason code and message, never a query or a body, which may hold
// secrets — and, when withHeader, adds the reason to the refused answer
// as Fakeidp-Reason. Chain it inside the journal, so that the journal
// records the header as sent. The reason itself is recorded by the check
// that refused (site.Refuse), never guessed here from the status.
func explain(log *slog.Logger, withHeader bool) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ew := &explainWriter{ResponseWriter: w, r: r, withHeader: withHeader}
			next.ServeHTTP(ew, r)
			why := site.RefusalOf(r)
			if why == nil && ew.status < 400 {
				return
			}
			code, message := "", ""
			if why != nil {
				code, message = why.Code, why.Message
			}
			log.Info("refused", "site", site.Name(r), "method", r.Method, "path", r.URL.Path,
				"status", ew.status, "reason", code, "message", message)
		})
	}
}

// explainWriter notes the status and, when asked, adds the reason header
// just before the status goes out: by then the check that refused has
// recorded why.
type explainWriter struct {
	http.ResponseWriter
	r          *http.Request
	withHeader bool
	status     int
}

func (ew *explainWriter) WriteHeader(code int) {
	if ew.status == 0 && code >= 200 {
		ew.status = code
		if why := site.RefusalOf(ew.r); ew.withHeader && why != nil {
			ew.Header().Set(explainHeader, headerValue(why.Code+": "+why.Message))
		}
	}
	ew.ResponseWriter.WriteHeader(code)
}

func (ew *explainWriter) Write(p []byte) (int, error) {
	if ew.status == 0 {
		ew.WriteHeader(http.StatusOK)
	}
	return ew.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController reach Flush and Hijack (the fault
// rules close connections through it).
func (ew *explainWriter) Unwrap() http.ResponseWriter { return ew.ResponseWriter }

// headerValue keeps a message fit for a header line: no control
// characters (a URI sent may hold any), at most 1 KiB.
func headerValue(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
	return reqinfo.Cut(s, 1024)
}
