package scenarios_test

import (
	"bytes"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/journal"
	"github.com/fakeidp/fakeidp/scenarios"
)

// refusedFeature expects tokens that a wrong client secret, and then a
// fault rule, keep the client from getting, and an answer that no stub
// gives: every scenario must fail.
const refusedFeature = `Feature: refusals explained
  Scenario: a wrong client secret
    Given the Kontur client "medi_test_client" with secret "not-the-secret"
    When the client requests a Kontur token with HTTP Basic:
      | grant_type | client_credentials |
      | scope      | medi_api           |
    Then the response status is 200

  Scenario: a fault rule answers
    Given the fake has the fault rule:
      """
      {"match": {"site": "kontur", "path": "/connect/token"}, "effect": {"type": "error", "status": 400, "error": "invalid_grant"}}
      """
    And the Kontur client "medi_test_client" with secret "b29d0d9e-872c-4ea5-a92a-71b3abdea091"
    When the client requests a Kontur token with HTTP Basic:
      | grant_type | client_credentials |
      | scope      | medi_api           |
    Then the response is JSON with exactly the keys "access_token, expires_in, token_type, scope"

  Scenario: no stub answers
    Given the fake has the stub:
      """
      {"site": "medi-api", "method": "GET", "path": "/V2/policies/{id}", "require": {"token": "any"}}
      """
    And the Kontur client "medi_test_client" with secret "b29d0d9e-872c-4ea5-a92a-71b3abdea091"
    And the client requests a Kontur token with HTTP Basic:
      | grant_type | client_credentials |
      | scope      | medi_api           |
    When the client calls "GET /V2/policy/p-1" on "medi-api" with the access token
    Then the response status is 200
`

// runRefused runs refusedFeature against cfg and returns each scenario's
// failure message by name ("" for a scenario that did not fail).
func runRefused(t *testing.T, cfg scenarios.Config) map[string]string {
	t.Helper()
	var out bytes.Buffer
	status := scenarios.Run(cfg, fstest.MapFS{"refused.feature": {Data: []byte(refusedFeature)}},
		scenarios.RunOptions{Format: "junit", Output: &out, Seed: 1})
	if status != 1 {
		t.Fatalf("godog status %d, want 1 (the scenarios fail)\n%s", status, out.String())
	}
	failures := map[string]string{}
	for name, c := range junitCases(t, out.Bytes()) {
		failures[name] = ""
		if c.Failure != nil {
			failures[name] = c.Failure.Message
		}
	}
	return failures
}

// A step that fails against a fakeidp says why the fake refused: the
// reason and the response body from the journal, in process and in a
// running fakeidp (whose scenarios each have a sandbox, and so a journal,
// of their own).
func TestFailureMessagesExplainRefusals(t *testing.T) {
	t.Parallel()
	running := fakeidp.StartTest(t, fakeidp.Options{})
	for name, cfg := range map[string]scenarios.Config{
		"in process":      {},
		"running fakeidp": {URL: running.URL()},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			failures := runRefused(t, cfg)
			secret := failures["a wrong client secret"]
			for _, want := range []string{"reason client_secret_mismatch: ", `response body as sent: "{\"error\":\"invalid_client\"}"`} {
				if !strings.Contains(secret, want) {
					t.Errorf("wrong secret: the failure message lacks %q:\n%s", want, secret)
				}
			}
			fault := failures["a fault rule answers"]
			for _, want := range []string{"reason fault: ", "made by fault rule f1", `response body as sent: "{\"error\":\"invalid_grant\"}"`} {
				if !strings.Contains(fault, want) {
					t.Errorf("fault rule: the failure message lacks %q:\n%s", want, fault)
				}
			}
			stub := failures["no stub answers"]
			for _, want := range []string{"reason no_stub: ", "no stub answered; the closest:", "GET /V2/policies/{id} differs in path", "response body as sent: "} {
				if !strings.Contains(stub, want) {
					t.Errorf("no stub: the failure message lacks %q:\n%s", want, stub)
				}
			}
		})
	}
	if n := len(running.Journal().List(journal.Filter{})); n != 0 {
		t.Errorf("the running fakeidp's root journal has %d entries: the scenarios' requests went to their sandboxes", n)
	}
}

// Against a real provider (--target), there is no journal to ask: the
// message is the answer alone. (The target here is a fakeidp, whose
// journal does know the reason: the steps must not ask it.)
func TestFailureMessagesOfARealTargetHaveNoJournal(t *testing.T) {
	t.Parallel()
	real := fakeidp.StartTest(t, fakeidp.Options{})
	failures := runRefused(t, scenarios.Config{Sites: map[string]string{"kontur": real.SiteURL("kontur")}})
	msg := failures["a wrong client secret"]
	if !strings.Contains(msg, "expected status 200") || strings.Contains(msg, "journal") {
		t.Errorf("failure message against a real target:\n%s", msg)
	}
}
