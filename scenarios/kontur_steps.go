package scenarios

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"

	"github.com/cucumber/godog"
)

const (
	discoveryPath = "/.well-known/openid-configuration"
	jwksPath      = discoveryPath + "/jwks"
	formType      = "application/x-www-form-urlencoded"
)

// konturState is the Kontur client of a scenario.
type konturState struct {
	clientID, secret string
}

// registerKontur adds the Kontur identity steps.
func (s *Steps) registerKontur(sc *godog.ScenarioContext) {
	sc.Step(`^the Kontur client "([^"]*)" with secret "([^"]*)"$`, s.konturClient)
	sc.Step(`^the client fetches the Kontur OpenID configuration$`, s.fetchDiscovery)
	sc.Step(`^the client fetches the Kontur signing keys$`, s.fetchJWKS)
	sc.Step(`^the issuer is the Kontur base URL, with no trailing slash$`, s.issuerIsBase)
	sc.Step(`^the configuration names these endpoints under the issuer:$`, s.endpointsUnderIssuer)
	sc.Step(`^every signing key has kty "RSA", use "sig", alg "RS256", a kid, e and n$`, s.keysAreRS256)
	sc.Step(`^the Kontur JWKS publishes (\d+) keys?$`, s.jwksCount)
	sc.Step(`^the client requests a Kontur token (with HTTP Basic|with the credentials in the body|with HTTP Basic and the credentials in the body, as the Kontur SDK does|without client credentials):$`, s.konturToken)
	sc.Step(`^the client sends (GET|PUT|DELETE) to the Kontur token endpoint$`, s.konturTokenMethod)
	sc.Step(`^the client has a Kontur token for "([^"]*)" with password "([^"]*)" and scope "([^"]*)"$`, s.hasKonturToken)
	sc.Step(`^the client refreshes the Kontur token$`, func(ctx context.Context) error { return s.konturRefresh(ctx, false) })
	sc.Step(`^the client refreshes the Kontur token with the previous refresh token$`, func(ctx context.Context) error { return s.konturRefresh(ctx, true) })
	sc.Step(`^the refresh token has changed$`, s.refreshChanged)
	sc.Step(`^the API resource "([^"]*)" with secret "([^"]*)" introspects the access token$`, s.introspectAccess)
	sc.Step(`^the API resource "([^"]*)" with secret "([^"]*)" introspects the token "([^"]*)"$`, s.introspect)
	sc.Step(`^the client calls the Kontur userinfo endpoint (with the access token|without a token|with the Bearer token "([^"]*)")$`, s.userinfo)
	sc.Step(`^the userinfo "sub" is the id_token's "sub"$`, s.userinfoSub)
	sc.Step(`^the response carries Kontur's trace and Dont-Retry headers$`, s.konturTraceHeaders)
	sc.Step(`^the Context-Globals header carries the trace id and the request priority$`, s.contextGlobals)
	s.registerKonturSession(sc)
}

func (s *Steps) konturClient(id, secret string) {
	s.kontur.clientID = s.cfg.value("client_id", id)
	s.kontur.secret = s.cfg.value("client_secret", secret)
}

func (s *Steps) fetchDiscovery(ctx context.Context) error {
	_, err := s.site(ctx, "kontur", http.MethodGet, discoveryPath, "", "", nil)
	return err
}

func (s *Steps) fetchJWKS(ctx context.Context) error {
	_, err := s.site(ctx, "kontur", http.MethodGet, jwksPath, "", "", nil)
	return err
}

func (s *Steps) discoveryField(name string) (string, error) {
	doc, err := s.lastJSON()
	if err != nil {
		return "", err
	}
	v, _ := lookup(doc.value, name)
	str, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("expected the configuration's %s to be a string, got %s", name, jsonType(v))
	}
	return str, nil
}

func (s *Steps) issuerIsBase() error {
	issuer, err := s.discoveryField("issuer")
	if err != nil {
		return err
	}
	base, err := s.target.siteURL("kontur")
	if err != nil {
		return err
	}
	if strings.HasSuffix(issuer, "/") || issuer != base {
		return fmt.Errorf("expected the issuer %q (the base URL, no trailing slash), got %q", base, issuer)
	}
	return nil
}

func (s *Steps) endpointsUnderIssuer(t *godog.Table) error {
	issuer, err := s.discoveryField("issuer")
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range rows(t) {
		got, err := s.discoveryField(r[0])
		if err != nil {
			errs = append(errs, err)
		} else if got != issuer+r[1] {
			errs = append(errs, fmt.Errorf("%s: got %q, want %q", r[0], got, issuer+r[1]))
		}
	}
	return errors.Join(errs...)
}

func (s *Steps) keysAreRS256() error {
	doc, err := s.lastJSON()
	if err != nil {
		return err
	}
	keys, _ := lookup(doc.value, "keys")
	list, ok := keys.([]any)
	if !ok || len(list) == 0 {
		return fmt.Errorf("expected a non-empty \"keys\" array, got %s", text(keys))
	}
	var errs []error
	for i, k := range list {
		obj, _ := k.(map[string]any)
		want := map[string]string{"kty": "RSA", "use": "sig", "alg": "RS256", "kid": "", "e": "", "n": ""}
		for field, value := range want {
			got, ok := obj[field].(string)
			if !ok || got == "" || (value != "" && got != value) {
				errs = append(errs, fmt.Errorf("key %d: %s is %s, want %q", i, field, text(obj[field]), value))
			}
		}
	}
	return errors.Join(errs...)
}

func (s *Steps) jwksCount(ctx context.Context, n int) error {
	set, err := s.jwks(ctx)
	if err != nil {
		return err
	}
	if len(set.Keys) != n {
		return fmt.Errorf("expected %d keys in the JWKS, got %d", n, len(set.Keys))
	}
	return nil
}

// formTable reads a two-column table of form fields; values of
// credential fields are replaced for a real target.
func (s *Steps) formTable(t *godog.Table) (url.Values, error) {
	form := url.Values{}
	for _, r := range t.Rows {
		if len(r.Cells) != 2 {
			return nil, fmt.Errorf("expected a table of | name | value | rows, got a row of %d cells", len(r.Cells))
		}
		name, value := r.Cells[0].Value, r.Cells[1].Value
		form.Set(name, s.cfg.value(name, value))
	}
	return form, nil
}

func (s *Steps) konturToken(ctx context.Context, how string, t *godog.Table) error {
	form, err := s.formTable(t)
	if err != nil {
		return err
	}
	h := http.Header{}
	if strings.Contains(how, "Basic") {
		h.Set("Authorization", basic(s.kontur.clientID, s.kontur.secret))
	}
	if strings.Contains(how, "body") {
		form.Set("client_id", s.kontur.clientID)
		form.Set("client_secret", s.kontur.secret)
	}
	if strings.Contains(how, "SDK") {
		h.Set("Accept", "application/json")
		h.Set("Timeout", "00:00:30")
	}
	return s.postKontur(ctx, "/connect/token", form, h)
}

func (s *Steps) postKontur(ctx context.Context, path string, form url.Values, h http.Header) error {
	_, err := s.site(ctx, "kontur", http.MethodPost, path, formType, form.Encode(), h)
	return err
}

func basic(id, secret string) string {
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(id+":"+secret))
}

func (s *Steps) konturTokenMethod(ctx context.Context, method string) error {
	_, err := s.site(ctx, "kontur", method, "/connect/token", "", "", nil)
	return err
}

func (s *Steps) hasKonturToken(ctx context.Context, user, password, scope string) error {
	form := url.Values{
		"grant_type": {"password"}, "scope": {scope},
		"username": {s.cfg.value("username", user)}, "password": {s.cfg.value("password", password)},
		"client_id": {s.kontur.clientID}, "client_secret": {s.kontur.secret},
	}
	if err := s.postKontur(ctx, "/connect/token", form, nil); err != nil {
		return err
	}
	return s.statusIs(http.StatusOK)
}

func (s *Steps) konturRefresh(ctx context.Context, previous bool) error {
	token, err := s.refreshToken(previous)
	if err != nil {
		return err
	}
	form := url.Values{
		"grant_type": {"refresh_token"}, "refresh_token": {token},
		"client_id": {s.kontur.clientID}, "client_secret": {s.kontur.secret},
	}
	return s.postKontur(ctx, "/connect/token", form, nil)
}

// refreshToken is the latest refresh token, or the one before it.
func (s *Steps) refreshToken(previous bool) (string, error) {
	t := s.tokens["refresh_token"]
	if previous {
		t = s.prevRefresh
	}
	if t == "" {
		return "", fmt.Errorf("expected an earlier answer to carry a refresh_token; last answer: %s", s.last.summary())
	}
	return t, nil
}

func (s *Steps) refreshChanged() error {
	if s.prevRefresh == "" || s.tokens["refresh_token"] == s.prevRefresh {
		return errors.New("expected a new refresh_token, different from the one sent")
	}
	return nil
}

func (s *Steps) introspectAccess(ctx context.Context, resource, secret string) error {
	token, err := s.token("access_token")
	if err != nil {
		return err
	}
	return s.introspect(ctx, resource, secret, token)
}

func (s *Steps) introspect(ctx context.Context, resource, secret, token string) error {
	h := http.Header{"Authorization": {basic(s.cfg.value("resource", resource), s.cfg.value("resource_secret", secret))}}
	return s.postKontur(ctx, "/connect/introspect", url.Values{"token": {token}}, h)
}

func (s *Steps) userinfo(ctx context.Context, how, bearer string) error {
	h := http.Header{}
	switch {
	case how == "with the access token":
		token, err := s.token("access_token")
		if err != nil {
			return err
		}
		h.Set("Authorization", "Bearer "+token)
	case bearer != "":
		h.Set("Authorization", "Bearer "+bearer)
	}
	_, err := s.site(ctx, "kontur", http.MethodGet, "/connect/userinfo", "", "", h)
	return err
}

func (s *Steps) userinfoSub() error {
	j, err := s.decodeJWT("id_token")
	if err != nil {
		return err
	}
	doc, err := s.lastJSON()
	if err != nil {
		return err
	}
	sub, _ := lookup(doc.value, "sub")
	if text(sub) != text(j.claims["sub"]) {
		return fmt.Errorf("expected userinfo sub %s to equal the id_token's sub %s", text(sub), text(j.claims["sub"]))
	}
	return nil
}

var traceID = regexp.MustCompile(`^[0-9a-f]{32}$`)

func (s *Steps) konturTraceHeaders() error {
	ex, err := s.answered()
	if err != nil {
		return err
	}
	var errs []error
	if id := ex.header.Get("X-Kontur-Trace-Id"); !traceID.MatchString(id) {
		errs = append(errs, fmt.Errorf("X-Kontur-Trace-Id %q is not 32 lowercase hex digits", id))
	}
	for _, name := range []string{"Dont-Retry", "X-Kontur-Dont-Retry"} {
		if v := ex.header.Get(name); v != "True" {
			errs = append(errs, fmt.Errorf("%s is %q, want \"True\"", name, v))
		}
	}
	return wrap(ex, errors.Join(errs...))
}
