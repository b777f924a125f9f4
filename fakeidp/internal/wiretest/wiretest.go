// Package wiretest is what the providers' tests share to look at a
// response on the wire: its status, headers and body, the body as a JSON
// object, and that object's keys in the order they were sent (providers'
// key order is part of their contract).
//
// It is test support: only _test.go files import it. It does not import
// the package fakeidp, whose tests use it too: tests start their servers
// with fakeidp.StartTest and take At and Config from here.
package wiretest

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp/config"
)

// Reply is a response read whole.
type Reply struct {
	Status int
	Header http.Header
	Body   []byte
}

// Do sends req with client (nil: http.DefaultClient) and reads the reply.
func Do(tb testing.TB, client *http.Client, req *http.Request) Reply {
	tb.Helper()
	if client == nil {
		client = http.DefaultClient
	}
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return Reply{Status: resp.StatusCode, Header: resp.Header, Body: body}
}

// Object decodes the body as one JSON object, failing the test otherwise.
func (r Reply) Object(tb testing.TB) map[string]any {
	tb.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		tb.Fatalf("body %q is not a JSON object: %v", r.Body, err)
	}
	return m
}

// Keys lists the body's top-level keys in the order they were written.
func (r Reply) Keys(tb testing.TB) []string {
	tb.Helper()
	dec := json.NewDecoder(bytes.NewReader(r.Body))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		tb.Fatalf("body %q is not a JSON object", r.Body)
	}
	var keys []string
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			tb.Fatalf("body %q: %v", r.Body, err)
		}
		keys = append(keys, tok.(string))
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			tb.Fatalf("body %q: %v", r.Body, err)
		}
	}
	return keys
}

// At is a clock frozen at t, for Options.Now; tests move a server's
// clock with srv.Clock().Advance.
func At(t time.Time) func() time.Time { return func() time.Time { return t } }

// Config is the default fixtures as change leaves them (a shallow copy:
// change replaces fields, never edits the shared default's slices or
// maps), validated.
func Config(tb testing.TB, change func(cfg *config.Config)) *config.Config {
	tb.Helper()
	def, err := config.Default()
	if err != nil {
		tb.Fatal(err)
	}
	cfg := *def
	change(&cfg)
	if err := cfg.Validate(); err != nil {
		tb.Fatal(err)
	}
	return &cfg
}

// Active asks the introspection endpoint of the Kontur site at base, as
// the medi_api resource, whether an access token is active.
func Active(tb testing.TB, base, token string) bool {
	tb.Helper()
	req, _ := http.NewRequest(http.MethodPost, base+"/connect/introspect",
		strings.NewReader(url.Values{"token": {token}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth("medi_api", "medi_api-resource-secret")
	var out struct{ Active bool }
	if err := json.Unmarshal(Do(tb, nil, req).Body, &out); err != nil {
		tb.Fatalf("introspection: %v", err)
	}
	return out.Active
}
