@doktornarabote
Feature: Doktornarabote partner API: sign in by phone and SMS code
  The API uses two-factor authorization: the application registers the
  user's phone number on testapipartner.doktornarabote.ru, the user receives
  a validation code by SMS, and the application exchanges the phone and the
  code for an access and refresh token pair on
  testauthpartner.doktornarabote.ru/token (OAuth 2.0, RFC 6749). The
  username is the country code and the number written together; the
  password is the SMS code. There is no client secret.

  Background:
    Given the Doktornarabote client "98483c47f17f4888b0bf695d1165062e"

  Scenario: The seed phone registers and exchanges its SMS code for tokens
    When the app requests a validation code for country code "1" and number "1111111111"
    Then the response status is 200
    When the app requests tokens for username "11111111111" with the SMS code sent to it
    Then the response status is 200
    And the response is JSON with exactly the keys "access_token, token_type, expires_in, refresh_token" in that order
    And the response is JSON with:
      | field         | type    | value   |
      | access_token  | string  |         |
      | token_type    | string  | bearer  |
      | expires_in    | integer | 1209599 |
      | refresh_token | string  |         |
    And the response has the headers:
      | header        | value                          |
      | Content-Type  | /^application/json; ?charset=UTF-8$/ |
      | Cache-Control | no-cache                       |
      | Pragma        | no-cache                       |
      | Expires       | -1                             |

  @fake
  Scenario: The SMS with a 4-digit code arrives in the fake's outbox
    When the app requests a validation code for country code "7" and number "9161234567"
    Then the response status is 200
    And the fake's SMS outbox holds a 4-digit code for "79161234567"
    When the app requests tokens for username "79161234567" with the SMS code sent to it
    Then the response status is 200
    And the response is JSON with:
      | field      | type   | value  |
      | token_type | string | bearer |

  Scenario: The refresh token rotates; the old one is refused
    Given the app has signed in as "11111111111" after requesting a code for "1" and "1111111111"
    When the app refreshes the Doktornarabote token
    Then the response status is 200
    And the response is JSON with exactly the keys "access_token, token_type, expires_in, refresh_token" in that order
    And the refresh token has changed
    When the app refreshes the Doktornarabote token with the previous refresh token
    Then the response status is 400
    And the response is JSON with:
      | field | type   | value         |
      | error | string | invalid_grant |
