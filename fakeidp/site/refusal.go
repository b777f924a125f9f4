package site

import (
	"net/http"

	"github.com/fakeidp/fakeidp/fakeidp/oauth"
)

// Refusal is why a site refused a request: a stable snake_case Code (the
// list is docs/explain.md) and a Message naming what was sent and what was
// expected. Neither ever holds a secret; a secret appears at most cut to
// its short prefix. It is never sent on the provider's wire unless the
// server's explain header is on.
type Refusal struct {
	Code, Message string
	// FaultID and Preset name the fault rule that made the answer (Code
	// "fault"); Preset is empty unless a preset added the rule.
	FaultID, Preset string
	// NearMisses are the stubs closest to an API call none answered
	// (Code "no_stub"), closest first.
	NearMisses []NearMiss
}

// NearMiss is a stub that nearly answered a request, and what differs.
type NearMiss struct {
	ID, Method, Path string
	// Differs names what the request lacked: "method", "path", "query",
	// "scope", "token"…
	Differs []string
}

// Refuse records why the site refuses r. The first reason recorded wins:
// it comes from the check that decided, and a caller further out that
// refuses in turn only repeats it. Outside a site it does nothing.
func Refuse(r *http.Request, code, message string) {
	if sr := Of(r); sr != nil && sr.Refusal.Code == "" {
		sr.Refusal.Code, sr.Refusal.Message = code, message
	}
}

// RefuseError records the reason an *oauth.Error carries (Error.Because):
// the adapter that writes an endpoint's errors calls it, so that the
// reason decided deep in a validator reaches the request's record. An
// error built without one (a malformed request, found by the shared
// parsers in package oauth) is explained by its own code and description,
// which say what was wrong with the request; anything else is a
// server_error.
func RefuseError(r *http.Request, err error) {
	e := oauth.As(err)
	switch {
	case e.Reason.Code != "":
		Refuse(r, e.Reason.Code, e.Reason.Message)
	case e.Code == "server_error":
		Refuse(r, "server_error", "fakeidp failed to answer; the server log has the details")
	case e.Description != "":
		Refuse(r, e.Code, e.Description)
	default:
		Refuse(r, e.Code, "the request was refused with "+e.Code)
	}
}

// RefuseNoStub records that no stub answered r, with the nearest ones.
func RefuseNoStub(r *http.Request, message string, near []NearMiss) {
	if sr := Of(r); sr != nil && sr.Refusal.Code == "" {
		sr.Refusal = Refusal{Code: "no_stub", Message: message, NearMisses: near}
	}
}

// RefuseByFault records that fault rule id (of preset, if any) made the
// answer. It replaces any reason the handler gave: a rule that rewrote or
// replaced the answer is what the client saw.
func RefuseByFault(r *http.Request, id, preset, message string) {
	if sr := Of(r); sr != nil {
		sr.Refusal = Refusal{Code: "fault", Message: message, FaultID: id, Preset: preset}
	}
}

// RefusalOf returns the reason recorded for r, or nil when there is none.
func RefusalOf(r *http.Request) *Refusal {
	if sr := Of(r); sr != nil && sr.Refusal.Code != "" {
		return &sr.Refusal
	}
	return nil
}
