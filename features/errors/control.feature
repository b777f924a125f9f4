@errors @fake
Feature: The fake's control API
  Everything under /_fakeidp/ belongs to fakeidp, not to a provider: health,
  reset, fault rules, presets, the clock, key rotation and the request
  journal. With a control token set, each call needs
  "Authorization: Bearer <token>". Other web pages cannot drive it: state
  changes need Content-Type application/json, and another page's Origin
  is refused.

  Scenario: The fake is healthy
    When the client calls the control API "GET /_fakeidp/health"
    Then the response status is 200

  Scenario: Fault rules are listed, deleted one by one, and cleared by a reset
    Given the fake has the fault rule:
      """
      {"match": {"site": "livedigital"}, "effect": {"type": "error", "error": "invalid_grant", "status": 400}}
      """
    When the client calls the control API "GET /_fakeidp/faults"
    Then the response status is 200
    And the response is JSON with:
      | field         | type   | value |
      | rules.0.id    | string |       |
      | rules.0.match.site | string | livedigital |
    When the fake deletes the fault rule
    Then the response status is 204
    And the fake lists 0 fault rules
    Given the fake has the preset "connection-reset" enabled
    When the client calls the control API "POST /_fakeidp/reset"
    Then the response status is 200
    And the fake lists 0 fault rules

  Scenario: Another web page cannot install a fault rule (the issue's reproduction)
    When a web page at "http://evil.example" calls the control API "POST /_fakeidp/faults" with Content-Type "text/plain":
      """
      {"match":{},"effect":{"type":"response","status":200,"body":"=pwned"}}
      """
    Then the response status is 403
    And the response is JSON with:
      | field | type   | value |
      | error | string |       |
    And the fake lists 0 fault rules

  Scenario: State changes need Content-Type application/json, which a form cannot send
    When the client calls the control API "POST /_fakeidp/keys/rotate" with Content-Type "application/x-www-form-urlencoded"
    Then the response status is 415
    When the client calls the control API "POST /_fakeidp/reset" with Content-Type "text/plain"
    Then the response status is 415
    When a web page at "null" calls the control API "POST /_fakeidp/clock" with Content-Type "application/json":
      """
      {"advance": "25h"}
      """
    Then the response status is 403

  Scenario: The presets are listed by name
    When the client calls the control API "GET /_fakeidp/presets"
    Then the response status is 200
    And the fake offers the presets:
      | kontur-invalid-client           |
      | kontur-token-unavailable        |
      | kontur-slow-token               |
      | kontur-2fa-required             |
      | kontur-keys-rotated             |
      | doktornarabote-sms-limit        |
      | doktornarabote-code-expired     |
      | livedigital-invalid-credentials |
      | livedigital-token-expired       |
      | connection-reset                |

  Scenario: Moving the clock expires Kontur tokens
    Given the Kontur client "extern.api" with secret "extern.api-secret"
    And the client has a Kontur token for "user@login.ru" with password "password" and scope "extern.api"
    When the fake's clock is set to "2030-01-01T00:00:00Z"
    And the API resource "extern.api" with secret "extern.api-resource-secret" introspects the access token
    Then the response is JSON with:
      | field  | type    | value |
      | active | boolean | false |

  Scenario: Rotation without the old keys leaves one published key
    When the fake rotates its signing keys, dropping the old ones
    Then the Kontur JWKS publishes 1 key

  Scenario: The journal records the requests the sites received
    Given the Kontur client "medi_test_client" with secret "b29d0d9e-872c-4ea5-a92a-71b3abdea091"
    When the client requests a Kontur token with HTTP Basic:
      | grant_type | client_credentials |
      | scope      | medi_api           |
    Then the fake's journal has a "POST" request to "kontur" path "/connect/token" with status 200
