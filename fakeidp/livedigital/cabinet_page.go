package livedigital

import (
	_ "embed"
	"html/template"
	"net/http"

	"github.com/fakeidp/fakeidp/fakeidp/internal/htmlpage"
)

// The page's style and script are files served beside it, not inline, so
// that its Content-Security-Policy can refuse every inline script: an
// injected one would run with the page's access to the cabinet.
var (
	//go:embed cabinet.css
	cabinetCSS []byte
	//go:embed cabinet.js
	cabinetJS []byte
)

// cabinetPage is the fake's own stand-in for the provider's "Интеграция"
// dialog: plain HTML, every button a call to the cabinet API. It says on
// every view that it is fakeidp's page, so no one mistakes it for the
// provider's.
var cabinetPage = template.Must(template.New("cabinet").Funcs(template.FuncMap{"style": htmlpage.Style}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>fakeidp: livedigital cabinet (fake)</title>
{{style}}<link rel="stylesheet" href="cabinet.css">
<script src="cabinet.js" defer></script></head>
<body>
<div class="fakeidp-bar" data-testid="fakeidp-marker"><span><strong>fakeidp</strong> · a test double, not livedigital</span><a href="../ui">dashboard</a></div>
<main class="wide">
<p class="notice banner">This is the fake identity provider's own test page, standing in for livedigital's
cabinet ("Интеграция"). It is not livedigital's page, and every secret here is test-only.</p>
<h1>livedigital cabinet (fake)</h1>
<p id="out" role="status" hidden></p>
{{range .}}
<section class="card" data-email="{{.Email}}" data-testid="cabinet">
<h2>{{.Email}} <small>({{.ObjectID}})</small></h2>
<h3>Client credentials</h3>
<table><thead><tr><th>clientId</th><th>client_secret</th><th></th></tr></thead>
<tbody data-list="clients">{{range .Clients}}<tr data-testid="client-row" data-id="{{.ClientID}}"><td><code>{{.ClientID}}</code></td><td><code>{{.ClientSecret}}</code></td>
<td><button class="small" data-op="secret" data-id="{{.ClientID}}">Regenerate secret</button></td></tr>
{{end}}</tbody></table>
<p class="empty" data-empty="clients"{{if .Clients}} hidden{{end}}>No clients: generate one below.</p>
<p><button data-op="client">Generate a clientId</button></p>
<h3>Personal tokens</h3>
<div class="new-token" data-testid="new-token" hidden><p><strong>New personal token.</strong> It is shown this once: copy it now.</p>
<p><code data-testid="token-value"></code> <button class="small" data-op="copy" data-testid="copy-token">Copy</button></p></div>
<table><thead><tr><th>id</th><th>created</th><th></th></tr></thead>
<tbody data-list="tokens">{{range .PersonalTokens}}<tr data-testid="token-row" data-id="{{.ID}}"><td><code>{{.ID}}</code></td><td class="when">{{.CreatedAt}}</td>
<td><button class="small danger" data-op="delete" data-id="{{.ID}}">Delete</button></td></tr>
{{end}}</tbody></table>
<p class="empty" data-empty="tokens"{{if .PersonalTokens}} hidden{{end}}>No personal tokens.</p>
<p><button data-op="create">Create a personal token</button></p>
</section>
{{else}}<p class="empty">No users: the fixtures' livedigital.users is empty.</p>
{{end}}
</main>
</body></html>
`))

// page renders every user's cabinet.
func (s *Site) page(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET")
		writeControl(w, http.StatusMethodNotAllowed, &controlError{Code: "method_not_allowed", Message: "use GET"})
		return
	}
	var views []Cabinet
	for _, email := range s.accounts.emails() {
		if v, err := s.accounts.cabinet(email); err == nil {
			views = append(views, v)
		}
	}
	htmlpage.SetHeaders(w.Header())
	w.Header().Set("Cache-Control", "no-store")
	if err := cabinetPage.Execute(w, views); err != nil {
		s.env.Log.Error("livedigital cabinet page", "err", err)
	}
}
