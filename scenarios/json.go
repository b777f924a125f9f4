package scenarios

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// jsonDoc is a parsed JSON body: its value (numbers as json.Number) and,
// for an object, its keys in the order they were sent.
type jsonDoc struct {
	value any
	keys  []string
}

// jsonBody parses the answer as JSON, or says what came instead.
func (ex *exchange) jsonBody() (*jsonDoc, error) {
	if ex == nil {
		return nil, errors.New("expected a JSON answer, but no request was sent yet")
	}
	if ex.json != nil {
		return ex.json, nil
	}
	if ex.err != nil {
		return nil, fmt.Errorf("expected a JSON answer from %s %s, but the request failed: %v", ex.method, ex.url, ex.err)
	}
	if ex.readErr != nil {
		return nil, fmt.Errorf("expected a JSON answer from %s %s, but reading the body failed: %v", ex.method, ex.url, ex.readErr)
	}
	doc, err := parseJSON(ex.body)
	if err != nil {
		return nil, fmt.Errorf("expected a JSON body from %s %s, got %s: %v", ex.method, ex.url, ex.summary(), err)
	}
	ex.json = doc
	return doc, nil
}

func parseJSON(body []byte) (*jsonDoc, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err == nil {
		return nil, errors.New("data after the JSON value")
	}
	doc := &jsonDoc{value: v}
	if _, ok := v.(map[string]any); ok {
		keys, err := objectKeys(body)
		if err != nil {
			return nil, err
		}
		doc.keys = keys
	}
	return doc, nil
}

// objectKeys lists the top-level keys of a JSON object in order.
func objectKeys(body []byte) ([]string, error) {
	dec := json.NewDecoder(bytes.NewReader(body))
	if _, err := dec.Token(); err != nil { // {
		return nil, err
	}
	var keys []string
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, err
		}
		keys = append(keys, t.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return nil, err
		}
	}
	return keys, nil
}

// lookup follows a dotted path ("required_factors.0.grant_type").
func lookup(v any, path string) (any, bool) {
	for _, part := range strings.Split(path, ".") {
		switch node := v.(type) {
		case map[string]any:
			next, ok := node[part]
			if !ok {
				return nil, false
			}
			v = next
		case []any:
			i, err := strconv.Atoi(part)
			if err != nil || i < 0 || i >= len(node) {
				return nil, false
			}
			v = node[i]
		default:
			return nil, false
		}
	}
	return v, true
}

// jsonType names a value's JSON type; a number is "integer" when it has
// no fraction or exponent.
func jsonType(v any) string {
	switch n := v.(type) {
	case nil:
		return "null"
	case bool:
		return "boolean"
	case string:
		return "string"
	case json.Number:
		if strings.ContainsAny(n.String(), ".eE") {
			return "number"
		}
		return "integer"
	case float64:
		return "number"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return fmt.Sprintf("%T", v)
}

// typeMatches: "number" accepts integers too.
func typeMatches(want string, v any) bool {
	got := jsonType(v)
	return got == want || (want == "number" && got == "integer")
}

// text is a scalar's form for comparison with a table cell.
func text(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case nil:
		return "null"
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// matchValue compares a value with a table cell: empty matches anything,
// /re/ is a regular expression, anything else must be equal.
func matchValue(want string, v any) error {
	got := text(v)
	switch {
	case want == "":
		return nil
	case len(want) >= 2 && strings.HasPrefix(want, "/") && strings.HasSuffix(want, "/"):
		re, err := regexp.Compile(want[1 : len(want)-1])
		if err != nil {
			return fmt.Errorf("bad regular expression %s in the feature: %v", want, err)
		}
		if !re.MatchString(got) {
			return fmt.Errorf("%q does not match %s", got, want)
		}
	case got != want:
		return fmt.Errorf("got %q, want %q", got, want)
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}
