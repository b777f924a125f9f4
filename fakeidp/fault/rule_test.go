package fault

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"
)

func TestDecodeJSONOne(t *testing.T) {
	rules, list, err := DecodeJSON([]byte(`{
		"match": {"site": "kontur", "path": "/connect/token", "method": "post", "grant_type": "password",
		          "client_id": "extern.api", "username": "user@login.ru", "phone": "11111111111"},
		"effect": {"type": "error", "error": "invalid_grant", "description": "2fa", "status": 400,
		           "fields": {"error_status": "x", "partial_factor_token": "pft", "required_factors": [{"grant_type": "sms"}]}},
		"times": 2, "after": 1}`))
	if err != nil || list || len(rules) != 1 {
		t.Fatalf("DecodeJSON = %v, list %v, %v", rules, list, err)
	}
	r := rules[0]
	want := Match{"kontur", "/connect/token", "post", "password", "extern.api", "user@login.ru", "11111111111"}
	if r.Match != want || r.Times != 2 || r.After != 1 || r.Effect.Error != "invalid_grant" {
		t.Errorf("rule = %+v", r)
	}
	var keys []string
	for _, f := range r.Effect.Fields {
		keys = append(keys, f.Key)
	}
	if !slices.Equal(keys, []string{"error_status", "partial_factor_token", "required_factors"}) {
		t.Errorf("field order = %v", keys)
	}
	out, _ := json.Marshal(r.Effect.Fields)
	if string(out) != `{"error_status":"x","partial_factor_token":"pft","required_factors":[{"grant_type":"sms"}]}` {
		t.Errorf("Fields round trip = %s", out)
	}
}

func TestDecodeJSONList(t *testing.T) {
	rules, list, err := DecodeJSON([]byte(`{"rules":[{"effect":{"type":"reset"}},{"effect":{"type":"hang"},"match":{"site":"livedigital"}}]}`))
	if err != nil || !list || len(rules) != 2 || rules[1].Match.Site != "livedigital" {
		t.Fatalf("DecodeJSON = %+v, list %v, %v", rules, list, err)
	}
}

// Junk gets a *ProblemsError whose problems say what is wrong.
func TestDecodeJSONJunk(t *testing.T) {
	tests := []struct{ body, want string }{
		{``, "body: want a JSON object"},
		{`nope`, "body: want a JSON object"},
		{`[]`, "body: want a JSON object, got JSON array"},
		{`"rule"`, "body: want a JSON object, got JSON string"},
		{`null`, "effect.type: is missing"},
		{`{"effect":{"type":"reset"}} {}`, "after top-level value"},
		{`{"effect":{"type":"reset"},"colour":"red"}`, `unknown field "colour"`},
		{`{"effect":{"type":"reset","colour":"red"}}`, `unknown field "colour"`},
		{`{"effect":{"type":"reset"},"times":"3"}`, "times: want int"},
		{`{"effect":{"type":"reset"},"times":1.5}`, "times: want int"},
		{`{"effect":{"type":"response","headers":{"a":1}}}`, "effect.headers: want string, got JSON number"},
		{`{"effect":{"type":"error","error":"x","fields":[1]}}`, "fields: want a JSON object"},
		{`{"rules":[{"effect":{"type":"reset"}},{"effekt":{}}]}`, `rules[1]: unknown field "effekt"`},
		{`{"rules":{"effect":{}}}`, "rules: want []json.RawMessage"},
		{`{"rules":[],"match":{}}`, `unknown field "match"`},
		{`{"rules":[{"effect":{"type":"reset"}},{"effect":{"type":"nap"}}]}`, `rules[1].effect.type: unknown effect "nap"`},
		{`{"effect":{"type":"error","error":"x","fields":{"a":1,"a":2}}}`, `effect.fields[1]: duplicate key "a"`},
	}
	for _, tt := range tests {
		_, _, err := DecodeJSON([]byte(tt.body))
		var pe *ProblemsError
		if !errors.As(err, &pe) {
			t.Errorf("%s: err = %v, want *ProblemsError", tt.body, err)
			continue
		}
		if !strings.Contains(strings.Join(pe.Problems, "\n"), tt.want) {
			t.Errorf("%s:\n got %q\nwant a problem containing %q", tt.body, pe.Problems, tt.want)
		}
		for _, p := range pe.Problems {
			if strings.Count(p, "want a JSON object") > 1 {
				t.Errorf("%s: the problem says it twice: %q", tt.body, p)
			}
		}
	}
}

// Every validation problem is reported, all at once, naming its field.
func TestValidate(t *testing.T) {
	tests := []struct {
		name string
		rule Rule
		want []string
	}{
		{"valid error", Rule{Effect: Effect{Type: "error", Error: "invalid_client", Status: 400,
			Value: "v", Headers: map[string]string{"Retry-After": "5"}}}, nil},
		{"valid latency", Rule{Effect: Effect{Type: "latency", Delay: "1.5s"}}, nil},
		{"valid content type", Rule{Effect: Effect{Type: "content_type", ContentType: "text/plain"}}, nil},
		{"missing type", Rule{}, []string{"effect.type: is missing"}},
		{"unknown type", Rule{Effect: Effect{Type: "explode"}}, []string{`effect.type: unknown effect "explode"`}},
		{"bad counts and site", Rule{Match: Match{Site: "google", Path: "connect/token", Method: "PO ST"},
			Times: -1, After: -2, Effect: Effect{Type: "hang"}}, []string{
			`match.site: unknown site "google"`, "match.path: must start with /",
			`match.method: not an HTTP method`, "times: must be 0", "after: must be 0"}},
		{"fields on the wrong effect", Rule{Effect: Effect{Type: "hang", Error: "x", Description: "d", Status: 500,
			Value: "v", Fields: Fields{{"a", json.RawMessage("1")}}, Body: "b", Headers: map[string]string{"A": "b"},
			Delay: "1s", ContentType: "text/html"}}, []string{
			"effect.error: not used", "effect.description: not used", "effect.status: not used",
			"effect.value: not used", "effect.fields: not used", "effect.body: not used",
			"effect.headers: not used", "effect.delay: not used", "effect.content_type: not used"}},
		{"error without code", Rule{Effect: Effect{Type: "error"}}, []string{"effect.error: is required"}},
		{"bad error code", Rule{Effect: Effect{Type: "error", Error: `say "hi"`}}, []string{"effect.error: \"say \\\"hi\\\"\" is not an OAuth error code"}},
		{"status too low", Rule{Effect: Effect{Type: "response", Status: 99}}, []string{"effect.status: must be between 200 and 599, got 99"}},
		{"status interim", Rule{Effect: Effect{Type: "response", Status: 101}}, []string{"effect.status: must be between 200 and 599"}},
		{"status too high", Rule{Effect: Effect{Type: "error", Error: "x", Status: 600}}, []string{"effect.status: must be between 200 and 599, got 600"}},
		{"latency without delay", Rule{Effect: Effect{Type: "latency"}}, []string{"effect.delay: is required"}},
		{"bad delay", Rule{Effect: Effect{Type: "latency", Delay: "5 seconds"}}, []string{`effect.delay: "5 seconds" is not a duration`}},
		{"bare number delay", Rule{Effect: Effect{Type: "latency", Delay: "5"}}, []string{`effect.delay: "5" is not a duration`}},
		{"negative delay", Rule{Effect: Effect{Type: "latency", Delay: "-1s"}}, []string{"effect.delay: must be positive"}},
		{"bad headers", Rule{Effect: Effect{Type: "response", Headers: map[string]string{
			"Bad Name": "x", "X-Split": "a\r\nInjected: 1", "content-length": "5", "Transfer-Encoding": "chunked"}}}, []string{
			`effect.headers: "Bad Name" is not a header name`, "effect.headers.X-Split: must not contain a line break",
			"effect.headers.content-length: is set by fakeidp", "effect.headers.Transfer-Encoding: is set by fakeidp"}},
		{"bad content type", Rule{Effect: Effect{Type: "content_type", ContentType: "text/html\r\nX: y"}}, []string{"effect.content_type: must not contain a line break"}},
		{"bad fields", Rule{Effect: Effect{Type: "error", Error: "x", Fields: Fields{
			{"", json.RawMessage("1")}, {"error", json.RawMessage("1")}, {"error_description", json.RawMessage("1")},
			{"value", json.RawMessage("1")}, {"a", json.RawMessage("1")}, {"a", json.RawMessage("2")}}}}, []string{
			"effect.fields[0]: empty key", `effect.fields[1]: "error" is written from`, `effect.fields[2]: "error_description" is written from`,
			`effect.fields[3]: "value" is written from effect.value`, `effect.fields[5]: duplicate key "a"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.rule.Validate()
			if tt.want == nil {
				if err != nil {
					t.Fatalf("Validate = %v, want nil", err)
				}
				return
			}
			var pe *ProblemsError
			if !errors.As(err, &pe) {
				t.Fatalf("Validate = %v, want *ProblemsError", err)
			}
			if len(pe.Problems) != len(tt.want) {
				t.Errorf("got %d problems %q, want %d", len(pe.Problems), pe.Problems, len(tt.want))
			}
			for _, w := range tt.want {
				if !slices.ContainsFunc(pe.Problems, func(p string) bool { return strings.Contains(p, w) }) {
					t.Errorf("no problem contains %q in %q", w, pe.Problems)
				}
			}
		})
	}
}

const presetYAML = `
rules:
  - match: {site: kontur, path: /connect/token, grant_type: password}
    effect:
      type: error
      error: invalid_grant
      fields:
        error_status: second_factor_required
        partial_factor_token: pft
        required_factors: [{grant_type: sms, identity: "+7999"}]
  - effect: {type: latency, delay: 5s}
    times: 1
`

func TestDecodeYAML(t *testing.T) {
	var preset struct{ Rules []yaml.Node }
	if err := yaml.Unmarshal([]byte(presetYAML), &preset); err != nil {
		t.Fatal(err)
	}
	checked, err := DecodeYAML(preset.Rules)
	rules := checked.Rules()
	if err != nil || len(rules) != 2 {
		t.Fatalf("DecodeYAML = %+v, %v", rules, err)
	}
	out, _ := json.Marshal(rules[0].Effect.Fields)
	want := `{"error_status":"second_factor_required","partial_factor_token":"pft","required_factors":[{"grant_type":"sms","identity":"+7999"}]}`
	if string(out) != want {
		t.Errorf("fields = %s\nwant     %s", out, want)
	}
	if rules[1].Effect.Delay != "5s" || rules[1].Times != 1 {
		t.Errorf("rule 2 = %+v", rules[1])
	}
}

func TestDecodeYAMLProblems(t *testing.T) {
	tests := []struct{ doc, want string }{
		{"rules: [{effect: {type: reset}, colour: red}]", `rules[0]: line 1: unknown field "colour"`},
		{"rules: [{effect: {type: reset}, times: many}]", "rules[0]: line 1: times: want int"},
		{"rules: [{effect: {type: latency, delay: soon}}]", `rules[0].effect.delay: "soon" is not a duration`},
		{"rules: [[1, 2]]", "rules[0]: line 1: want a JSON object, got JSON array"},
		{"rules: [{effect: {type: reset}, match: {1: 2}}]", "rules[0]: line 1: a rule must be a mapping with string keys"},
		{"rules: [{effect: {type: hang}}, {match: {site: nowhere}, effect: {type: hang}}]", `rules[1].match.site: unknown site "nowhere"`},
	}
	for _, tt := range tests {
		var preset struct{ Rules []yaml.Node }
		if err := yaml.Unmarshal([]byte(tt.doc), &preset); err != nil {
			t.Fatal(err)
		}
		_, err := DecodeYAML(preset.Rules)
		var pe *ProblemsError
		if !errors.As(err, &pe) || !strings.Contains(strings.Join(pe.Problems, "\n"), tt.want) {
			t.Errorf("%s:\n got %v\nwant a problem containing %q", tt.doc, err, tt.want)
		}
	}
}

// An unknown field hides none of the other problems: every unknown field,
// wherever it is, and every invalid value are reported together, in JSON
// (one rule or a list) and in YAML alike.
func TestEveryProblemWithUnknownFields(t *testing.T) {
	const rule = `{"match":{"site":"nowhere","clientid":"x"},"effect":{"type":"latency","delay":"soon","stauts":500},"times":-1,"colour":"red"}`
	want := []string{
		`unknown field "colour"`, `match: unknown field "clientid"`,
		`effect: unknown field "stauts"`, `match.site: unknown site "nowhere"`,
		`effect.delay: "soon" is not a duration`, `times: must be 0`,
	}
	check := func(name string, err error, prefix string) {
		t.Helper()
		var pe *ProblemsError
		if !errors.As(err, &pe) {
			t.Fatalf("%s: err = %v, want *ProblemsError", name, err)
		}
		got := strings.Join(pe.Problems, "\n")
		for _, w := range want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: problems\n%s\nlack %q", name, got, w)
			}
		}
		if len(pe.Problems) != len(want) {
			t.Errorf("%s: %d problems, want %d:\n%s", name, len(pe.Problems), len(want), got)
		}
		for _, p := range pe.Problems {
			if !strings.HasPrefix(p, prefix) {
				t.Errorf("%s: problem %q does not start with %q", name, p, prefix)
			}
		}
	}
	_, _, err := DecodeJSON([]byte(rule))
	check("one rule", err, "")
	_, _, err = DecodeJSON([]byte(`{"rules":[{"effect":{"type":"hang"}},` + rule + `]}`))
	check("a list", err, "rules[1]")
	var preset struct{ Rules []yaml.Node }
	if err := yaml.Unmarshal([]byte("rules:\n  - {effect: {type: hang}}\n  - "+rule+"\n"), &preset); err != nil {
		t.Fatal(err)
	}
	_, err = DecodeYAML(preset.Rules)
	check("YAML", err, "rules[1]")
	// Keys match as encoding/json matches them, case-insensitively.
	if _, _, err := DecodeJSON([]byte(`{"Effect":{"TYPE":"hang"}}`)); err != nil {
		t.Errorf("keys in another case: %v", err)
	}
	// A wrong type is reported once, as such.
	_, _, err = DecodeJSON([]byte(`{"effect":{"type":5},"bogus":1}`))
	var pe *ProblemsError
	if !errors.As(err, &pe) || len(pe.Problems) != 2 || !strings.Contains(pe.Problems[0], "effect.type: want string") {
		t.Errorf("wrong type and unknown field: %v", err)
	}
}

// EffectTypes, which the dashboard's form offers, is every type Validate
// knows, each once.
func TestEffectTypesAreTheKnownOnes(t *testing.T) {
	got := EffectTypes()
	seen := map[string]bool{}
	for _, typ := range got {
		if _, ok := effectFields[typ]; !ok || seen[typ] {
			t.Errorf("EffectTypes lists %q: unknown or repeated", typ)
		}
		seen[typ] = true
	}
	if len(seen) != len(effectFields) {
		t.Errorf("EffectTypes = %v, want all %d types", got, len(effectFields))
	}
}
