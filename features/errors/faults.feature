@errors @fake
Feature: Fault rules: one failure, exactly where a test wants it
  POST /_fakeidp/faults adds a rule: a match on the site, path, method,
  grant_type, client_id, username or phone, and an effect. "times" limits
  how often it fires and "after" lets the first requests through, so a test
  can check that a client retries, or that it does not.

  Background:
    Given the Kontur client "medi_test_client" with secret "b29d0d9e-872c-4ea5-a92a-71b3abdea091"

  Scenario: A one-time 503 with Retry-After, then the token endpoint answers again
    Given the fake has the fault rule:
      """
      {"match": {"site": "kontur", "path": "/connect/token", "method": "POST", "client_id": "medi_test_client"},
       "effect": {"type": "response", "status": 503, "body": "{\"error\":\"temporarily_unavailable\"}",
                  "headers": {"Retry-After": "5", "Content-Type": "application/json"}},
       "times": 1}
      """
    When the client requests a Kontur token with HTTP Basic:
      | grant_type | client_credentials |
      | scope      | medi_api           |
    Then the response status is 503
    And the response has the headers:
      | header      | value |
      | Retry-After | 5     |
    When the client requests a Kontur token with HTTP Basic:
      | grant_type | client_credentials |
      | scope      | medi_api           |
    Then the response status is 200

  Scenario: "after" lets the first request through and fails the second
    Given the fake has the fault rule:
      """
      {"match": {"site": "kontur", "path": "/connect/token", "grant_type": "client_credentials"},
       "effect": {"type": "error", "error": "invalid_client", "status": 400},
       "after": 1}
      """
    When the client requests a Kontur token with HTTP Basic:
      | grant_type | client_credentials |
      | scope      | medi_api           |
    Then the response status is 200
    When the client requests a Kontur token with HTTP Basic:
      | grant_type | client_credentials |
      | scope      | medi_api           |
    Then the response status is 400
    And the response is JSON with:
      | field | type   | value          |
      | error | string | invalid_client |

  Scenario: Latency delays the answer but does not change it
    Given the fake has the fault rule:
      """
      {"match": {"site": "kontur", "path": "/connect/token"}, "effect": {"type": "latency", "delay": "200ms"}}
      """
    When the client requests a Kontur token with HTTP Basic:
      | grant_type | client_credentials |
      | scope      | medi_api           |
    Then the response status is 200
    And the answer took at least 200 ms

  Scenario: A hanging token endpoint makes a client with a timeout give up
    Given the fake has the fault rule:
      """
      {"match": {"site": "kontur", "path": "/connect/token"}, "effect": {"type": "hang"}}
      """
    And the client gives up after "300ms"
    When the client requests a Kontur token with HTTP Basic:
      | grant_type | client_credentials |
      | scope      | medi_api           |
    Then the request times out

  Scenario Outline: Broken connections and bodies: <effect>
    Given the fake has the fault rule:
      """
      {"match": {"site": "kontur", "path": "/connect/token"}, "effect": {"type": "<effect>"}}
      """
    When the client requests a Kontur token with HTTP Basic:
      | grant_type | client_credentials |
      | scope      | medi_api           |
    Then <outcome>

    Examples:
      | effect    | outcome                              |
      | close     | the request fails without a response |
      | reset     | the request fails without a response |
      | truncate  | the response body is not JSON        |
      | malformed | the response body is not JSON        |

  Scenario: A proxy that rewrites the Content-Type
    Given the fake has the fault rule:
      """
      {"match": {"site": "kontur", "path": "/connect/token"}, "effect": {"type": "content_type", "content_type": "text/html"}}
      """
    When the client requests a Kontur token with HTTP Basic:
      | grant_type | client_credentials |
      | scope      | medi_api           |
    Then the response status is 200
    And the response has the headers:
      | header       | value     |
      | Content-Type | text/html |

  Scenario: A rule matched by phone fails only that phone's SMS
    Given the fake has the fault rule:
      """
      {"match": {"site": "doktornarabote-api", "phone": "79161234567"},
       "effect": {"type": "error", "error": "internal_server_error", "status": 500}}
      """
    When the app requests a validation code for country code "7" and number "9161234567"
    Then the response status is 500
    And the response is JSON with:
      | field | type   | value                 |
      | type  | string | internal_server_error |
    When the app requests a validation code for country code "7" and number "9160000000"
    Then the response status is 200
