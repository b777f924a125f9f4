package strictjson

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"
)

// DecodeAll is Decode that does not stop at the first problem, so that a
// caller can report everything wrong with a document at once: it returns
// every unknown field, wherever it is, as `path: unknown field "name"`,
// and a value of the wrong type, having filled v with all the rest.
// Unknown fields are matched as encoding/json matches known ones (exact
// name first, then case-insensitively).
//
// ok is false when data is not one JSON value that v can be filled from
// at all (a syntax error, trailing data, an error from a field's own
// UnmarshalJSON); v is then not to be trusted.
func DecodeAll(data []byte, v any) (problems []string, ok bool) {
	if err := json.Unmarshal(data, v); err != nil {
		var te *json.UnmarshalTypeError
		if !errors.As(err, &te) || te.Field == "" {
			return []string{Message(err)}, false
		}
		// encoding/json went on past the wrong type and filled the rest.
		problems = append(problems, Message(err))
	}
	unknownFields(data, reflect.TypeOf(v), "", &problems)
	return problems, true
}

var unmarshaler = reflect.TypeFor[json.Unmarshaler]()

// unknownFields walks data along t, the Go type it decodes into, and
// records the object keys t has no field for.
func unknownFields(data []byte, t reflect.Type, path string, out *[]string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if reflect.PointerTo(t).Implements(unmarshaler) {
		return // the type reads its JSON itself
	}
	switch t.Kind() {
	case reflect.Struct:
		var obj map[string]json.RawMessage
		if json.Unmarshal(data, &obj) != nil {
			return // not an object: the decoder reported the type
		}
		fields := jsonFields(t)
		for _, key := range slices.Sorted(maps.Keys(obj)) {
			f, ok := fieldNamed(fields, key)
			if !ok {
				*out = append(*out, at(path, fmt.Sprintf("unknown field %q", key)))
				continue
			}
			unknownFields(obj[key], f.Type, join(path, key), out)
		}
	case reflect.Map:
		var obj map[string]json.RawMessage
		if json.Unmarshal(data, &obj) == nil {
			for _, key := range slices.Sorted(maps.Keys(obj)) {
				unknownFields(obj[key], t.Elem(), join(path, key), out)
			}
		}
	case reflect.Slice, reflect.Array:
		var list []json.RawMessage
		if json.Unmarshal(data, &list) == nil {
			for i, item := range list {
				unknownFields(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), out)
			}
		}
	}
}

// jsonFields maps the JSON names of t's fields, as encoding/json sees
// them, to the fields (embedded structs' fields included).
func jsonFields(t reflect.Type) map[string]reflect.StructField {
	out := map[string]reflect.StructField{}
	for _, f := range reflect.VisibleFields(t) {
		if !f.IsExported() || (f.Anonymous && f.Type.Kind() == reflect.Struct && f.Tag.Get("json") == "") {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		switch name {
		case "-":
			continue
		case "":
			name = f.Name
		}
		out[name] = f
	}
	return out
}

func fieldNamed(fields map[string]reflect.StructField, key string) (reflect.StructField, bool) {
	if f, ok := fields[key]; ok {
		return f, true
	}
	for name, f := range fields {
		if strings.EqualFold(name, key) {
			return f, true
		}
	}
	return reflect.StructField{}, false
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func at(path, msg string) string {
	if path == "" {
		return msg
	}
	return path + ": " + msg
}
