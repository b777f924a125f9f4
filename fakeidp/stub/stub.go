package stub

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"go.yaml.in/yaml/v3"

	"github.com/fakeidp/fakeidp/fakeidp/internal/problems"
	"github.com/fakeidp/fakeidp/fakeidp/internal/strictjson"
)

// Stub is one stubbed answer, as the control API, the Go API and the
// fixtures give it. ID is assigned when the stub is added; a value sent
// in is ignored.
type Stub struct {
	ID   string `json:"id,omitempty"`
	Site string `json:"site"`
	// Method is the HTTP method, upper-cased when stored; empty is GET.
	Method string `json:"method,omitempty"`
	// Path is a path template below the site's prefix whose {name}
	// segments match any one segment, e.g. "/V2/policies/{id}".
	Path     string   `json:"path"`
	Require  Require  `json:"require"`
	Response Response `json:"response"`
}

// Require is what the token must carry for the stub to answer.
type Require struct {
	// Scope, when set, must be among the token's scopes (Kontur APIs).
	Scope string `json:"scope,omitempty"`
	// Token is "any" (the default), "client" or "user".
	Token string `json:"token,omitempty"`
}

// The token kinds a stub may require.
const (
	TokenAny    = "any"
	TokenClient = "client"
	TokenUser   = "user"
)

// Response is the stub's answer. JSON and Body exclude each other; with
// neither the body is empty.
type Response struct {
	// Status defaults to 200.
	Status int `json:"status,omitempty"`
	// Headers are set on the answer; placeholders in values are filled in.
	Headers map[string]string `json:"headers,omitempty"`
	// JSON is sent as application/json; placeholders in its string values
	// are filled in. Key order is kept.
	JSON json.RawMessage `json:"json,omitempty"`
	// Body is sent as it is, with ContentType.
	Body *string `json:"body,omitempty"`
	// ContentType of Body; defaults to text/plain; charset=utf-8.
	ContentType string `json:"content_type,omitempty"`
}

// DecodeJSON reads one stub or {"stubs":[…]}; list tells which it was.
// Every unknown field and every value of the wrong type is reported at
// once, as a *ProblemsError, each stub's problems named by its index.
func DecodeJSON(data []byte) (stubs []Stub, list bool, err error) {
	return decodeJSON(data, nil)
}

// decodeJSON is DecodeJSON; when decoding finds problems, check (when
// set) validates each stub that could be read, so that the refusal names
// the invalid values too, not only the unknown fields.
func decodeJSON(data []byte, check func(Stub) []string) (stubs []Stub, list bool, err error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, false, errors.New("want a JSON object (one stub, or {\"stubs\":[…]}): " + strictjson.Message(err))
	}
	items := []json.RawMessage{data}
	raw, list := probe["stubs"]
	if list {
		if len(probe) != 1 {
			return nil, true, errors.New(`a list is {"stubs":[…]} with no other field`)
		}
		if err := json.Unmarshal(raw, &items); err != nil {
			return nil, true, errors.New("stubs: want an array of stubs")
		}
	}
	stubs = make([]Stub, len(items))
	decoding := make([][]string, len(items))
	read := make([]bool, len(items))
	bad := false
	for i, item := range items {
		decoding[i], read[i] = strictjson.DecodeAll(item, &stubs[i])
		bad = bad || len(decoding[i]) > 0
	}
	if !bad {
		return stubs, list, nil
	}
	var p problems.List
	for i := range items {
		at, field := "", ""
		if list {
			at, field = fmt.Sprintf("stubs[%d]: ", i), fmt.Sprintf("stubs[%d].", i)
		}
		p.Under(at, decoding[i])
		if read[i] && check != nil {
			p.Under(field, problems.Beyond(decoding[i], check(stubs[i])))
		}
	}
	return nil, list, p.Capped(maxProblems).Err(what)
}

// DecodeYAML reads the fixtures' stubs, with the same strictness as JSON:
// each node becomes JSON (mapping order kept, so a response's keys come
// out as written) and goes through the one strict decoder.
func DecodeYAML(nodes []yaml.Node) ([]Stub, error) {
	var p problems.List
	stubs := make([]Stub, len(nodes))
	for i := range nodes {
		var b bytes.Buffer
		if err := yamlToJSON(&b, &nodes[i]); err != nil {
			p.Addf(fmt.Sprintf("stubs[%d]", i), "%s", err)
			continue
		}
		decoding, _ := strictjson.DecodeAll(b.Bytes(), &stubs[i])
		p.Under(fmt.Sprintf("stubs[%d]: line %d: ", i, nodes[i].Line), decoding)
	}
	return stubs, p.Err(what)
}

// yamlToJSON writes a YAML node as JSON, keeping mapping order.
func yamlToJSON(b *bytes.Buffer, n *yaml.Node) error {
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 1 {
			return yamlToJSON(b, n.Content[0])
		}
	case yaml.AliasNode:
		return yamlToJSON(b, n.Alias)
	case yaml.MappingNode:
		b.WriteByte('{')
		for i := 0; i+1 < len(n.Content); i += 2 {
			if i > 0 {
				b.WriteByte(',')
			}
			k := n.Content[i]
			if k.Kind != yaml.ScalarNode {
				return fmt.Errorf("line %d: keys must be strings", k.Line)
			}
			writeJSON(b, k.Value)
			b.WriteByte(':')
			if err := yamlToJSON(b, n.Content[i+1]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
		return nil
	case yaml.SequenceNode:
		b.WriteByte('[')
		for i, c := range n.Content {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := yamlToJSON(b, c); err != nil {
				return err
			}
		}
		b.WriteByte(']')
		return nil
	case yaml.ScalarNode:
		var v any
		if err := n.Decode(&v); err != nil {
			return fmt.Errorf("line %d: %v", n.Line, err)
		}
		enc, err := json.Marshal(v)
		if err != nil {
			return fmt.Errorf("line %d: %v is not a JSON value", n.Line, n.Value)
		}
		b.Write(enc)
		return nil
	}
	return fmt.Errorf("line %d: not a JSON value", n.Line)
}

func writeJSON(b *bytes.Buffer, v any) {
	enc, _ := json.Marshal(v)
	b.Write(enc)
}

// ProblemsError lists everything wrong with one or more stubs, each
// problem naming its field, e.g. "stubs[2].path: …": the one problems
// type, shared with fault rules, fixtures and sandboxes.
type ProblemsError = problems.Error

// what names what the problems are about in ProblemsError's text.
const what = "stub"
