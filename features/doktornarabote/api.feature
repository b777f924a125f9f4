@doktornarabote
Feature: Doktornarabote partner API behind the tokens
  Every method of the partner API but the validation-code request takes
  "Authorization: Bearer ACCESS_TOKEN" (seed 003). SEEN: every
  authorization failure is 403 {"type":"oauth","value":…,"description":…},
  never 401. The methods' payloads are not documented: the fake answers
  with stubs.

  Background:
    Given the Doktornarabote client "98483c47f17f4888b0bf695d1165062e"

  @fake
  Scenario: A valid token gets the stubbed answer
    Given the fake has the stub:
      """
      {"site": "doktornarabote-api", "path": "/api/v1/profile",
       "response": {"json": {"phone": "${token.sub}", "client": "${token.client_id}"}}}
      """
    And the app has signed in as "11111111111" after requesting a code for "1" and "1111111111"
    When the client calls "GET /api/v1/profile" on "doktornarabote-api" with the access token
    Then the response status is 200
    And the response is JSON with:
      | field  | type   | value                            |
      | phone  | string | 11111111111                      |
      | client | string | 98483c47f17f4888b0bf695d1165062e |

  Scenario Outline: Without a usable token the API answers 403 oauth, never 401
    When the client calls "GET /api/v1/profile" on "doktornarabote-api" <with>
    Then the response status is 403
    And the response is JSON with exactly the keys "type, value, description" in that order
    And the response is JSON with:
      | field       | type   | value |
      | type        | string | oauth |
      | description | string |       |

    Examples:
      | with                            |
      | without a token                 |
      | with the Bearer token "garbage" |

  @fake
  Scenario: The app loops: the token expires, the API says 403 oauth, the app refreshes and retries
    Given the fake has the stub:
      """
      {"site": "doktornarabote-api", "path": "/api/v1/profile", "response": {"json": {"phone": "${token.sub}"}}}
      """
    And the app has signed in as "11111111111" after requesting a code for "1" and "1111111111"
    When the fake's clock moves forward by "1209599s"
    And the client calls "GET /api/v1/profile" on "doktornarabote-api" with the access token
    Then the response status is 403
    And the response is JSON with:
      | field | type   | value |
      | type  | string | oauth |
    When the app refreshes the Doktornarabote token
    Then the response status is 200
    When the client calls "GET /api/v1/profile" on "doktornarabote-api" with the access token
    Then the response status is 200
