package ui

import (
	"embed"
	"github.com/fakeidp/fakeidp/fakeidp/internal/route"
	"html/template"
	"io/fs"
	"log/slog"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/fakeidp/fakeidp/fakeidp/internal/htmlpage"
)

//go:embed assets
var assetFS embed.FS

var pageTemplate = template.Must(template.ParseFS(assetFS, "assets/dashboard.html"))

// Page is what the dashboard shows of one server.
type Page struct {
	// SignIn: the control API needs a token and the request brought none;
	// the page asks for it and shows nothing else.
	SignIn bool
	// TokenSet: the server has a control token, so the page offers to
	// sign out.
	TokenSet bool
	// Sites are the emulated hosts and the URLs that reach them.
	Sites []Site
	// Presets are the error cases, in the order to show them.
	Presets []Preset
	// FaultTypes are the effect types a fault rule may have.
	FaultTypes []string
	// Panels names the optional panels the server supports
	// ("sandboxes", "stubs"); the page shows those only.
	Panels map[string]bool
	// Sandbox is the id of the sandbox whose page this is; "" on the
	// server's own. The server says so: the page does not guess it from
	// its URL or from the answers it gets.
	Sandbox string
}

// Site is one emulated host on the Sites panel.
type Site struct {
	Name string
	// Issuer is the OIDC issuer when reached by prefix; "" for sites that
	// have none.
	Issuer string
	URLs   []SiteURL
}

// SiteURL is one way to reach a site, e.g. {"by prefix", "http://…/kontur"}.
type SiteURL struct {
	How, URL string
	// Note says what the URL needs to work, such as DNS for a host name.
	Note string
}

// Preset is one error case.
type Preset struct {
	Name, Description string
	// Toggle: the preset adds fault rules, which can be taken back; a
	// preset of actions only (a key rotation) can only be applied.
	Toggle bool
}

// Dashboard serves the page and its assets. It is mounted on the control
// router, whose guard decides who may see it.
type Dashboard struct {
	// Page gathers what to show for a request.
	Page func(r *http.Request) Page
	Log  *slog.Logger
}

// Mount adds the page and its assets to the control router it is given
// (the /_fakeidp subrouter):
//
//	GET /ui               the dashboard
//	GET /ui/assets/{file} its script and style
func (d *Dashboard) Mount(r route.Router) {
	r.HandleFunc("/ui", d.page, http.MethodGet, http.MethodHead)
	r.HandleFunc("/ui/", redirectToPage, http.MethodGet, http.MethodHead)
	r.HandleFunc("/ui/assets/{file}", serveAsset, http.MethodGet, http.MethodHead)
}

// redirectToPage sends /ui/ to /ui, relative so that a sandbox's
// dashboard stays its own.
func redirectToPage(w http.ResponseWriter, _ *http.Request) {
	route.RelativeRedirect(w, "../ui", http.StatusMovedPermanently)
}

var assets, _ = fs.Sub(assetFS, "assets")

// serveAsset serves one embedded file. They change with the binary, so
// the browser is told to check each time rather than keep an old one.
func serveAsset(w http.ResponseWriter, r *http.Request) {
	name := mux.Vars(r)["file"]
	if _, err := fs.Stat(assets, name); err != nil || name == "dashboard.html" {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Header().Set("Cache-Control", "no-cache")
	http.ServeFileFS(w, r, assets, name)
}

func (d *Dashboard) page(w http.ResponseWriter, r *http.Request) {
	setPageHeaders(w.Header())
	if err := pageTemplate.Execute(w, d.Page(r)); err != nil {
		d.Log.Error("dashboard page", "err", err)
	}
}

// setPageHeaders: every page's (nosniff, no framing, a CSP that refuses
// anything inline, so a script injected through a journalled value could
// not run), and no-store, as the page shows the server's state.
func setPageHeaders(h http.Header) {
	htmlpage.SetHeaders(h)
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "no-store")
}
