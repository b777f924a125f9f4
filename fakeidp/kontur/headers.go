package kontur

import (
	"encoding/base64"
	"encoding/binary"
	"net/http"
)

// traceHeaders adds what Kontur's Vostok stack puts on every response: a
// trace id and Context-Globals carrying it.
func (k *Site) traceHeaders(h http.Header, _ *http.Request) {
	trace := k.env.Random.Hex(16)
	span := k.env.Random.Hex(16)
	h["X-Kontur-Trace-Id"] = []string{trace}
	h["Context-Globals"] = []string{contextGlobals(trace, span)}
}

// tokenHeaders are the headers of every token response, errors included.
func (k *Site) tokenHeaders(h http.Header, r *http.Request) {
	h["Cache-Control"] = []string{"no-store, no-cache, max-age=0"}
	h["Pragma"] = []string{"no-cache"}
	k.traceHeaders(h, r)
	h["X-Kontur-Dont-Retry"] = []string{"True"}
	h["Dont-Retry"] = []string{"True"}
}

// contextGlobals encodes Vostok's context globals: base64 of
// length-prefixed pairs, each part an int32 little-endian length then bytes.
func contextGlobals(traceHex, spanHex string) string {
	pairs := [][2]string{
		{"vostok.tracing.context", guid(traceHex) + ";" + guid(spanHex)},
		{"vostok.request.priority", "Ordinary"},
	}
	buf := make([]byte, 0, 160)
	for _, p := range pairs {
		for _, s := range p {
			buf = binary.LittleEndian.AppendUint32(buf, uint32(len(s)))
			buf = append(buf, s...)
		}
	}
	return base64.StdEncoding.EncodeToString(buf)
}

// guid writes 32 hex digits as 8-4-4-4-12.
func guid(h string) string {
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:32]
}
