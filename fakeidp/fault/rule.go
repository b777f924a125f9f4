package fault

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/fakeidp/fakeidp/fakeidp/internal/problems"
	"github.com/fakeidp/fakeidp/fakeidp/internal/strictjson"
)

// Rule is one fault rule. ID, Seen and Fired are set by the Engine; values
// sent in are ignored.
type Rule struct {
	// ID is assigned by Engine.Add: "f1", "f2"… in order of addition.
	ID string `json:"id,omitempty" yaml:"id,omitempty"`
	// Match selects requests; an empty Match matches every site request.
	Match Match `json:"match" yaml:"match"`
	// Effect is what happens to a matching request.
	Effect Effect `json:"effect" yaml:"effect"`
	// Times is how often the rule fires before it is spent; 0 is always.
	Times int `json:"times,omitempty" yaml:"times,omitempty"`
	// After lets the first After matching requests through untouched.
	After int `json:"after,omitempty" yaml:"after,omitempty"`
	// Seen counts the matching requests the rule examined while live.
	Seen int64 `json:"seen" yaml:"-"`
	// Fired counts the requests the rule's effect was applied to.
	Fired int64 `json:"fired" yaml:"-"`
	// Preset is the preset that added the rule, set by the server that
	// enables it; the control API ignores a value sent in.
	Preset string `json:"preset,omitempty" yaml:"-"`
}

// Match lists what a request must have for a rule to apply. Every non-empty
// field must equal the request's exactly. Method is upper-cased when the
// rule is stored, so "post" matches POST requests.
type Match struct {
	// Site is a site name, e.g. "kontur".
	Site string `json:"site,omitempty" yaml:"site,omitempty"`
	// Path is the path below the site's prefix, e.g. "/connect/token".
	Path string `json:"path,omitempty" yaml:"path,omitempty"`
	// Method is the HTTP method, e.g. "POST".
	Method    string `json:"method,omitempty" yaml:"method,omitempty"`
	GrantType string `json:"grant_type,omitempty" yaml:"grant_type,omitempty"`
	ClientID  string `json:"client_id,omitempty" yaml:"client_id,omitempty"`
	Username  string `json:"username,omitempty" yaml:"username,omitempty"`
	// Phone is the country code followed by the number, digits only.
	Phone string `json:"phone,omitempty" yaml:"phone,omitempty"`
}

// The effect types.
const (
	TypeError       = "error"
	TypeResponse    = "response"
	TypeLatency     = "latency"
	TypeHang        = "hang"
	TypeClose       = "close"
	TypeReset       = "reset"
	TypeTruncate    = "truncate"
	TypeMalformed   = "malformed"
	TypeContentType = "content_type"
)

// Effect is what a rule does. Type chooses the effect; each type uses only
// some of the other fields, and Validate refuses the rest.
type Effect struct {
	Type string `json:"type" yaml:"type"`
	// Error is the error code (type error), e.g. "invalid_client".
	Error string `json:"error,omitempty" yaml:"error,omitempty"`
	// Description is the error description (type error).
	Description string `json:"description,omitempty" yaml:"description,omitempty"`
	// Status is the HTTP status (types error, default 400, and response,
	// default 200).
	Status int `json:"status,omitempty" yaml:"status,omitempty"`
	// Value is the "value" of error shapes that have one, such as
	// Doktornarabote's API errors (type error).
	Value string `json:"value,omitempty" yaml:"value,omitempty"`
	// Fields are further error body fields, in order (type error), e.g.
	// Kontur's partial_factor_token and required_factors.
	Fields Fields `json:"fields,omitempty" yaml:"fields,omitempty"`
	// Body is the response body (type response).
	Body string `json:"body,omitempty" yaml:"body,omitempty"`
	// Headers are added to the response (types error and response).
	Headers map[string]string `json:"headers,omitempty" yaml:"headers,omitempty"`
	// Delay is a Go duration such as "5s" (type latency).
	Delay string `json:"delay,omitempty" yaml:"delay,omitempty"`
	// ContentType replaces the real one (type content_type); empty means
	// "text/html; charset=utf-8", what a misconfigured proxy sends.
	ContentType string `json:"content_type,omitempty" yaml:"content_type,omitempty"`
}

// Field is one extra error body field; Value is raw JSON.
type Field struct {
	Key   string
	Value json.RawMessage
}

// Fields are written as a JSON object whose key order is kept, because
// the order is part of what a provider sends.
type Fields []Field

// MarshalJSON writes the fields as an object in order.
func (fs Fields) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(',')
		}
		key, _ := json.Marshal(f.Key)
		b.Write(key)
		b.WriteByte(':')
		b.Write(f.Value)
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// UnmarshalJSON reads an object, keeping its key order.
func (fs *Fields) UnmarshalJSON(data []byte) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return errors.New("fields: want a JSON object")
	}
	var out Fields
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return fmt.Errorf("fields: %v", err)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return fmt.Errorf("fields.%s: %v", tok, err)
		}
		out = append(out, Field{Key: tok.(string), Value: v})
	}
	*fs = out
	return nil
}

// DecodeJSON reads one rule, or {"rules":[…]}, strictly: unknown fields,
// trailing data and wrong types are errors. Every rule is validated; the
// error is a *ProblemsError naming each problem, all at once: an unknown
// field hides none of the others.
func DecodeJSON(data []byte) (rules []Rule, list bool, err error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, false, problemsOf("", "body: "+strictjson.NotObject(err))
	}
	if _, list = probe["rules"]; !list {
		var r Rule
		decoding, invalid := decodeRule(data, &r)
		if err := problems.List(append(decoding, invalid...)).Err(what); err != nil {
			return nil, false, err
		}
		return []Rule{r}, false, nil
	}
	var env struct {
		Rules []json.RawMessage `json:"rules"`
	}
	decoded, ok := strictjson.DecodeAll(data, &env)
	p := problems.List(decoded)
	if !ok {
		return nil, true, p.Err(what)
	}
	rules = make([]Rule, len(env.Rules))
	for i, raw := range env.Rules {
		decoding, invalid := decodeRule(raw, &rules[i])
		p.Under(fmt.Sprintf("rules[%d]: ", i), decoding)
		p.Under(fmt.Sprintf("rules[%d].", i), invalid)
	}
	if err := p.Err(what); err != nil {
		return nil, true, err
	}
	return rules, true, nil
}

// decodeRule decodes one rule's JSON and reports every problem at once:
// decoding's (each unknown field, a value of the wrong type) and, when
// the JSON is a rule at all, Validate's. A field of the wrong type is
// reported as such, not again as missing or invalid.
func decodeRule(data []byte, r *Rule) (decoding, invalid []string) {
	type plain Rule // no methods: avoids UnmarshalYAML's recursion
	decoding, ok := strictjson.DecodeAll(data, (*plain)(r))
	if !ok {
		return decoding, nil
	}
	if pe, _ := r.Validate().(*ProblemsError); pe != nil {
		invalid = problems.Beyond(decoding, pe.Problems)
	}
	return decoding, invalid
}

// yamlJSON turns a YAML rule into JSON, so that both formats are read by
// the one decoder and accept exactly the same rules.
func yamlJSON(n *yaml.Node) ([]byte, error) {
	var v any
	if err := n.Decode(&v); err != nil {
		return nil, err
	}
	data, err := json.Marshal(v)
	if err != nil {
		return nil, errors.New("a rule must be a mapping with string keys")
	}
	return data, nil
}

// UnmarshalYAML decodes a rule from YAML with the same strictness as
// JSON; it does not validate the rule (DecodeYAML does).
func (r *Rule) UnmarshalYAML(n *yaml.Node) error {
	data, err := yamlJSON(n)
	if err == nil {
		if decoding, _ := decodeRule(data, r); len(decoding) > 0 {
			err = errors.New(strings.Join(decoding, "; "))
		}
	}
	if err != nil {
		return fmt.Errorf("line %d: %v", n.Line, err)
	}
	return nil
}

// DecodeYAML decodes and validates the rules of a config preset, reporting
// every problem at once as rules[i]: ….
func DecodeYAML(nodes []yaml.Node) (Checked, error) {
	var p problems.List
	rules := make([]Rule, len(nodes))
	for i := range nodes {
		data, err := yamlJSON(&nodes[i])
		if err != nil {
			p = append(p, fmt.Sprintf("rules[%d]: line %d: %v", i, nodes[i].Line, err))
			continue
		}
		decoding, invalid := decodeRule(data, &rules[i])
		p.Under(fmt.Sprintf("rules[%d]: line %d: ", i, nodes[i].Line), decoding)
		p.Under(fmt.Sprintf("rules[%d].", i), invalid)
	}
	if err := p.Err(what); err != nil {
		return Checked{}, err
	}
	return Checked{rules}, nil
}
