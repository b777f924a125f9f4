package scenarios

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"github.com/cucumber/godog"
)

// browserState is the user's browser in the authorization code flow.
type browserState struct {
	// page is the last HTML page and where it came from.
	page    *exchange
	pageURL *url.URL
	// redirectURI is where the client asked the browser to come back;
	// callback is the URL it came back to.
	redirectURI string
	callback    *url.URL
	// exchange is the last code exchange, to repeat it.
	exchange url.Values
}

// registerBrowser adds the steps of the user's browser and the code
// exchange.
func (s *Steps) registerBrowser(sc *godog.ScenarioContext) {
	sc.Step(`^the user opens the Kontur authorize URL with:$`, s.openAuthorize)
	sc.Step(`^the Kontur login page asks for a username and a password$`, s.loginPageShown)
	sc.Step(`^the user signs in as "([^"]*)" with password "([^"]*)" and presses "([^"]*)"$`, s.signIn)
	sc.Step(`^the user presses "([^"]*)" on the login page$`, s.pressOnly)
	sc.Step(`^the browser is redirected to "([^"]*)" with a code, the scope and state "([^"]*)"$`, s.redirectedWithCode)
	sc.Step(`^the browser is redirected to "([^"]*)" with error "([^"]*)" and state "([^"]*)"$`, s.redirectedWithError)
	sc.Step(`^the server shows an error page instead of redirecting$`, s.errorPage)
	sc.Step(`^the user has signed in through the Kontur authorize URL with redirect_uri "([^"]*)"$`, s.signedIn)
	sc.Step(`^the client exchanges the code for tokens with redirect_uri "([^"]*)"$`, func(ctx context.Context, r string) error { return s.exchangeCode(ctx, r, "") })
	sc.Step(`^the client exchanges the code for tokens with redirect_uri "([^"]*)" and code_verifier "([^"]*)"$`, s.exchangeCode)
	sc.Step(`^the client exchanges the code for tokens without a redirect_uri$`, func(ctx context.Context) error { return s.exchangeCode(ctx, "", "") })
	sc.Step(`^the client exchanges the same code again$`, s.exchangeAgain)
}

func (s *Steps) openAuthorize(ctx context.Context, t *godog.Table) error {
	params, err := s.formTable(t)
	if err != nil {
		return err
	}
	if params.Get("client_id") == "" {
		params.Set("client_id", s.kontur.clientID)
	}
	s.browser.redirectURI = params.Get("redirect_uri")
	base, err := s.target.siteURL("kontur")
	if err != nil {
		return err
	}
	return s.browse(ctx, http.MethodGet, base+"/connect/authorize?"+params.Encode(), "")
}

// browse loads a page as a browser does, following redirects until the
// browser leaves the provider for the client's redirect_uri.
func (s *Steps) browse(ctx context.Context, method, rawURL, form string) error {
	for hops := 0; hops < 10; hops++ {
		u, err := url.Parse(rawURL)
		if err != nil {
			return fmt.Errorf("the browser cannot open %q: %v", rawURL, err)
		}
		ct := ""
		if form != "" {
			ct = formType
		}
		ex := s.send(ctx, method, rawURL, ct, form, nil)
		s.last, s.browser.page, s.browser.pageURL = ex, ex, u
		if ex.err != nil || ex.status < 300 || ex.status > 399 {
			return nil
		}
		loc, err := u.Parse(ex.header.Get("Location"))
		if err != nil || ex.header.Get("Location") == "" {
			return fmt.Errorf("expected a Location with the %d redirect from %s, got %q", ex.status, ex.url, ex.header.Get("Location"))
		}
		if s.browser.redirectURI != "" && sameEndpoint(loc, s.browser.redirectURI) {
			s.browser.callback = loc
			return nil
		}
		method, rawURL, form = http.MethodGet, loc.String(), ""
	}
	return fmt.Errorf("the browser gave up after 10 redirects, last at %s", s.last.url)
}

// sameEndpoint: the redirect goes to redirectURI (its query aside).
func sameEndpoint(u *url.URL, redirectURI string) bool {
	r, err := url.Parse(redirectURI)
	if err != nil {
		return false
	}
	return strings.EqualFold(u.Scheme, r.Scheme) && strings.EqualFold(u.Host, r.Host) && u.Path == r.Path
}

func (s *Steps) loginForm() (*htmlForm, error) {
	page := s.browser.page
	if page == nil || page.err != nil {
		return nil, fmt.Errorf("expected the login page, got %s", page.summary())
	}
	f, err := findLoginForm(page.body)
	if err != nil {
		return nil, fmt.Errorf("expected an HTML login form with a password field from %s %s, got %s: %v", page.method, page.url, page.summary(), err)
	}
	return f, nil
}

// autoSignedIn: the provider sent the browser back to the client with a
// code at once, without a login page, as fakeidp does with
// kontur.auto_login (and a provider for a user with a session). An
// in-process fakeidp is held to its fixtures: it must show the page
// unless auto_login is set.
func (s *Steps) autoSignedIn() bool {
	if s.browser.callback == nil || s.browser.callback.Query().Get("code") == "" {
		return false
	}
	if srv := s.target.srv; srv != nil {
		return srv.Config().Kontur.AutoLogin != ""
	}
	return true
}

// errNoLoginPage skips a step about the login page when there was none.
func (s *Steps) errNoLoginPage(what string) error {
	return fmt.Errorf("%w: %s: the provider signed the user in at once and redirected to %s without a login page (kontur.auto_login)", godog.ErrSkip, what, s.browser.redirectURI)
}

func (s *Steps) loginPageShown() error {
	if s.autoSignedIn() {
		return s.errNoLoginPage("no login page to check")
	}
	if err := s.statusIs(http.StatusOK); err != nil {
		return err
	}
	_, err := s.loginForm()
	return err
}

func (s *Steps) signIn(ctx context.Context, user, password, button string) error {
	if s.autoSignedIn() {
		return nil // the browser followed the redirect: signed in already
	}
	f, err := s.loginForm()
	if err != nil {
		return err
	}
	if err := f.fillLogin(s.cfg.value("username", user), s.cfg.value("password", password)); err != nil {
		return err
	}
	return s.submit(ctx, f, button)
}

func (s *Steps) pressOnly(ctx context.Context, button string) error {
	if s.autoSignedIn() {
		return s.errNoLoginPage(fmt.Sprintf("no %q button to press", button))
	}
	f, err := s.loginForm()
	if err != nil {
		return err
	}
	return s.submit(ctx, f, button)
}

// submit sends the form as a browser does when the user presses button.
func (s *Steps) submit(ctx context.Context, f *htmlForm, button string) error {
	values, err := f.valuesWith(button)
	if err != nil {
		return err
	}
	action, err := s.browser.pageURL.Parse(f.action)
	if err != nil {
		return fmt.Errorf("the login form's action %q is not a URL: %v", f.action, err)
	}
	if f.method == http.MethodGet {
		action.RawQuery = values.Encode()
		return s.browse(ctx, http.MethodGet, action.String(), "")
	}
	return s.browse(ctx, http.MethodPost, action.String(), values.Encode())
}

func (s *Steps) callback(redirectURI string) (url.Values, error) {
	cb := s.browser.callback
	if cb == nil || !sameEndpoint(cb, s.cfg.value("redirect_uri", redirectURI)) {
		return nil, fmt.Errorf("expected the browser to be redirected to %s, got %s", redirectURI, s.last.summary())
	}
	return cb.Query(), nil
}

func (s *Steps) redirectedWithCode(redirectURI, state string) error {
	q, err := s.callback(redirectURI)
	if err != nil {
		return err
	}
	if q.Get("code") == "" || q.Get("scope") == "" || q.Get("state") != state {
		return fmt.Errorf("expected code, scope and state %q in the redirect, got the parameters %s", state, keysOf(q))
	}
	return nil
}

func (s *Steps) redirectedWithError(redirectURI, code, state string) error {
	q, err := s.callback(redirectURI)
	if err != nil {
		return err
	}
	if q.Get("error") != code || q.Get("state") != state {
		return fmt.Errorf("expected error=%s and state=%s in the redirect, got error=%q state=%q", code, state, q.Get("error"), q.Get("state"))
	}
	return nil
}

func keysOf(q url.Values) string {
	var keys []string
	for k := range q {
		keys = append(keys, k)
	}
	return strings.Join(keys, ", ")
}

func (s *Steps) errorPage() error {
	ex, err := s.answered()
	if err != nil {
		return err
	}
	if s.browser.callback != nil {
		return fmt.Errorf("expected no redirect to %s, but the browser was sent to %s", s.browser.redirectURI, redactURL(s.browser.callback.String()))
	}
	if ex.status < 400 || ex.header.Get("Location") != "" {
		return fmt.Errorf("expected an error page (4xx, no Location), got %s", ex.summary())
	}
	return nil
}

func (s *Steps) signedIn(ctx context.Context, redirectURI string) error {
	params := url.Values{
		"response_type": {"code"}, "scope": {"openid extern.api"},
		"client_id": {s.kontur.clientID}, "redirect_uri": {s.cfg.value("redirect_uri", redirectURI)},
		"state": {randomHex(8)}, "nonce": {randomHex(8)},
	}
	s.browser.redirectURI = params.Get("redirect_uri")
	base, err := s.target.siteURL("kontur")
	if err != nil {
		return err
	}
	if err := s.browse(ctx, http.MethodGet, base+"/connect/authorize?"+params.Encode(), ""); err != nil {
		return err
	}
	if err := s.signIn(ctx, "user@login.ru", "password", "Войти"); err != nil {
		return err
	}
	return s.redirectedWithCode(redirectURI, params.Get("state"))
}

func (s *Steps) exchangeCode(ctx context.Context, redirectURI, verifier string) error {
	if s.browser.callback == nil || s.browser.callback.Query().Get("code") == "" {
		return fmt.Errorf("expected a code from the authorize redirect, got %s", s.last.summary())
	}
	form := url.Values{
		"grant_type": {"authorization_code"}, "code": {s.browser.callback.Query().Get("code")},
		"client_id": {s.kontur.clientID}, "client_secret": {s.kontur.secret},
	}
	if redirectURI != "" {
		form.Set("redirect_uri", s.cfg.value("redirect_uri", redirectURI))
	}
	if verifier != "" {
		form.Set("code_verifier", verifier)
	}
	s.browser.exchange = form
	return s.postKontur(ctx, "/connect/token", form, nil)
}

func (s *Steps) exchangeAgain(ctx context.Context) error {
	if s.browser.exchange == nil {
		return fmt.Errorf("expected an earlier code exchange to repeat")
	}
	return s.postKontur(ctx, "/connect/token", s.browser.exchange, nil)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
