@kontur
Feature: Kontur's APIs behind the tokens: medi-api and the Extern API
  medi-api (https://medi-api.testkontur.ru/V2) and the Kontur.Extern API
  are called with "Authorization: Bearer <Kontur token>". INFER: they are
  ASP.NET Core services with bearer authentication over the identity
  server, so no token is 401 with WWW-Authenticate: Bearer, an unknown,
  expired or revoked token 401 with Bearer error="invalid_token", a
  reference token without the API's scope (medi_api, extern.api) 401 too
  (introspection calls it inactive), a JWT without it 403. Their
  payloads are not documented: the fake answers with stubs. Against the
  real servers, a scenario runs only with a target for its API site
  (@medi-api, @extern-api).

  Background:
    Given the Kontur client "medi_test_client" with secret "b29d0d9e-872c-4ea5-a92a-71b3abdea091"

  @fake @medi-api
  Scenario: A valid medi-api token gets the stubbed answer
    Given the fake has the stub:
      """
      {"site": "medi-api", "method": "GET", "path": "/V2/policies/{id}",
       "require": {"scope": "medi_api", "token": "any"},
       "response": {"status": 200, "headers": {"X-Request-Id": "r-1"},
                    "json": {"id": "${path.id}", "client": "${token.client_id}", "user": "${token.sub}"}}}
      """
    And the client requests a Kontur token with HTTP Basic:
      | grant_type | client_credentials |
      | scope      | medi_api           |
    When the client calls "GET /V2/policies/p-42" on "medi-api" with the access token
    Then the response status is 200
    And the response is JSON with exactly the keys "id, client, user" in that order
    And the response is JSON with:
      | field  | type   | value            |
      | id     | string | p-42             |
      | client | string | medi_test_client |
      | user   | string |                  |
    And the response has the headers:
      | header       | value                           |
      | X-Request-Id | r-1                             |
      | Content-Type | application/json; charset=utf-8 |

  @medi-api
  Scenario: Without a token the API asks for one
    When the client calls "GET /V2/policies/p-42" on "medi-api" without a token
    Then the response status is 401
    And the response has the headers:
      | header           | value  |
      | WWW-Authenticate | Bearer |

  @medi-api
  Scenario: A garbage token is an invalid token
    When the client calls "GET /V2/policies/p-42" on "medi-api" with the Bearer token "garbage"
    Then the response status is 401
    And the response has the headers:
      | header           | value                        |
      | WWW-Authenticate | Bearer error="invalid_token" |

  @fake @medi-api
  Scenario: An expired token is an invalid token
    Given the client requests a Kontur token with HTTP Basic:
      | grant_type | client_credentials |
      | scope      | medi_api           |
    And the fake's clock moves forward by "24h"
    When the client calls "GET /V2/policies/p-42" on "medi-api" with the access token
    Then the response status is 401
    And the response has the headers:
      | header           | value                        |
      | WWW-Authenticate | Bearer error="invalid_token" |

  @fake @medi-api
  Scenario: A revoked token is an invalid token
    Given the fake has the stub:
      """
      {"site": "medi-api", "path": "/V2/ping", "response": {"json": {"pong": true}}}
      """
    And the client requests a Kontur token with HTTP Basic:
      | grant_type | client_credentials |
      | scope      | medi_api           |
    And the client calls "GET /V2/ping" on "medi-api" with the access token
    And the response status is 200
    When the client revokes the access token
    And the client calls "GET /V2/ping" on "medi-api" with the access token
    Then the response status is 401
    And the response has the headers:
      | header           | value                        |
      | WWW-Authenticate | Bearer error="invalid_token" |

  @medi-api
  Scenario: A reference token without the API's scope is inactive for the API
    # IdentityServer4's introspection answers active:false for a token
    # that carries none of the API's scopes, so the API answers 401.
    Given the Kontur client "extern.api" with secret "extern.api-secret"
    And the client has a Kontur token for "user@login.ru" with password "password" and scope "extern.api"
    When the client calls "GET /V2/policies/p-42" on "medi-api" with the access token
    Then the response status is 401
    And the response has the headers:
      | header           | value                        |
      | WWW-Authenticate | Bearer error="invalid_token" |

  @fake @extern-api
  Scenario: An Extern client loops: the token expires, the API says 401, the client refreshes and retries
    Given the fake has the stub:
      """
      {"site": "extern-api", "path": "/v1/{accountId}/drafts", "require": {"scope": "extern.api", "token": "user"},
       "response": {"json": {"account": "${path.accountId}", "user": "${token.sub}"}}}
      """
    And the Kontur client "extern.api" with secret "extern.api-secret"
    And the client has a Kontur token for "user@login.ru" with password "password" and scope "extern.api offline_access"
    When the client calls "GET /v1/a-1/drafts" on "extern-api" with the access token
    Then the response status is 200
    And the response is JSON with:
      | field   | type   | value                                |
      | account | string | a-1                                  |
      | user    | string | 6c1e7d4a-2f0b-4b1e-9a43-5d2b8f0c7e11 |
    When the fake's clock moves forward by "24h"
    And the client calls "GET /v1/a-1/drafts" on "extern-api" with the access token
    Then the response status is 401
    When the client refreshes the Kontur token
    Then the response status is 200
    When the client calls "GET /v1/a-1/drafts" on "extern-api" with the access token
    Then the response status is 200
