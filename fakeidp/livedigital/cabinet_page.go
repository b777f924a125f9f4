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
var cabinetPage = template.Must(template.New("cabinet").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>fakeidp: livedigital cabinet (fake)</title>
<link rel="stylesheet" href="cabinet.css">
<script src="cabinet.js" defer></script></head>
<body>
<p class="banner"><strong>fakeidp</strong>: this is the fake identity provider's own test page,
standing in for livedigital's cabinet ("Интеграция"). It is not livedigital's page,
and every secret here is test-only.</p>
<h1>livedigital cabinet (fake)</h1>
<pre id="out">Results appear here. A personal token's value is shown once, right after it is created.</pre>
{{range .}}
<section data-email="{{.Email}}">
<h2>{{.Email}} <small>({{.ObjectID}})</small></h2>
<h3>Client credentials</h3>
<table><tr><th>clientId</th><th>client_secret</th><th></th></tr>
{{range .Clients}}<tr><td>{{.ClientID}}</td><td><code>{{.ClientSecret}}</code></td>
<td><button data-op="secret" data-id="{{.ClientID}}">Regenerate secret</button></td></tr>
{{end}}</table>
<p><button data-op="client">Generate a clientId</button></p>
<h3>Personal tokens</h3>
<table><tr><th>id</th><th>created</th><th></th></tr>
{{range .PersonalTokens}}<tr><td>{{.ID}}</td><td>{{.CreatedAt}}</td>
<td><button data-op="delete" data-id="{{.ID}}">Delete</button></td></tr>
{{end}}</table>
<p><button data-op="create">Create a personal token</button></p>
</section>
{{end}}
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
