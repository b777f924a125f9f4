@livedigital
Feature: livedigital API methods behind the tokens
  A client token "can view public entities, e.g. rooms"; a user token can
  create entities (seed 004). SEEN: a missing, garbage or expired token is
  401 {"message","code"}, the wrong kind of token 403. Personal tokens are
  user tokens. The methods' payloads are not documented: the fake answers
  GET /v1/rooms with an empty list, and everything else with stubs.

  Background:
    Given the livedigital client "john-smith-livedigital" with secret "VTytkTR7ZHH5nLhoWCLjymrUJjKBzfs4"

  Scenario: A client token views rooms
    Given the client has a livedigital client token
    When the client calls "GET /v1/rooms" on "livedigital" with the client token
    Then the response status is 200

  @fake
  Scenario: The fake lists no rooms unless a stub says otherwise
    Given the client has a livedigital client token
    When the client calls "GET /v1/rooms" on "livedigital" with the client token
    Then the response status is 200
    And the response is JSON with exactly the keys "items"
    And the response is JSON with:
      | field | type  | value |
      | items | array |       |

  Scenario Outline: Without a usable token a method is unauthorized
    When the client calls "GET /v1/rooms" on "livedigital" <with>
    Then the response status is 401
    And the response is JSON with:
      | field   | type    | value |
      | message | string  |       |
      | code    | string  | 401   |

    Examples:
      | with                            |
      | without a token                 |
      | with the Bearer token "garbage" |

  @fake
  Scenario: A method for users refuses a client token and answers a user token
    Given the fake has the stub:
      """
      {"site": "livedigital", "method": "POST", "path": "/v1/spaces/{spaceId}/rooms", "require": {"token": "user"},
       "response": {"status": 201, "json": {"spaceId": "${path.spaceId}", "owner": "${token.sub}"}}}
      """
    And the client has a livedigital user token for "test_user@test.test" with password "123456"
    When the client calls "POST /v1/spaces/s-1/rooms" on "livedigital" with the client token
    Then the response status is 403
    And the response is JSON with:
      | field   | type    | value |
      | message | string  |       |
      | code    | string  | 403   |
    When the client calls "POST /v1/spaces/s-1/rooms" on "livedigital" with the user token
    Then the response status is 201
    And the response is JSON with:
      | field   | type   | value                    |
      | spaceId | string | s-1                      |
      | owner   | string | 62ab5a84b0ce6ee31b0997b3 |

  @fake
  Scenario: A personal token is a user token
    Given the fake has the stub:
      """
      {"site": "livedigital", "path": "/v1/me", "require": {"token": "user"}, "response": {"json": {"id": "${token.sub}"}}}
      """
    And "test_user@test.test" has created a personal token in the cabinet
    When the client calls "GET /v1/me" on "livedigital" with the personal token
    Then the response status is 200

  @fake
  Scenario: The client loops: the token expires, the API says 401, the client refreshes and retries
    Given the client has a livedigital user token for "test_user@test.test" with password "123456"
    When the fake's clock moves forward by "168h"
    And the client calls "GET /v1/rooms" on "livedigital" with the access token
    Then the response status is 401
    When the client refreshes the livedigital token
    Then the response status is 200
    When the client calls "GET /v1/rooms" on "livedigital" with the access token
    Then the response status is 200
