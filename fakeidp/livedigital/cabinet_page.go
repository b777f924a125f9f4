package livedigital

import (
	"html/template"
	"net/http"
)

// cabinetPage is the fake's own stand-in for the provider's "Интеграция"
// dialog: plain HTML, every button a call to the cabinet API. It says on
// every view that it is fakeidp's page, so no one mistakes it for the
// provider's.
var cabinetPage = template.Must(template.New("cabinet").Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>fakeidp: livedigital cabinet (fake)</title>
<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}
.banner{background:#fed;border:1px solid #c96;padding:.5em 1em}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.2em .5em}
pre{background:#eee;padding:.5em;white-space:pre-wrap}</style></head>
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
<script>
const ops = {
  client: (u) => ["POST", u + "/clients"],
  secret: (u, id) => ["POST", u + "/clients/" + encodeURIComponent(id) + "/secret"],
  create: (u) => ["POST", u + "/personal-tokens"],
  delete: (u, id) => ["DELETE", u + "/personal-tokens/" + encodeURIComponent(id)],
};
document.addEventListener("click", async (ev) => {
  const b = ev.target.closest("button[data-op]");
  if (!b) return;
  const email = b.closest("section").dataset.email;
  const [method, url] = ops[b.dataset.op]("users/" + encodeURIComponent(email), b.dataset.id);
  // The control API takes state changes only as JSON, which no other
  // page can send here.
  const resp = await fetch(url, {method, headers: {"Content-Type": "application/json"}});
  const text = await resp.text();
  document.getElementById("out").textContent = resp.status + " " + (text || "(no body)") +
    "\n(Reload the page to see the lists updated.)";
});
</script>
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
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if err := cabinetPage.Execute(w, views); err != nil {
		s.env.Log.Error("livedigital cabinet page", "err", err)
	}
}
