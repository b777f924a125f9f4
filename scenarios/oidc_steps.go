package scenarios

import (
	"context"
	"fmt"
	"net/http"

	"github.com/coreos/go-oidc/v3/oidc"
)

// idTokenGoOIDC verifies the id_token as a real Go relying party does:
// coreos/go-oidc discovers the issuer over HTTP, fetches its JWKS and
// checks signature, issuer, audience and expiry; then the nonce and the
// access token's at_hash.
func (s *Steps) idTokenGoOIDC(ctx context.Context, nonce string) error {
	raw, err := s.token("id_token")
	if err != nil {
		return err
	}
	access, err := s.token("access_token")
	if err != nil {
		return err
	}
	issuer, err := s.target.siteURL("kontur")
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	ctx = oidc.ClientContext(ctx, &http.Client{Transport: s.client.Transport})
	provider, err := oidc.NewProvider(ctx, issuer)
	if err != nil {
		return fmt.Errorf("go-oidc cannot use %s as an issuer: %v", issuer, err)
	}
	tok, err := provider.Verifier(&oidc.Config{ClientID: s.kontur.clientID}).Verify(ctx, raw)
	if err != nil {
		return fmt.Errorf("go-oidc refuses the id_token: %v", err)
	}
	if tok.Nonce != nonce {
		return fmt.Errorf("go-oidc: the id_token's nonce is %q, want %q", tok.Nonce, nonce)
	}
	if err := tok.VerifyAccessToken(access); err != nil {
		return fmt.Errorf("go-oidc: the at_hash does not match the access_token: %v", err)
	}
	return nil
}
