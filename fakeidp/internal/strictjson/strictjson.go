// Package strictjson decodes what the control API and the fixtures send
// (fault rules, stubs) the one strict way: exactly one JSON value, no
// unknown fields, and errors that name the field in the caller's terms.
//
// It imports no other fakeidp package.
package strictjson

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// Decode decodes exactly one JSON value with no unknown fields.
func Decode(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return errors.New(Message(err))
	}
	if _, err := dec.Token(); err != io.EOF {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

// NotObject says that a body is not the JSON object wanted, and what it is
// instead: "want a JSON object, got JSON array", or the syntax error.
func NotObject(err error) string {
	msg := Message(err)
	if strings.HasPrefix(msg, "want a JSON object") {
		return msg
	}
	return "want a JSON object: " + msg
}

// Message names the field of a type error, and drops encoding/json's
// "json: " prefix from the rest.
func Message(err error) string {
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &te) && te.Field != "":
		return fmt.Sprintf("%s: want %s, got JSON %s", te.Field, te.Type, te.Value)
	case te != nil:
		return "want a JSON object, got JSON " + te.Value
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}
