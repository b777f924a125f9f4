// Package controljson writes the control API's JSON answers, the same way
// for every package that mounts control routes (the root, fault, journal):
// application/json, indented for people reading it with curl.
//
// It imports no other fakeidp package.
package controljson

import (
	"encoding/json"
	"net/http"
)

// Write sends v as indented JSON with status.
func Write(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
