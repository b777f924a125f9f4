package kontur_test

import (
	"bytes"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/config"
)

// testUserForms reads the login page as a browser would and returns, per
// test user's button, the form that button submits.
func testUserForms(t *testing.T, page []byte) map[string]url.Values {
	t.Helper()
	doc, err := html.Parse(bytes.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	forms := map[string]url.Values{}
	var walk func(n *html.Node, form url.Values)
	walk = func(n *html.Node, form url.Values) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "form":
				form = url.Values{}
			case "input":
				if form != nil && attrOf(n, "type") == "hidden" {
					form.Add(attrOf(n, "name"), attrOf(n, "value"))
				}
			case "button":
				if attrOf(n, "data-testid") == "test-user" {
					f := url.Values{}
					for k, v := range form {
						f[k] = v
					}
					f.Set(attrOf(n, "name"), attrOf(n, "value"))
					forms[attrOf(n, "data-username")] = f
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, form)
		}
	}
	walk(doc, nil)
	return forms
}

func attrOf(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

func postLogin(t *testing.T, srv *fakeidp.Server, f url.Values) *http.Request {
	t.Helper()
	req, _ := http.NewRequest(http.MethodPost, srv.SiteURL("kontur")+"/connect/authorize", strings.NewReader(f.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return req
}

// The login page lists the fixture users; a user's button alone (no
// password) signs in, and the code it brings back is exchanged for tokens.
func TestLoginPageTestUsers(t *testing.T) {
	srv := start(t)
	page := get(t, srv, srv.SiteURL("kontur")+"/connect/authorize?"+codeAuthorize().Encode())
	forms := testUserForms(t, page.Body)
	f, ok := forms[username]
	if len(forms) != 1 || !ok {
		t.Fatalf("test users on the page: %v, want %s", forms, username)
	}
	if f.Has("password") || f.Get("state") != "af0ifjsldkj" || f.Get("client_id") != codeID {
		t.Errorf("the test user's form: %v", f)
	}
	rep := do(t, srv, postLogin(t, srv, f))
	loc, _ := url.Parse(rep.Header.Get("Location"))
	if rep.Status != http.StatusFound || loc.Query().Get("code") == "" || loc.Query().Get("state") != "af0ifjsldkj" {
		t.Fatalf("test user sign-in: %d %s", rep.Status, rep.Header.Get("Location"))
	}
	tokens := exchange(t, srv, loc.Query().Get("code"))
	if tokens.Status != 200 || tokens.JSON["id_token"] == nil {
		t.Errorf("exchange: %d %s", tokens.Status, tokens.Body)
	}
	// A name that is no fixture user is refused, in Russian, on the page.
	f.Set("username", "nobody@login.ru")
	rep = do(t, srv, postLogin(t, srv, f))
	if rep.Status != http.StatusBadRequest || !strings.Contains(string(rep.Body), `data-testid="login-error"`) {
		t.Errorf("unknown test user: %d %s", rep.Status, rep.Body)
	}
}

// kontur.login_page.show_test_users: false hides the list, and the
// one-click sign-in no longer works: only the password does.
func TestLoginPageTestUsersHidden(t *testing.T) {
	off := false
	srv := startWith(t, func(cfg *config.Config) { cfg.Kontur.LoginPage.ShowTestUsers = &off })
	page := get(t, srv, srv.SiteURL("kontur")+"/connect/authorize?"+codeAuthorize().Encode())
	if forms := testUserForms(t, page.Body); len(forms) != 0 || page.Status != 200 {
		t.Errorf("%d, test users shown: %v", page.Status, forms)
	}
	f := codeAuthorize("username", username, "button", "test_user")
	rep := do(t, srv, postLogin(t, srv, f))
	if rep.Status != http.StatusBadRequest || rep.Header.Get("Location") != "" {
		t.Errorf("one-click sign-in with the list hidden: %d %s", rep.Status, rep.Header.Get("Location"))
	}
	if loc := login(t, srv, codeAuthorize(), username, password, "login"); loc.Query().Get("code") == "" {
		t.Errorf("password login: %s", loc)
	}
}

// The failed login's message is Russian and marked as the error.
func TestLoginPageError(t *testing.T) {
	srv := start(t)
	rep := do(t, srv, postLogin(t, srv, codeAuthorize("username", username, "password", "wrong", "button", "login")))
	body := string(rep.Body)
	if !strings.Contains(body, `<p class="error" role="alert" data-testid="login-error">Неверный логин или пароль</p>`) {
		t.Errorf("failed login page:\n%s", body)
	}
	if !strings.Contains(body, `name="viewport"`) || !strings.Contains(body, `<a href="`+srv.URL()+`/_fakeidp/ui">`) {
		t.Errorf("the page lacks the viewport or the fakeidp marker's link to the dashboard:\n%s", body)
	}
}
