package livedigital

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/fakeidp/fakeidp/fakeidp/oauth"
)

// maxJSONDepth caps nesting in request bodies. No request of this API needs
// more than one level; the cap keeps a hostile body from costing a deep
// recursion, well below encoding/json's own limit.
const maxJSONDepth = 32

// readJSON is the one way the site reads a request body: Content-Type
// application/json (what Express's express.json() parses), at most max
// bytes, a JSON object at the top, no deeper than maxJSONDepth, and fields
// of the types v declares.
func readJSON(r *http.Request, max int64, v any) *oauth.Error {
	if mt := oauth.MediaType(r); mt != "application/json" {
		return oauth.InvalidRequest("Content-Type must be application/json")
	}
	body, e := oauth.ReadBody(r, max)
	if e != nil {
		return e
	}
	return decodeObject(body, v)
}

// decodeObject decodes a JSON object into v. Descriptions name only v's own
// fields, never echo the body.
func decodeObject(body []byte, v any) *oauth.Error {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		// Arrays, strings, numbers, null and empty bodies all land here;
		// null would otherwise decode silently into nothing.
		return oauth.InvalidRequest("the body must be a JSON object")
	}
	if jsonDepth(trimmed) > maxJSONDepth {
		return oauth.InvalidRequest("the JSON body is nested too deeply")
	}
	if err := json.Unmarshal(trimmed, v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return oauth.InvalidRequest(te.Field + " must be a " + te.Type.String())
		}
		return oauth.InvalidRequest("the body is not valid JSON")
	}
	return nil
}

// jsonDepth is the deepest nesting of objects and arrays in b, skipping
// strings. It does not validate; json.Unmarshal does that afterwards.
func jsonDepth(b []byte) int {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for _, c := range b {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			deepest = max(deepest, depth)
		case c == '}' || c == ']':
			depth--
		}
	}
	return deepest
}
