package kontur

import (
	"html/template"
	"net/http"
	"net/url"
	"strings"

	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/fakeidp/internal/htmlpage"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// Kontur's browser pages: the login form, the error page and the logout
// page. The login page is Russian, as the real one is; the error and
// logout pages keep IdentityServer's English texts. Each carries a bar
// that says it is fakeidp's page, with a link to the dashboard.

// The login page's messages.
const (
	msgBadLogin     = "Неверный логин или пароль"
	msgChooseButton = "Выберите «Войти» или «Отказать»"
	msgNoTestUser   = "Такого тестового пользователя нет, или вход одним нажатием выключен"
)

// testUserButton is the value of the button of a test user's one-click
// sign-in. The real page has no such button; a client that posts the form
// itself sends "login" with the password, as before.
const testUserButton = "test_user"

// pageHead is what every page's <head> starts with: the viewport, so that
// a phone shows the page at its own width, and the shared style.
const pageHead = `<meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">{{style}}`

// bar marks the page as the fake's and links to the dashboard.
const bar = `<div class="fakeidp-bar" data-testid="fakeidp-marker"><span><strong>fakeidp</strong> · {{.BarText}}</span>
<a href="{{.Dashboard}}">dashboard</a></div>`

func parsePage(name, body string) *template.Template {
	return template.Must(template.New(name).Funcs(template.FuncMap{"style": htmlpage.Style}).
		Parse(`<!DOCTYPE html>` + "\n" + body))
}

var loginTemplate = parsePage("login", `<html lang="ru"><head>`+pageHead+`<title>Вход — Контур (fakeidp)</title></head>
<body>
`+bar+`
<main>
<div class="card">
<h1>Вход в Контур</h1>
<p class="notice">Это fakeidp — тестовый двойник сервиса входа Контура, а не настоящий Контур. Не вводите здесь настоящие логины и пароли.</p>
<p>Приложение <b>{{.ClientID}}</b> запрашивает доступ: <code>{{.Scope}}</code></p>
{{if .Error}}<p class="error" role="alert" data-testid="login-error">{{.Error}}</p>{{end}}
<form method="post" action="">
{{range .Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<label for="username">Логин</label><input id="username" name="username" value="{{.Username}}" autocomplete="username" autofocus>
<label for="password">Пароль</label><input id="password" name="password" type="password" autocomplete="current-password">
<div class="buttons"><button class="primary" type="submit" name="button" value="login">Войти</button>
<button type="submit" name="button" value="deny">Отказать</button></div>
</form>
</div>
{{if .TestUsers}}<div class="card" data-testid="test-users">
<h2>Тестовые пользователи</h2>
<p class="muted">Вход одним нажатием, без пароля. Список берётся из fixtures; скрыть его: <code>kontur.login_page.show_test_users: false</code>.</p>
<ul class="users">
{{range .TestUsers}}<li><form method="post" action="">
{{range $.Hidden}}<input type="hidden" name="{{.Name}}" value="{{.Value}}">
{{end}}<input type="hidden" name="username" value="{{.Username}}">
<button type="submit" name="button" value="`+testUserButton+`" data-testid="test-user" data-username="{{.Username}}"><b>{{.Username}}</b>{{if .Name}} <span>{{.Name}}</span>{{end}}</button>
</form></li>
{{end}}</ul>
</div>{{end}}
</main>
</body></html>
`)

type hiddenField struct{ Name, Value string }

// testUser is one fixture user on the login page.
type testUser struct{ Username, Name string }

func (k *Site) loginPage(w http.ResponseWriter, r *http.Request, status int, req *authorizeRequest, username, errText string) {
	var hidden []hiddenField
	for _, name := range authorizeParams {
		if v := req.params.Get(name); v != "" && name != "login_hint" {
			hidden = append(hidden, hiddenField{name, v})
		}
	}
	h := w.Header()
	htmlpage.SetHeaders(h)
	h.Set("Cache-Control", "no-store, no-cache, max-age=0")
	w.WriteHeader(status)
	_ = loginTemplate.Execute(w, map[string]any{
		"BarText": "тестовый двойник, не настоящий Контур", "Dashboard": dashboardURL(r),
		"ClientID": req.client.ID, "Scope": strings.Join(req.scopes, " "),
		"Hidden": hidden, "Username": username, "Error": errText, "TestUsers": k.testUsers(),
	})
}

// testUsers are the users the login page offers, in the fixtures' order:
// every user, as the fake keeps no per-client user list.
func (k *Site) testUsers() []testUser {
	if !k.cfg.LoginPage.TestUsersShown() {
		return nil
	}
	out := make([]testUser, 0, len(k.cfg.Users))
	for i := range k.cfg.Users {
		out = append(out, testUser{Username: k.cfg.Users[i].Username, Name: displayName(&k.cfg.Users[i])})
	}
	return out
}

// displayName is the user's name claim, or given and family name.
func displayName(u *config.KonturUser) string {
	if n, ok := u.Claims["name"].(string); ok {
		return n
	}
	given, _ := u.Claims["given_name"].(string)
	family, _ := u.Claims["family_name"].(string)
	return strings.TrimSpace(given + " " + family)
}

// errorTemplate keeps IdentityServer's error page text; the fake's own
// explanation of the refusal goes below it, in a box of class "explain".
var errorTemplate = parsePage("error", `<html lang="en"><head>`+pageHead+`<title>Error</title></head>
<body>
`+bar+`
<main>
<div class="card">
<h1>Error</h1><p>Sorry, there was an error: <code>{{.Code}}</code></p>{{if .Description}}<p>{{.Description}}</p>{{end}}
{{block "explain" .}}{{with .Why}}<div class="explain" data-testid="fakeidp-explain"><p><strong>fakeidp:</strong> why this request was refused
(not part of Kontur's page) — <code>{{.Code}}</code></p><p>{{.Message}}</p></div>{{end}}{{end}}
</div>
</main>
</body></html>
`)

// errorPage is shown instead of redirecting when the redirect_uri cannot
// be trusted.
func (k *Site) errorPage(w http.ResponseWriter, r *http.Request, status int, code, desc string) {
	htmlpage.SetHeaders(w.Header())
	w.WriteHeader(status)
	_ = errorTemplate.Execute(w, map[string]any{
		"BarText": "a test double of Kontur identity", "Dashboard": dashboardURL(r),
		"Code": code, "Description": desc, "Why": site.RefusalOf(r),
	})
}

var logoutTemplate = parsePage("logout", `<html lang="en"><head>`+pageHead+`<title>Logout</title></head>
<body>
`+bar+`
<main>
<div class="card"><h1>You are now logged out</h1></div>
</main>
</body></html>
`)

// logoutPage is endsession's answer when it does not redirect back.
func (k *Site) logoutPage(w http.ResponseWriter, r *http.Request) {
	htmlpage.SetHeaders(w.Header())
	_ = logoutTemplate.Execute(w, map[string]string{
		"BarText": "a test double of Kontur identity", "Dashboard": dashboardURL(r),
	})
}

// dashboardURL is where the fake's dashboard is for someone on one of its
// pages. Reached by prefix, the dashboard is beside the prefix (on the
// listener, or in the sandbox's path). A site's host name does not lead to
// the control API, so reached by host name, it is on localhost at the
// same port, which is where a developer's browser finds the fake.
func dashboardURL(r *http.Request) string {
	base := site.BaseURL(r)
	if root, ok := strings.CutSuffix(base, site.Kontur.Prefix); ok {
		return root + "/_fakeidp/ui"
	}
	u, err := url.Parse(base)
	if err != nil || u.Scheme == "" {
		return "/_fakeidp/ui"
	}
	host := "localhost"
	if p := u.Port(); p != "" {
		host += ":" + p
	}
	return u.Scheme + "://" + host + "/_fakeidp/ui"
}
