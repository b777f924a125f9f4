package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"

	"go.yaml.in/yaml/v3"
)

// parseDoc parses a fixtures document into the node tree the walker reads.
// JSON goes through encoding/json: YAML's parser takes most JSON but not
// all of it, refusing escaped slashes ("http:\/\/…") and surrogate pairs
// ("\ud83d\ude00"), which common encoders write (PHP, Python's json.dumps,
// .NET). Anything that is not valid JSON is read as YAML.
func parseDoc(doc []byte) (*yaml.Node, error) {
	trimmed := bytes.TrimSpace(doc)
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') && json.Valid(trimmed) {
		return parseJSON(doc)
	}
	var root yaml.Node
	if err := yaml.Unmarshal(doc, &root); err != nil {
		return nil, errors.New(strings.TrimPrefix(err.Error(), "yaml: "))
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) != 1 {
		return nil, nil // empty: nothing to apply
	}
	return root.Content[0], nil
}

// maxJSONDepth bounds nesting; fixtures need a handful of levels, claims a
// few more.
const maxJSONDepth = 100

// jsonParser builds yaml.Nodes from a JSON token stream, keeping lines.
type jsonParser struct {
	dec        *json.Decoder
	lineStarts []int
}

func parseJSON(doc []byte) (*yaml.Node, error) {
	p := &jsonParser{dec: json.NewDecoder(bytes.NewReader(doc)), lineStarts: []int{0}}
	p.dec.UseNumber()
	for i, b := range doc {
		if b == '\n' {
			p.lineStarts = append(p.lineStarts, i+1)
		}
	}
	return p.value(0)
}

// line is the line of the token just read.
func (p *jsonParser) line() int {
	return sort.SearchInts(p.lineStarts, int(p.dec.InputOffset())+1)
}

func (p *jsonParser) value(depth int) (*yaml.Node, error) {
	if depth > maxJSONDepth {
		return nil, fmt.Errorf("line %d: nested more than %d deep", p.line(), maxJSONDepth)
	}
	tok, err := p.dec.Token()
	if err != nil {
		return nil, err
	}
	n := &yaml.Node{Kind: yaml.ScalarNode, Line: p.line()}
	switch t := tok.(type) {
	case json.Delim:
		n.Kind, n.Tag = yaml.MappingNode, "!!map"
		if t == '[' {
			n.Kind, n.Tag = yaml.SequenceNode, "!!seq"
		}
		for p.dec.More() {
			if n.Kind == yaml.MappingNode {
				k, err := p.value(depth + 1) // a key is a string token
				if err != nil {
					return nil, err
				}
				n.Content = append(n.Content, k)
			}
			v, err := p.value(depth + 1)
			if err != nil {
				return nil, err
			}
			n.Content = append(n.Content, v)
		}
		_, err = p.dec.Token() // the closing delimiter
		return n, err
	case string:
		n.Tag, n.Value, n.Style = "!!str", t, yaml.DoubleQuotedStyle
	case json.Number:
		n.Tag, n.Value = "!!int", t.String()
		if strings.ContainsAny(n.Value, ".eE") {
			n.Tag = "!!float"
		}
	case bool:
		n.Tag, n.Value = "!!bool", fmt.Sprint(t)
	case nil:
		n.Tag, n.Value = "!!null", "null"
	}
	return n, nil
}
