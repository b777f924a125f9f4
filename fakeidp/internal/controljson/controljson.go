// Package controljson writes the control API's answers, the same way for
// every package that mounts control routes (the root, fault, journal,
// livedigital's cabinet, Doktornarabote's SMS outbox): application/json,
// indented for people reading it with curl, never cached; and it holds the
// control API's one body cap.
//
// It imports no other fakeidp package.
package controljson

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"
)

// MaxBody caps every control request's body: the root's control
// middleware applies it to every endpoint, and ReadBody again for a
// package mounted on its own. 1 MiB holds thousands of fault rules.
const MaxBody = 1 << 20

// TooLarge is the message of the 413 for a body over MaxBody.
const TooLarge = "request body larger than 1 MiB, the control API's limit"

// ContentType is the Content-Type of every JSON answer.
const ContentType = "application/json"

// Write sends v as indented JSON with status. Control answers describe
// state that changes under the caller, so none may be cached.
func Write(w http.ResponseWriter, status int, v any) {
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

// WriteList sends {"<key>": items} as Write would, byte for byte, but
// encodes one item at a time straight to w: a list of large items is
// never held whole, nor twice over as the indenting encoder holds it. An
// item that fails to encode (none of the control API's types can) aborts
// the response rather than send a broken list as a success.
func WriteList[T any](w http.ResponseWriter, status int, key string, items []T) {
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	name, _ := json.Marshal(key)
	out := bufio.NewWriterSize(w, 32<<10)
	_, _ = out.WriteString("{\n  ")
	_, _ = out.Write(name)
	if len(items) == 0 {
		_, _ = out.WriteString(": []\n}\n")
		_ = out.Flush()
		return
	}
	_, _ = out.WriteString(": [\n")
	var item bytes.Buffer
	enc := json.NewEncoder(&item)
	enc.SetIndent("    ", "  ")
	for i := range items {
		item.Reset()
		if err := enc.Encode(items[i]); err != nil {
			panic(http.ErrAbortHandler)
		}
		_, _ = out.WriteString("    ")
		_, _ = out.Write(bytes.TrimSuffix(item.Bytes(), []byte("\n")))
		if i < len(items)-1 {
			_ = out.WriteByte(',')
		}
		_ = out.WriteByte('\n')
	}
	_, _ = out.WriteString("  ]\n}\n")
	_ = out.Flush()
}

// Problem is the body of every refused control request: what went
// wrong, and for a document that was read (a fault rule, a stub, a
// sandbox's fixtures) every problem found in it, each naming its path.
type Problem struct {
	Error    string   `json:"error"`
	Problems []string `json:"problems,omitempty"`
}

// Error is the one writer of a refused control request's answer.
func Error(w http.ResponseWriter, status int, msg string, problems ...string) {
	Write(w, status, Problem{Error: msg, Problems: problems})
}

// NoContent sends 204 with no body, not cached either.
func NoContent(w http.ResponseWriter) {
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusNoContent)
}

// ReadBody reads the whole body, at most MaxBody bytes. On failure it
// returns the status to answer with (413 with TooLarge, or 400) and the
// message.
func ReadBody(w http.ResponseWriter, r *http.Request) ([]byte, int, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err == nil {
		return body, 0, nil
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return nil, http.StatusRequestEntityTooLarge, errors.New(TooLarge)
	}
	return nil, http.StatusBadRequest, errors.New("could not read the request body")
}
