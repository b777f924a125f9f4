package scenarios_test

import (
	"bytes"
	"encoding/xml"
	"io/fs"
	"strings"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/features"
	"github.com/fakeidp/fakeidp/scenarios"
)

// junitCase is one scenario in godog's JUnit report.
type junitCase struct {
	Name    string `xml:"name,attr"`
	Status  string `xml:"status,attr"`
	Failure *struct {
		Message string `xml:"message,attr"`
	} `xml:"failure"`
}

// runKontur runs the Kontur features against in-process servers built
// from opts and returns godog's status and the scenarios by name.
func runKontur(t *testing.T, opts fakeidp.Options) (int, map[string]junitCase) {
	t.Helper()
	sub, err := fs.Sub(features.FS, "kontur")
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	status := scenarios.Run(scenarios.Config{Server: opts}, sub, scenarios.RunOptions{
		Format: "junit", Output: &out, Seed: 1, Tags: "~@fake",
	})
	cases := junitCases(t, out.Bytes())
	return status, cases
}

// junitCases reads godog's JUnit report: the scenarios by name.
func junitCases(t *testing.T, report []byte) map[string]junitCase {
	t.Helper()
	var r struct {
		Suites []struct {
			Cases []junitCase `xml:"testcase"`
		} `xml:"testsuite"`
	}
	if err := xml.Unmarshal(report, &r); err != nil {
		t.Fatalf("junit report: %v\n%s", err, report)
	}
	cases := map[string]junitCase{}
	for _, s := range r.Suites {
		for _, c := range s.Cases {
			cases[c.Name] = c
		}
	}
	return cases
}

// TestStepsAssert proves the steps check what they claim: with the
// kontur-invalid-client preset, which makes every Kontur token request
// answer 400 invalid_client, the token scenarios fail while the ones that
// expect invalid_client, or never touch the token endpoint, still pass.
func TestStepsAssert(t *testing.T) {
	t.Parallel()
	status, cases := runKontur(t, fakeidp.Options{})
	if status != 0 {
		t.Fatalf("without a preset the Kontur features should pass, got status %d: %v", status, failed(cases))
	}

	status, cases = runKontur(t, fakeidp.Options{Presets: []string{"kontur-invalid-client"}})
	if status == 0 {
		t.Fatal("with kontur-invalid-client active the Kontur features passed: the steps assert nothing")
	}
	mustFail := []string{
		"The seed request gets a Bearer token for one day",
		"The SDK's request, with Basic and body credentials at once, is accepted",
		"The user's email and password get a Bearer token for one day",
		"The user signs in and the code becomes an access_token and an id_token",
	}
	for _, name := range mustFail {
		c, ok := cases[name]
		if !ok || c.Failure == nil {
			t.Errorf("%q: want a failure, got status %q", name, c.Status)
			continue
		}
		if !strings.Contains(c.Failure.Message, "invalid_client") {
			t.Errorf("%q failed without showing the answer: %s", name, c.Failure.Message)
		}
	}
	for _, name := range []string{
		"A wrong secret is refused with 400 invalid_client, never 401",
		"The configuration names the issuer and the endpoints under it",
		"The signing keys are RSA keys for RS256 signatures",
	} {
		if c := cases[name]; c.Failure != nil {
			t.Errorf("%q should still pass: %s", name, c.Failure.Message)
		}
	}
}

func failed(cases map[string]junitCase) []string {
	var out []string
	for name, c := range cases {
		if c.Failure != nil {
			out = append(out, name+": "+c.Failure.Message)
		}
	}
	return out
}
