@livedigital
Feature: livedigital API methods and the kind of token they need
  API methods say which token authorizes them. GET /v1/spaces/ lists the
  user's spaces and needs a user token: a client token is forbidden (403),
  a garbage or expired token is unauthorized (401). API errors have the
  shape {"message","code"}.

  Background:
    Given the livedigital client "john-smith-livedigital" with secret "VTytkTR7ZHH5nLhoWCLjymrUJjKBzfs4"

  Scenario: A user token lists the user's spaces
    Given the client has a livedigital user token for "test_user@test.test" with password "123456"
    When the client lists spaces with the user token
    Then the response status is 200
    And the response is JSON with:
      | field | type  | value |
      | items | array |       |

  Scenario: A client token is forbidden on a user method
    Given the client has a livedigital client token
    When the client lists spaces with the client token
    Then the response status is 403
    And the response is JSON with:
      | field   | type    | value |
      | message | string  |       |
      | code    | string  | 403   |

  Scenario Outline: Without a usable token the method is unauthorized
    When the client lists spaces <with>
    Then the response status is 401
    And the response is JSON with:
      | field   | type    | value |
      | message | string  |       |
      | code    | string  | 401   |

    Examples:
      | with                                    |
      | without a token                         |
      | with the Bearer token "garbage"         |
      | with the Bearer token "eyJhbGciOiJub25lIn0.eyJzdWIiOiI2MmFiNWE4NGIwY2U2ZWUzMWIwOTk3YjMifQ." |

  @fake
  Scenario: A user token is unauthorized once it has expired
    Given the client has a livedigital user token for "test_user@test.test" with password "123456"
    And the fake's clock moves forward by "168h1s"
    When the client lists spaces with the user token
    Then the response status is 401
    And the response is JSON with:
      | field   | type    | value |
      | message | string  |       |
      | code    | string  | 401   |
