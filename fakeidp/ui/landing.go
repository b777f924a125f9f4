package ui

import (
	"html/template"
	"log/slog"
	"net/http"

	"github.com/fakeidp/fakeidp/fakeidp/internal/htmlpage"
)

// Landing is what GET / on the listener's own address shows a browser:
// what this is, each site's URLs and where to go next. It holds only
// what the fixtures and the listener fix (no token, code, journal entry
// or secret), as any page the developer's browser opens may read it by
// DNS rebinding.
type Landing struct {
	Sites []Site
	// Discovery is Kontur's OpenID discovery document's URL.
	Discovery string
	// Docs is where the documentation is.
	Docs string
}

// HostNote says, once for all, what a URL by host name needs.
func (l Landing) HostNote() string {
	for _, st := range l.Sites {
		for _, u := range st.URLs {
			if u.Note != "" {
				return "A URL by host name " + u.Note + "."
			}
		}
	}
	return ""
}

var landingTemplate = template.Must(template.New("landing").Funcs(template.FuncMap{"style": htmlpage.Style}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">{{style}}
<title>fakeidp</title></head>
<body>
<div class="fakeidp-bar"><span><strong>fakeidp</strong> · fake identity providers for tests</span><a href="_fakeidp/ui">dashboard</a></div>
<main class="wide">
<div class="card">
<h1>fakeidp</h1>
<p>A fake identity provider and contract-test harness: Kontur identity (OpenID Connect),
Doktornarabote's partner API, livedigital's token API, and the API sites behind their tokens.
It answers as the real providers do, from test fixtures: every user, client and secret here is test-only.</p>
<p class="buttons"><a href="_fakeidp/ui" data-testid="landing-dashboard">Dashboard</a> ·
<a href="_fakeidp/livedigital/">livedigital cabinet</a> ·
<a href="_fakeidp/">Control API</a> ·
<a href="{{.Docs}}">Docs</a></p>
{{if .Discovery}}<p>Kontur's discovery: <a href="{{.Discovery}}"><code data-testid="landing-discovery">{{.Discovery}}</code></a></p>{{end}}
</div>
<div class="card">
<h2>Sites</h2>
<p class="muted">{{.HostNote}}</p>
<div class="sites">
{{range .Sites}}{{$site := .Name}}<div><h3>{{.Name}}</h3>
<dl>{{range .URLs}}<dt>{{.How}}</dt><dd><code data-testid="landing-url" data-site="{{$site}}">{{.URL}}</code></dd>
{{end}}</dl></div>
{{end}}</div>
</div>
</main>
</body></html>
`))

// ServeLanding writes the landing page.
func ServeLanding(w http.ResponseWriter, r *http.Request, l Landing, log *slog.Logger) {
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	setPageHeaders(w.Header())
	if r.Method == http.MethodHead {
		return
	}
	if err := landingTemplate.Execute(w, l); err != nil {
		log.Error("landing page", "err", err)
	}
}
