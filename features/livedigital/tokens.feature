@livedigital
Feature: livedigital tokens (getAccessToken)
  Every token comes from POST /v1/auth/token with a JSON body. The client
  token (client_credentials) lets an application see public entities and
  create user tokens; the user token (password, with the client token as
  Bearer) acts for a user. Both are HS256 JWTs without an expires_in in the
  answer: the lifetime is in the token's exp claim.

  Background:
    Given the livedigital client "john-smith-livedigital" with secret "VTytkTR7ZHH5nLhoWCLjymrUJjKBzfs4"

  Scenario: The client token is a Bearer JWT pair with no expires_in
    When the client requests a livedigital client token
    Then the response status is 200
    And the response is JSON with exactly the keys "token_type, access_token, refresh_token"
    And the response is JSON with:
      | field         | type   | value  |
      | token_type    | string | Bearer |
      | access_token  | string |        |
      | refresh_token | string |        |
    And the response has no JSON field "expires_in"
    And the JWT in "access_token" is signed with the livedigital HS256 secret
    And the JWT in "access_token" has the header:
      | field | type   | value |
      | alg   | string | HS256 |
      | typ   | string | JWT   |
    And the JWT in "access_token" has the claims:
      | field | type    | value                     |
      | aud   | string  | client                    |
      | type  | string  | accessToken               |
      | sub   | string  | /^[0-9a-f]{24}$/          |
      | cId   | string  | /^[0-9a-f]{24}$/          |
      | jti   | string  | /^[A-Za-z0-9_-]{21}$/     |
      | iat   | integer |                           |
      | exp   | integer |                           |
    And in the JWT in "access_token" the claim "sub" equals the claim "cId"
    And the JWT in "access_token" has no claim "sgn"
    And the JWT in "access_token" has no claim "iss"
    And the JWT in "access_token" lives 604800 seconds
    And the JWT in "refresh_token" is signed with the livedigital HS256 secret
    And the JWT in "refresh_token" has the claims:
      | field | type   | value        |
      | aud   | string | client       |
      | type  | string | refreshToken |
    And the JWT in "refresh_token" lives 1814400 seconds

  Scenario: The user token: the client token as Bearer, the user's email and password
    Given the client has a livedigital client token
    When the client requests a livedigital user token for "test_user@test.test" with password "123456"
    Then the response status is 200
    And the response is JSON with:
      | field         | type   | value  |
      | token_type    | string | Bearer |
      | access_token  | string |        |
      | refresh_token | string |        |
    And the JWT in "access_token" is signed with the livedigital HS256 secret
    And the JWT in "access_token" has the claims:
      | field | type   | value            |
      | aud   | string | user             |
      | type  | string | accessToken      |
      | sub   | string | /^[0-9a-f]{24}$/ |
      | sgn   | string | /^[0-9a-f]{10}$/ |
    And in the JWT in "access_token" the claim "sub" differs from the claim "cId"
    And the JWT in "access_token" lives 604800 seconds
    And the JWT in "refresh_token" has the claims:
      | field | type   | value        |
      | aud   | string | user         |
      | type  | string | refreshToken |

  Scenario: The document's own curl sends a user token as Bearer: that works too
    Given the client has a livedigital user token for "test_user@test.test" with password "123456"
    When the client requests a livedigital user token for "test_user@test.test" with password "123456" with the user token
    Then the response status is 200
    And the JWT in "access_token" has the claims:
      | field | type   | value       |
      | aud   | string | user        |
      | type  | string | accessToken |
    And in the JWT in "access_token" the claim "sub" differs from the claim "cId"

  Scenario Outline: A user token needs a valid client token as Bearer
    When the client requests a livedigital user token for "test_user@test.test" with password "123456" <bearer>
    Then the response status is 401
    And the response is JSON with:
      | field | type   | value         |
      | error | string | invalid_token |

    Examples:
      | bearer                                    |
      | without a client token                    |
      | with the Bearer token "not.a.jwt"         |
      | with the Bearer token "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2MmFiNWE4NGIwY2U2ZWUzMWIwOTk3YjMiLCJhdWQiOiJ1c2VyIiwidHlwZSI6ImFjY2Vzc1Rva2VuIiwiY0lkIjoiNjJhMDlmYzcwMmY4NmNlMzdhOTM4NmYxIiwianRpIjoiSzZEX1ZNQWRrc25CQnpjaTJnRlFBIiwic2duIjoiYjgxMTBmOGZiNiIsImlhdCI6MTY1NTc0MTEyOSwiZXhwIjoxNjU2MzQ1OTI5fQ.Qy-zwBGwjyWzPF8uXYtla9IOvCfOCeQ9uzCaUo8Q7pM" |

  Scenario Outline: Wrong credentials are invalid_grant, "Invalid credentials"
    Given the client has a livedigital client token
    When the client requests a livedigital user token for "<username>" with password "<password>"
    Then the response status is 400
    And the response is JSON with exactly the keys "error, error_description"
    And the response is JSON with:
      | field             | type   | value               |
      | error             | string | invalid_grant       |
      | error_description | string | Invalid credentials |

    Examples:
      | username             | password |
      | test_user@test.test  | 654321   |
      | nobody@test.test     | 123456   |

  Scenario: A wrong client secret is refused like wrong user credentials
    Given the livedigital client "john-smith-livedigital" with secret "not-the-secret"
    When the client requests a livedigital client token
    Then the response status is 400
    And the response is JSON with:
      | field             | type   | value               |
      | error             | string | invalid_grant       |
      | error_description | string | Invalid credentials |

  Scenario: A refresh token gives a new pair once; sent again it is refused
    Given the client has a livedigital client token
    When the client refreshes the livedigital token
    Then the response status is 200
    And the response is JSON with:
      | field      | type   | value  |
      | token_type | string | Bearer |
    And the refresh token has changed
    When the client refreshes the livedigital token with the previous refresh token
    Then the response status is 400
    And the response is JSON with:
      | field | type   | value         |
      | error | string | invalid_grant |
