package kontur_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file:\n got: %s\nwant: %s", name, got, want)
	}
}

func indent(t *testing.T, raw []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := json.Indent(&buf, raw, "", "  "); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, raw)
	}
	buf.WriteByte('\n')
	return buf.Bytes()
}

// The discovery document, with the issuer written as {issuer} since the
// port changes from run to run (checklist 1).
func TestDiscoveryGolden(t *testing.T) {
	srv := start(t)
	rep := get(t, srv, srv.SiteURL("kontur")+"/.well-known/openid-configuration")
	if rep.Status != 200 || rep.Header.Get("Content-Type") != "application/json; charset=UTF-8" {
		t.Fatalf("%d %q", rep.Status, rep.Header.Get("Content-Type"))
	}
	if rep.JSON["issuer"] != srv.SiteURL("kontur") || strings.HasSuffix(srv.SiteURL("kontur"), "/") {
		t.Errorf("issuer %v, want %s", rep.JSON["issuer"], srv.SiteURL("kontur"))
	}
	golden(t, "discovery.json", indent(t, bytes.ReplaceAll(rep.Body, []byte(srv.SiteURL("kontur")), []byte("{issuer}"))))
}

// The JWKS of the committed test-only key is stable across runs
// (checklist 2).
func TestJWKSGolden(t *testing.T) {
	srv := start(t)
	rep := get(t, srv, srv.SiteURL("kontur")+"/.well-known/openid-configuration/jwks")
	var set struct {
		Keys []map[string]any `json:"keys"`
	}
	if err := json.Unmarshal(rep.Body, &set); err != nil || len(set.Keys) == 0 {
		t.Fatalf("JWKS %s: %v", rep.Body, err)
	}
	for _, k := range set.Keys {
		for _, field := range []string{"kty", "use", "kid", "e", "n", "alg"} {
			if _, ok := k[field].(string); !ok {
				t.Errorf("key lacks %s: %v", field, k)
			}
		}
		if k["kty"] != "RSA" || k["use"] != "sig" || k["alg"] != "RS256" {
			t.Errorf("key %v", k)
		}
		if _, private := k["d"]; private {
			t.Fatal("JWKS leaks the private exponent")
		}
	}
	golden(t, "jwks.json", indent(t, rep.Body))
}
