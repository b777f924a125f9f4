@kontur
Feature: Kontur token revocation and logout
  An application gives back the tokens it no longer needs at the
  revocation_endpoint (RFC 7009), with its client credentials. The server
  answers 200 with an empty body and no Content-Type, as IdentityServer
  does, for an unknown token too. To sign the user out, the application
  sends the browser to the end_session_endpoint with the id_token as a hint
  and a registered post_logout_redirect_uri, and the browser comes back
  there with the state.

  Scenario: A revoked refresh token no longer refreshes
    Given the Kontur client "extern.api" with secret "extern.api-secret"
    When the client requests a Kontur token with the credentials in the body:
      | grant_type | password                  |
      | scope      | extern.api offline_access |
      | username   | user@login.ru             |
      | password   | password                  |
    Then the response status is 200
    When the client revokes the refresh token
    Then the response status is 200
    And the response body is empty
    And the response has no "Content-Type" header
    When the client refreshes the Kontur token
    Then the response status is 400
    And the response is JSON with:
      | field | type   | value         |
      | error | string | invalid_grant |

  Scenario: A revoked access token is no longer active
    Given the Kontur client "extern.api" with secret "extern.api-secret"
    And the client has a Kontur token for "user@login.ru" with password "password" and scope "extern.api"
    When the client revokes the access token
    Then the response status is 200
    And the response body is empty
    When the API resource "extern.api" with secret "extern.api-resource-secret" introspects the access token
    Then the response status is 200
    And the response is JSON with:
      | field  | type    | value |
      | active | boolean | false |

  Scenario: Revoking an unknown token is 200 with an empty body too
    Given the Kontur client "extern.api" with secret "extern.api-secret"
    When the client revokes the token "0000000000000000000000000000000000000000000000000000000000000000"
    Then the response status is 200
    And the response body is empty
    And the response has no "Content-Type" header

  Scenario: A wrong client secret is invalid_client
    Given the Kontur client "extern.api" with secret "not-the-secret"
    When the client revokes the token "0000000000000000000000000000000000000000000000000000000000000000"
    Then the response status is 400
    And the response is JSON with:
      | field | type   | value          |
      | error | string | invalid_client |

  Scenario: Logout with the id_token brings the browser back with the state
    Given the Kontur client "yourClientId" with secret "yourClientSecret"
    And the user has signed in through the Kontur authorize URL with redirect_uri "http://www.example.com/"
    And the client exchanges the code for tokens with redirect_uri "http://www.example.com/"
    When the user's browser opens the Kontur end-session URL with the id_token, post_logout_redirect_uri "http://www.example.com/" and state "bye"
    Then the browser is redirected to "http://www.example.com/" with state "bye"

  Scenario: Logout without an id_token never redirects to the post_logout_redirect_uri
    When the user's browser opens the Kontur end-session URL with post_logout_redirect_uri "http://www.example.com/" and state "bye"
    Then the browser stays with the provider, on a page
