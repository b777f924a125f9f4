@kontur
Feature: Kontur identity server configuration
  Kontur.Strakhovanie and Kontur.Extern authenticate with an OpenID Connect
  server: identity.testkontur.ru on the test stand, identity.kontur.ru in
  production. A client starts by reading the server's configuration, which
  names the token endpoint and the keys that sign id_tokens.

  Scenario: The configuration names the issuer and the endpoints under it
    When the client fetches the Kontur OpenID configuration
    Then the response status is 200
    And the issuer is the Kontur base URL, with no trailing slash
    And the configuration names these endpoints under the issuer:
      | field                  | path                                   |
      | jwks_uri               | /.well-known/openid-configuration/jwks |
      | authorization_endpoint | /connect/authorize                     |
      | token_endpoint         | /connect/token                         |
      | userinfo_endpoint      | /connect/userinfo                      |

  Scenario: The signing keys are RSA keys for RS256 signatures
    When the client fetches the Kontur signing keys
    Then the response status is 200
    And every signing key has kty "RSA", use "sig", alg "RS256", a kid, e and n
