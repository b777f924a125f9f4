@doktornarabote
Feature: Doktornarabote partner API: refused phone logins
  The two hosts answer errors in two shapes. The partner API
  (validation-code) answers {"type","value","description"}; the OAuth
  server (/token) answers the OAuth shape {"error"} with
  error_description only when it has one.

  Background:
    Given the Doktornarabote client "98483c47f17f4888b0bf695d1165062e"

  Scenario: A wrong SMS code is invalid_grant in the OAuth shape
    When the app requests a validation code for country code "1" and number "1111111111"
    And the app requests tokens for username "11111111111" with the password "0000"
    Then the response status is 400
    And the response is JSON with:
      | field | type   | value         |
      | error | string | invalid_grant |
    And the response has no JSON field "type"
    And the response has the headers:
      | header        | value    |
      | Cache-Control | no-cache |
      | Pragma        | no-cache |
      | Expires       | -1       |

  Scenario: A used SMS code is invalid_grant
    Given the app has signed in as "11111111111" after requesting a code for "1" and "1111111111"
    When the app requests tokens for username "11111111111" with the SMS code sent to it
    Then the response status is 400
    And the response is JSON with:
      | field | type   | value         |
      | error | string | invalid_grant |
    And the response has no JSON field "type"

  @fake
  Scenario: An SMS code redeemed after it expired is invalid_grant
    When the app requests a validation code for country code "1" and number "1111111111"
    And the fake's clock moves forward by "6m"
    And the app requests tokens for username "11111111111" with the SMS code sent to it
    Then the response status is 400
    And the response is JSON with:
      | field | type   | value         |
      | error | string | invalid_grant |
    And the response has no JSON field "type"

  Scenario: A second code for the same phone within the resend window is limit_exceeded
    When the app requests a validation code for country code "1" and number "1111111111"
    And the app requests a validation code for country code "1" and number "1111111111"
    Then the response status is 400
    And the response is JSON with:
      | field       | type   | value          |
      | type        | string | limit_exceeded |
      | description | string |                |

  Scenario Outline: A malformed number is bad_argument, value "number"
    When the app requests a validation code for country code "7" and number "<number>"
    Then the response status is 400
    And the response is JSON with:
      | field       | type   | value        |
      | type        | string | bad_argument |
      | value       | string | number       |
      | description | string |              |

    Examples:
      | number        |
      | abc           |
      | 12            |
      | +79161234567  |
      | 916 123 45 67 |
      | 1e9           |
