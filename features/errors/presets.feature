@errors @fake
Feature: Error-case presets: what a client sees when a provider fails
  fakeidp can make a provider fail the way the real one does, so that a
  client's error handling is tested before production finds it. A preset
  is a named set of fault rules, enabled with POST /_fakeidp/presets/{name}
  (or --preset NAME at start).

  Scenario: kontur-invalid-client: the token endpoint refuses the client
    Given the fake has the preset "kontur-invalid-client" enabled
    And the Kontur client "medi_test_client" with secret "b29d0d9e-872c-4ea5-a92a-71b3abdea091"
    When the client requests a Kontur token with HTTP Basic:
      | grant_type | client_credentials |
      | scope      | medi_api           |
    Then the response status is 400
    And the response is JSON with:
      | field | type   | value          |
      | error | string | invalid_client |
    And the response has no "WWW-Authenticate" header
    And the response carries Kontur's trace and Dont-Retry headers

  Scenario: kontur-token-unavailable: the proxy answers 503 in HTML with Retry-After
    Given the fake has the preset "kontur-token-unavailable" enabled
    And the Kontur client "medi_test_client" with secret "b29d0d9e-872c-4ea5-a92a-71b3abdea091"
    When the client requests a Kontur token with HTTP Basic:
      | grant_type | client_credentials |
      | scope      | medi_api           |
    Then the response status is 503
    And the response has the headers:
      | header       | value        |
      | Content-Type | /^text/html/ |
      | Retry-After  | 30           |
    And the response body is not JSON

  Scenario: kontur-slow-token: a client with a short timeout gives up
    Given the fake has the preset "kontur-slow-token" enabled
    And the Kontur client "medi_test_client" with secret "b29d0d9e-872c-4ea5-a92a-71b3abdea091"
    And the client gives up after "300ms"
    When the client requests a Kontur token with HTTP Basic:
      | grant_type | client_credentials |
      | scope      | medi_api           |
    Then the request times out

  Scenario: kontur-2fa-required: the password grant asks for a second factor
    Given the fake has the preset "kontur-2fa-required" enabled
    And the Kontur client "extern.api" with secret "extern.api-secret"
    When the client requests a Kontur token with the credentials in the body:
      | grant_type | password      |
      | scope      | extern.api    |
      | username   | user@login.ru |
      | password   | password      |
    Then the response status is 400
    And the response is JSON with:
      | field                         | type   | value          |
      | error                         | string | invalid_grant  |
      | error_status                  | string |                |
      | partial_factor_token          | string |                |
      | required_factors              | array  |                |
      | required_factors.0.grant_type | string | sms_code       |
      | required_factors.0.identity   | string |                |

  Scenario: kontur-keys-rotated: new id_tokens carry the new kid; the old key stays published
    Given the fake has the preset "kontur-keys-rotated" enabled
    And the Kontur client "yourClientId" with secret "yourClientSecret"
    And the user has signed in through the Kontur authorize URL with redirect_uri "http://www.example.com/"
    When the client exchanges the code for tokens with redirect_uri "http://www.example.com/"
    Then the response status is 200
    And the id_token is signed with RS256 by a key in the Kontur JWKS
    And the Kontur JWKS publishes 2 keys

  Scenario: doktornarabote-sms-limit: the validation-code request hits the SMS limit
    Given the fake has the preset "doktornarabote-sms-limit" enabled
    When the app requests a validation code for country code "7" and number "9161234567"
    Then the response status is 400
    And the response is JSON with:
      | field | type   | value          |
      | type  | string | limit_exceeded |
      | value | string | number         |

  Scenario: doktornarabote-code-expired: the SMS code has expired at the token endpoint
    Given the fake has the preset "doktornarabote-code-expired" enabled
    And the Doktornarabote client "98483c47f17f4888b0bf695d1165062e"
    When the app requests a validation code for country code "1" and number "1111111111"
    And the app requests tokens for username "11111111111" with the SMS code sent to it
    Then the response status is 400
    And the response is JSON with:
      | field | type   | value         |
      | error | string | invalid_grant |

  Scenario: livedigital-invalid-credentials: the user's credentials are refused
    Given the fake has the preset "livedigital-invalid-credentials" enabled
    And the livedigital client "john-smith-livedigital" with secret "VTytkTR7ZHH5nLhoWCLjymrUJjKBzfs4"
    And the client has a livedigital client token
    When the client requests a livedigital user token for "test_user@test.test" with password "123456"
    Then the response status is 400
    And the response is JSON with:
      | field             | type   | value               |
      | error             | string | invalid_grant       |
      | error_description | string | Invalid credentials |

  Scenario: livedigital-token-expired: every bearer token is treated as expired
    Given the livedigital client "john-smith-livedigital" with secret "VTytkTR7ZHH5nLhoWCLjymrUJjKBzfs4"
    And the client has a livedigital user token for "test_user@test.test" with password "123456"
    And the fake has the preset "livedigital-token-expired" enabled
    When the client lists spaces with the user token
    Then the response status is 401
    And the response is JSON with:
      | field   | type    | value |
      | message | string  |       |
      | code    | integer | 401   |

  Scenario: connection-reset: the connection is reset without an answer
    Given the fake has the preset "connection-reset" enabled
    When the client fetches the Kontur OpenID configuration
    Then the request fails without a response
