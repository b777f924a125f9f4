package reqinfo

import (
	"encoding/json"
	"maps"
	"testing"
)

// slowJSON is parseJSON without its fast path.
func slowJSON(body []byte) map[string]string {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(body, &raw); err != nil || len(raw) == 0 {
		return nil
	}
	fields := map[string]string{}
	for k, v := range raw {
		fields[k] = renderJSON(v)
	}
	return fields
}

var jsonBodies = []string{
	`{"client_id":"john-smith-livedigital","client_secret":"VTytkTR7ZHH5nLhoWCLjymrUJjKBzfs4","grant_type":"client_credentials"}`,
	" {\n \"a\" : 1 ,\t\"b\":-0.5e+3, \"c\":true,\"d\":false,\"e\":null } ",
	`{}`, `{ }`, `{"a":"x","a":"y"}`, `{"ключ":"значение"}`,
	`{"a":"\u0041"}`, `{"a":"x\"y"}`, `{"a":{"b":1}}`, `{"a":[1,2]}`,
	`{"a":01}`, `{"a":1.}`, `{"a":-}`, `{"a":1e}`, `{"a":tru}`, `{"a":nul}`,
	`{"a":"x"} junk`, `{"a":"x"`, `{"a" "x"}`, `{"a":"x",}`, `{a:"x"}`, `[]`, `null`, `"s"`, ``,
	"{\"a\":\"\xff\"}", "{\"a\":\"tab\there\"}", `{"a":1,"b":{"c":[{"d":"e"}]},"f":"g"}`,
}

// The fast path gives encoding/json's answer on every input it accepts,
// and parseJSON's answer never changes because of it.
func TestFastJSONMatchesEncodingJSON(t *testing.T) {
	for _, body := range jsonBodies {
		want := slowJSON([]byte(body))
		if fast, ok := scanFlatObject([]byte(body)); ok {
			if len(fast) == 0 {
				fast = nil
			}
			if !maps.Equal(fast, want) {
				t.Errorf("%q: fast path %v, encoding/json %v", body, fast, want)
			}
		}
		if got := parseJSON([]byte(body)); !maps.Equal(got, want) {
			t.Errorf("%q: parseJSON %v, want %v", body, got, want)
		}
	}
}

func FuzzFastJSON(f *testing.F) {
	for _, body := range jsonBodies {
		f.Add([]byte(body))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		fast, ok := scanFlatObject(body)
		if !ok {
			return
		}
		if len(fast) == 0 {
			fast = nil
		}
		if want := slowJSON(body); !maps.Equal(fast, want) {
			t.Errorf("%q: fast path %v, encoding/json %v", body, fast, want)
		}
	})
}
