package kontur

import (
	"net/http"

	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// discoveryDocument lists only what the fake implements.
type discoveryDocument struct {
	Issuer                            string   `json:"issuer"`
	JWKSURI                           string   `json:"jwks_uri"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
	EndSessionEndpoint                string   `json:"end_session_endpoint"`
	RevocationEndpoint                string   `json:"revocation_endpoint"`
	IntrospectionEndpoint             string   `json:"introspection_endpoint"`
	FrontchannelLogoutSupported       bool     `json:"frontchannel_logout_supported"`
	FrontchannelLogoutSessionSupport  bool     `json:"frontchannel_logout_session_supported"`
	BackchannelLogoutSupported        bool     `json:"backchannel_logout_supported"`
	BackchannelLogoutSessionSupported bool     `json:"backchannel_logout_session_supported"`
	ScopesSupported                   []string `json:"scopes_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	RequestParameterSupported         bool     `json:"request_parameter_supported"`
}

var claimsSupported = []string{
	"sub", "name", "given_name", "family_name", "email", "email_verified",
	"iss", "aud", "exp", "iat", "nbf", "nonce", "at_hash", "auth_time", "idp", "amr", "sid",
}

func (k *Site) discovery(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		site.Refuse(r, "method_not_allowed", r.Method+" "+r.URL.Path+": GET or HEAD only")
		w.Header().Set("Allow", "GET, HEAD")
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	iss := k.issuer(r)
	k.api.WriteJSON(w, r, http.StatusOK, discoveryDocument{
		Issuer:                            iss,
		JWKSURI:                           iss + "/.well-known/openid-configuration/jwks",
		AuthorizationEndpoint:             iss + "/connect/authorize",
		TokenEndpoint:                     iss + "/connect/token",
		UserinfoEndpoint:                  iss + "/connect/userinfo",
		EndSessionEndpoint:                iss + "/connect/endsession",
		RevocationEndpoint:                iss + "/connect/revocation",
		IntrospectionEndpoint:             iss + "/connect/introspect",
		ScopesSupported:                   k.cfg.Scopes,
		ClaimsSupported:                   claimsSupported,
		GrantTypesSupported:               []string{"authorization_code", "client_credentials", "refresh_token", "password"},
		ResponseTypesSupported:            []string{"code"},
		ResponseModesSupported:            []string{"query"},
		TokenEndpointAuthMethodsSupported: []string{"client_secret_basic", "client_secret_post"},
		SubjectTypesSupported:             []string{"public"},
		IDTokenSigningAlgValuesSupported:  []string{"RS256"},
		CodeChallengeMethodsSupported:     []string{"plain", "S256"},
	})
}

func (k *Site) jwks(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		site.Refuse(r, "method_not_allowed", r.Method+" "+r.URL.Path+": GET or HEAD only")
		w.Header().Set("Allow", "GET, HEAD")
		w.WriteHeader(http.StatusMethodNotAllowed)
		return
	}
	h := w.Header()
	k.traceHeaders(h, r)
	h.Set("Content-Type", "application/json; charset=UTF-8")
	_, _ = w.Write(k.env.Keys.JWKS())
}

// issuer is the site's base URL as this request reached it.
func (k *Site) issuer(r *http.Request) string { return siteBase(r) }
