@kontur
Feature: Kontur.Extern token by the user's email and password
  A user who signs in to the Kontur.Extern web app with an email and a
  password can give them to an application, which posts them to the
  token_endpoint with its client_id and client_secret (api-key) in the body,
  grant_type=password and scope=extern.api.

  Background:
    Given the Kontur client "extern.api" with secret "extern.api-secret"

  Scenario: The user's email and password get a Bearer token for one day
    When the client requests a Kontur token with the credentials in the body:
      | grant_type | password      |
      | scope      | extern.api    |
      | username   | user@login.ru |
      | password   | password      |
    Then the response status is 200
    And the response is JSON with exactly the keys "access_token, expires_in, token_type" in that order
    And the response is JSON with:
      | field        | type    | value            |
      | access_token | string  | /^[0-9a-f]{64}$/ |
      | expires_in   | integer | 86400            |
      | token_type   | string  | Bearer           |
    And the response has the headers:
      | header        | value                           |
      | Content-Type  | application/json; charset=UTF-8 |
      | Cache-Control | no-store, no-cache, max-age=0   |
      | Pragma        | no-cache                        |
    And the response carries Kontur's trace and Dont-Retry headers

  Scenario: A wrong password is invalid_grant, invalid_username_or_password
    When the client requests a Kontur token with the credentials in the body:
      | grant_type | password       |
      | scope      | extern.api     |
      | username   | user@login.ru  |
      | password   | wrong-password |
    Then the response status is 400
    And the response is JSON with:
      | field             | type   | value                        |
      | error             | string | invalid_grant                |
      | error_description | string | invalid_username_or_password |
    And the response carries Kontur's trace and Dont-Retry headers

  Scenario: With offline_access the refresh token rotates and the old one is spent
    When the client requests a Kontur token with the credentials in the body:
      | grant_type | password                  |
      | scope      | extern.api offline_access |
      | username   | user@login.ru             |
      | password   | password                  |
    Then the response status is 200
    And the response is JSON with exactly the keys "access_token, expires_in, token_type, refresh_token" in that order
    When the client refreshes the Kontur token
    Then the response status is 200
    And the response is JSON with:
      | field         | type   | value  |
      | access_token  | string |        |
      | token_type    | string | Bearer |
      | refresh_token | string |        |
    And the refresh token has changed
    When the client refreshes the Kontur token with the previous refresh token
    Then the response status is 400
    And the response is JSON with:
      | field | type   | value         |
      | error | string | invalid_grant |

  Scenario: The API resource introspects a live token: active, with its scope
    Given the client has a Kontur token for "user@login.ru" with password "password" and scope "extern.api"
    When the API resource "extern.api" with secret "extern.api-resource-secret" introspects the access token
    Then the response status is 200
    And the response is JSON with:
      | field  | type    | value      |
      | active | boolean | true       |
      | scope  | string  | extern.api |

  Scenario: The API resource introspects an unknown token: inactive
    When the API resource "extern.api" with secret "extern.api-resource-secret" introspects the token "0000000000000000000000000000000000000000000000000000000000000000"
    Then the response status is 200
    And the response is JSON with exactly the keys "active"
    And the response is JSON with:
      | field  | type    | value |
      | active | boolean | false |

  @fake
  Scenario: The API resource introspects an expired token: inactive
    Given the client has a Kontur token for "user@login.ru" with password "password" and scope "extern.api"
    And the fake's clock moves forward by "25h"
    When the API resource "extern.api" with secret "extern.api-resource-secret" introspects the access token
    Then the response status is 200
    And the response is JSON with:
      | field  | type    | value |
      | active | boolean | false |
