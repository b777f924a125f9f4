@kontur
Feature: Kontur.Extern authorization code flow
  An application with a server side sends the user to the
  AuthorizationEndpoint. The user signs in with a Kontur account and allows
  access; the OpenID provider redirects the browser to redirect_uri with a
  code, which the application exchanges at the TokenEndpoint for an
  access_token and an id_token. The id_token is a JWT signed with RS256 by a
  key published at jwks_uri.

  Background:
    Given the Kontur client "yourClientId" with secret "yourClientSecret"

  Scenario: The authorize URL shows the user a login page
    When the user opens the Kontur authorize URL with:
      | response_type | code                    |
      | scope         | openid extern.api       |
      | client_id     | yourClientId            |
      | redirect_uri  | http://www.example.com/ |
      | state         | af0ifjsldkj             |
      | nonce         | n-0S6_WzA2Mj            |
    Then the Kontur login page asks for a username and a password

  Scenario: The user signs in and the code becomes an access_token and an id_token
    When the user opens the Kontur authorize URL with:
      | response_type | code                    |
      | scope         | openid extern.api       |
      | client_id     | yourClientId            |
      | redirect_uri  | http://www.example.com/ |
      | state         | af0ifjsldkj             |
      | nonce         | n-0S6_WzA2Mj            |
    And the user signs in as "user@login.ru" with password "password" and presses "Войти"
    Then the browser is redirected to "http://www.example.com/" with a code, the scope and state "af0ifjsldkj"
    When the client exchanges the code for tokens with redirect_uri "http://www.example.com/"
    Then the response status is 200
    And the response is JSON with:
      | field        | type    | value  |
      | access_token | string  |        |
      | token_type   | string  | Bearer |
      | expires_in   | integer | 3600   |
      | id_token     | string  |        |
    And the id_token is signed with RS256 by a key in the Kontur JWKS
    And the JWT in "id_token" has the header:
      | field | type   | value |
      | alg   | string | RS256 |
      | typ   | string | JWT   |
      | kid   | string |       |
    And the JWT in "id_token" has the claims:
      | field     | type    | value        |
      | iss       | string  | {issuer}     |
      | aud       | string  | {client_id}  |
      | nonce     | string  | n-0S6_WzA2Mj |
      | sub       | string  |              |
      | iat       | integer |              |
      | nbf       | integer |              |
      | auth_time | integer |              |
      | idp       | string  | local        |
      | amr       | array   |              |
      | sid       | string  |              |
    And the JWT in "id_token" lives 300 seconds
    And the id_token's at_hash matches the access_token
    And the id_token passes go-oidc verification with nonce "n-0S6_WzA2Mj"
    When the client calls the Kontur userinfo endpoint with the access token
    Then the response status is 200
    And the userinfo "sub" is the id_token's "sub"

  Scenario: The user refuses: the browser returns with access_denied and the state
    When the user opens the Kontur authorize URL with:
      | response_type | code                    |
      | scope         | openid extern.api       |
      | client_id     | yourClientId            |
      | redirect_uri  | http://www.example.com/ |
      | state         | af0ifjsldkj             |
      | nonce         | n-0S6_WzA2Mj            |
    And the user presses "Отказать" on the login page
    Then the browser is redirected to "http://www.example.com/" with error "access_denied" and state "af0ifjsldkj"

  Scenario Outline: A redirect_uri the client did not register is never redirected to
    When the user opens the Kontur authorize URL with:
      | response_type | code              |
      | scope         | openid extern.api |
      | client_id     | <client_id>       |
      | redirect_uri  | <redirect_uri>    |
      | state         | af0ifjsldkj       |
    Then the server shows an error page instead of redirecting

    Examples:
      | client_id    | redirect_uri                 |
      | yourClientId | https://attacker.example/cb  |
      | yourClientId | http://www.example.com/other |
      | noSuchClient | http://www.example.com/      |

  Scenario: A code works once; the second exchange is invalid_grant
    Given the user has signed in through the Kontur authorize URL with redirect_uri "http://www.example.com/"
    When the client exchanges the code for tokens with redirect_uri "http://www.example.com/"
    Then the response status is 200
    When the client exchanges the same code again
    Then the response status is 400
    And the response is JSON with:
      | field | type   | value         |
      | error | string | invalid_grant |

  Scenario Outline: The code is bound to its redirect_uri, compared exactly (IdentityServer4)
    Given the user has signed in through the Kontur authorize URL with redirect_uri "http://www.example.com/"
    When the client exchanges the code for tokens with redirect_uri "<redirect_uri>"
    Then the response status is 400
    And the response is JSON with:
      | field | type   | value               |
      | error | string | unauthorized_client |

    Examples: another registered URI, and seed 001's token example without the slash
      | redirect_uri              |
      | http://127.0.0.1/callback |
      | http://www.example.com    |

  Scenario: A code exchange without redirect_uri is unauthorized_client (IdentityServer4)
    Given the user has signed in through the Kontur authorize URL with redirect_uri "http://www.example.com/"
    When the client exchanges the code for tokens without a redirect_uri
    Then the response status is 400
    And the response is JSON with:
      | field | type   | value               |
      | error | string | unauthorized_client |

  Scenario Outline: PKCE: only the right code_verifier redeems the code
    When the user opens the Kontur authorize URL with:
      | response_type         | code                                        |
      | scope                 | openid extern.api                           |
      | client_id             | yourClientId                                |
      | redirect_uri          | http://www.example.com/                     |
      | state                 | af0ifjsldkj                                 |
      | code_challenge        | E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM |
      | code_challenge_method | S256                                        |
    And the user signs in as "user@login.ru" with password "password" and presses "Войти"
    And the client exchanges the code for tokens with redirect_uri "http://www.example.com/" and code_verifier "<code_verifier>"
    Then the response status is <status>

    Examples: the verifier of RFC 7636, appendix B, and a wrong one
      | code_verifier                               | status |
      | dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk | 200    |
      | dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXX | 400    |

  Scenario: PKCE downgrade: a code issued without code_challenge takes no code_verifier (IdentityServer4, RFC 9700)
    Given the user has signed in through the Kontur authorize URL with redirect_uri "http://www.example.com/"
    When the client exchanges the code for tokens with redirect_uri "http://www.example.com/" and code_verifier "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"
    Then the response status is 400
    And the response is JSON with:
      | field | type   | value         |
      | error | string | invalid_grant |

  Scenario: With offline_access the code also brings a refresh token, which rotates
    When the user opens the Kontur authorize URL with:
      | response_type | code                                     |
      | scope         | openid extern.api offline_access         |
      | client_id     | yourClientId                             |
      | redirect_uri  | http://www.example.com/                  |
      | state         | af0ifjsldkj                              |
      | nonce         | n-0S6_WzA2Mj                             |
    And the user signs in as "user@login.ru" with password "password" and presses "Войти"
    And the client exchanges the code for tokens with redirect_uri "http://www.example.com/"
    Then the response is JSON with exactly the keys "id_token, access_token, expires_in, token_type, refresh_token" in that order
    When the client refreshes the Kontur token
    Then the response status is 200
    And the refresh token has changed
    When the client refreshes the Kontur token with the previous refresh token
    Then the response status is 400
    And the response is JSON with:
      | field | type   | value         |
      | error | string | invalid_grant |

  Scenario Outline: Userinfo without a valid token is 401 with WWW-Authenticate invalid_token
    When the client calls the Kontur userinfo endpoint <with>
    Then the response status is 401
    And the response has the headers:
      | header           | value                                          |
      | WWW-Authenticate | /^Bearer realm="IdentityServer".*error="invalid_token"/ |

    Examples:
      | with                                  |
      | without a token                       |
      | with the Bearer token "not-a-token"   |
