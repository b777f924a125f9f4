@fake @sandboxes
Feature: Sandboxes keep test suites apart
  Many suites share one running fakeidp, each in a sandbox of its own
  (POST /_fakeidp/sandboxes): its own tokens, clock, fault rules and
  fixtures overlay. What happens in one is invisible in the others.

  Background:
    Given the Kontur client "medi_test_client" with secret "b29d0d9e-872c-4ea5-a92a-71b3abdea091"
    And a new sandbox "A"
    And a new sandbox "B"

  Scenario: A token from sandbox A is refused by sandbox B
    Given the client works in sandbox "A"
    When the client requests a Kontur token with HTTP Basic:
      | grant_type | client_credentials |
      | scope      | medi_api           |
    Then the response status is 200
    When the API resource "medi_api" with secret "medi_api-resource-secret" introspects the access token
    Then the response is JSON with:
      | field  | type    | value |
      | active | boolean | true  |
    Given the client works in sandbox "B"
    When the API resource "medi_api" with secret "medi_api-resource-secret" introspects the access token
    Then the response status is 200
    And the response is JSON with:
      | field  | type    | value |
      | active | boolean | false |

  Scenario: Moving sandbox A's clock leaves sandbox B's token valid
    Given the client works in sandbox "B"
    When the client requests a Kontur token with HTTP Basic:
      | grant_type | client_credentials |
      | scope      | medi_api           |
    Then the response status is 200
    Given the client works in sandbox "A"
    And the fake's clock moves forward by "48h"
    Given the client works in sandbox "B"
    When the API resource "medi_api" with secret "medi_api-resource-secret" introspects the access token
    Then the response is JSON with:
      | field  | type    | value |
      | active | boolean | true  |

  Scenario: A fault in sandbox A does not touch sandbox B
    Given the client works in sandbox "A"
    And the fake has the preset "kontur-invalid-client" enabled
    When the client requests a Kontur token with HTTP Basic:
      | grant_type | client_credentials |
      | scope      | medi_api           |
    Then the response status is 400
    Given the client works in sandbox "B"
    When the client requests a Kontur token with HTTP Basic:
      | grant_type | client_credentials |
      | scope      | medi_api           |
    Then the response status is 200
    And the fake lists 0 fault rules

  Scenario: A user from sandbox C's fixtures overlay logs in only in sandbox C
    Given a new sandbox "C" with the fixtures:
      """
      kontur:
        users:
          - username: overlay-user@login.ru
            password: overlay-password
            subject: 0d1f6a52-9a6e-4c43-8f0e-2b4f7b9d1c01
      """
    And the Kontur client "extern.api" with secret "extern.api-secret"
    And the client works in sandbox "C"
    When the client requests a Kontur token with the credentials in the body:
      | grant_type | password                |
      | username   | overlay-user@login.ru   |
      | password   | overlay-password        |
      | scope      | extern.api              |
    Then the response status is 200
    Given the client works in sandbox "B"
    When the client requests a Kontur token with the credentials in the body:
      | grant_type | password                |
      | username   | overlay-user@login.ru   |
      | password   | overlay-password        |
      | scope      | extern.api              |
    Then the response status is 400
    And the response is JSON with:
      | field | type   | value         |
      | error | string | invalid_grant |
