package kontur

import (
	"encoding/base64"
	"encoding/binary"
	"net/http"
)

// traceHeaders adds what Kontur's Vostok stack puts on every response: a
// trace id and Context-Globals carrying it.
func (k *Site) traceHeaders(h http.Header, _ *http.Request) {
	ids := k.env.Random.Hex(32) // one draw: trace id, then span id
	trace, span := ids[:32], ids[32:]
	h["X-Kontur-Trace-Id"] = []string{trace}
	h["Context-Globals"] = []string{contextGlobals(trace, span)}
}

// tokenHeaders are the headers of every token response, errors included.
func (k *Site) tokenHeaders(h http.Header, r *http.Request) {
	h["Cache-Control"] = noStore
	h["Pragma"] = noCache
	k.traceHeaders(h, r)
	h["X-Kontur-Dont-Retry"] = trueValue
	h["Dont-Retry"] = trueValue
}

// Constant header values, shared read-only: net/http never modifies them.
var (
	noStore   = []string{"no-store, no-cache, max-age=0"}
	noCache   = []string{"no-cache"}
	trueValue = []string{"True"}
)

// contextGlobals encodes Vostok's context globals: base64 of
// length-prefixed pairs, each part an int32 little-endian length then bytes.
// The tracing context is "<trace guid>;<span guid>".
func contextGlobals(traceHex, spanHex string) string {
	var arr [160]byte
	buf := appendPart(arr[:0], "vostok.tracing.context")
	buf = binary.LittleEndian.AppendUint32(buf, 36+1+36)
	buf = appendGUID(buf, traceHex)
	buf = append(buf, ';')
	buf = appendGUID(buf, spanHex)
	buf = appendPart(buf, "vostok.request.priority")
	buf = appendPart(buf, "Ordinary")
	return base64.StdEncoding.EncodeToString(buf)
}

func appendPart(buf []byte, s string) []byte {
	buf = binary.LittleEndian.AppendUint32(buf, uint32(len(s)))
	return append(buf, s...)
}

// appendGUID writes 32 hex digits as 8-4-4-4-12.
func appendGUID(buf []byte, h string) []byte {
	buf = append(buf, h[0:8]...)
	for _, part := range []string{h[8:12], h[12:16], h[16:20], h[20:32]} {
		buf = append(buf, '-')
		buf = append(buf, part...)
	}
	return buf
}
