@kontur
Feature: Kontur.Strakhovanie medi-api token (client credentials)
  A medi-api client posts grant_type=client_credentials and scope=medi_api
  to the token_endpoint, authenticated by an HTTP Basic header of
  base64("clientId:clientSecret"). The answer is an opaque Bearer token that
  lives one day; it goes in "Authorization: Bearer …" on
  https://medi-api.testkontur.ru/V2 calls.

  Background:
    Given the Kontur client "medi_test_client" with secret "b29d0d9e-872c-4ea5-a92a-71b3abdea091"

  Scenario: The seed request gets a Bearer token for one day
    When the client requests a Kontur token with HTTP Basic:
      | grant_type | client_credentials |
      | scope      | medi_api           |
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
    And the Context-Globals header carries the trace id and the request priority

  Scenario: The SDK's request, with Basic and body credentials at once, is accepted
    When the client requests a Kontur token with HTTP Basic and the credentials in the body, as the Kontur SDK does:
      | grant_type | client_credentials |
      | scope      | medi_api           |
    Then the response status is 200
    And the response is JSON with:
      | field      | type    | value  |
      | expires_in | integer | 86400  |
      | token_type | string  | Bearer |

  Scenario Outline: A wrong secret is refused with 400 invalid_client, never 401
    Given the Kontur client "medi_test_client" with secret "not-the-secret"
    When the client requests a Kontur token <how>:
      | grant_type | client_credentials |
      | scope      | medi_api           |
    Then the response status is 400
    And the response is JSON with:
      | field | type   | value          |
      | error | string | invalid_client |
    And the response has no "WWW-Authenticate" header
    And the response carries Kontur's trace and Dont-Retry headers

    Examples:
      | how                                |
      | with HTTP Basic                    |
      | with the credentials in the body   |

  Scenario Outline: A scope the client may not have is invalid_scope
    When the client requests a Kontur token with HTTP Basic:
      | grant_type | client_credentials |
      | scope      | <scope>            |
    Then the response status is 400
    And the response is JSON with:
      | field | type   | value         |
      | error | string | invalid_scope |

    Examples:
      | scope           |
      | no.such.scope   |
      | openid          |
      | medi_api openid |

  Scenario Outline: An unknown grant type is unsupported_grant_type
    When the client requests a Kontur token with HTTP Basic:
      | grant_type | <grant_type> |
      | scope      | medi_api     |
    Then the response status is 400
    And the response is JSON with:
      | field | type   | value                  |
      | error | string | unsupported_grant_type |
    And the response carries Kontur's trace and Dont-Retry headers

    Examples:
      | grant_type                                    |
      | magic                                         |
      | urn:ietf:params:oauth:grant-type:jwt-bearer   |

  Scenario: A GET on the token endpoint is invalid_request
    When the client sends GET to the Kontur token endpoint
    Then the response status is 400
    And the response is JSON with:
      | field | type   | value           |
      | error | string | invalid_request |
    And the response carries Kontur's trace and Dont-Retry headers
