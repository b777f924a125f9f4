@livedigital @fake
Feature: livedigital personal account, "Интеграция"
  In the personal account the user gets a clientId, regenerates the
  client_secret and manages personal tokens. Personal tokens never expire
  and act for the user; each is shown once, when it is created; the list
  shows only when each was created; deleting one revokes it.

  The real cabinet is a web page. fakeidp offers the same operations under
  its control API, /_fakeidp/livedigital/, which these scenarios use.

  Scenario: A personal token is shown once, listed by creation time, and works as a user token
    When "test_user@test.test" creates a personal token in the cabinet
    Then the response status is 201
    And the response is JSON with:
      | field     | type   | value |
      | id        | string |       |
      | token     | string |       |
      | createdAt | string |       |
    When "test_user@test.test" lists the personal tokens in the cabinet
    Then the response status is 200
    And the JSON object at "items.0" has exactly the keys "id, createdAt"
    When the client lists spaces with the personal token
    Then the response status is 200

  Scenario: A personal token never expires
    Given "test_user@test.test" has created a personal token in the cabinet
    And the fake's clock is set to "2035-01-01T00:00:00Z"
    When the client lists spaces with the personal token
    Then the response status is 200

  Scenario: A deleted personal token is refused from then on
    Given "test_user@test.test" has created a personal token in the cabinet
    When "test_user@test.test" deletes the personal token in the cabinet
    Then the response status is 204
    When the client lists spaces with the personal token
    Then the response status is 401

  Scenario: A regenerated client secret replaces the old one
    Given the livedigital client "john-smith-livedigital" with secret "VTytkTR7ZHH5nLhoWCLjymrUJjKBzfs4"
    When "test_user@test.test" regenerates the secret of "john-smith-livedigital" in the cabinet
    Then the response status is 200
    When the client requests a livedigital client token
    Then the response status is 400
    And the response is JSON with:
      | field | type   | value         |
      | error | string | invalid_grant |
    When the client takes the new secret from the cabinet
    And the client requests a livedigital client token
    Then the response status is 200
