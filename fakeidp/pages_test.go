package fakeidp_test

import (
	"crypto/sha256"
	"encoding/base64"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// Every HTML page (Kontur's login, error and logout pages, the cabinet)
// sends nosniff, frame protection and a CSP that allows only its own
// resources, and holds nothing inline that such a CSP would block.
func TestPageHeaders(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	kontur := srv.SiteURL("kontur")
	authorize := url.Values{
		"response_type": {"code"}, "client_id": {"yourClientId"}, "redirect_uri": {"http://www.example.com/"},
		"scope": {"openid extern.api"}, "state": {"xyz"},
	}
	unknownClient := url.Values{"response_type": {"code"}, "client_id": {"nobody"}, "redirect_uri": {"http://evil.example/"}}
	pages := []struct {
		name, method, url, form string
		status                  int
	}{
		{"login", "GET", kontur + "/connect/authorize?" + authorize.Encode(), "", 200},
		{"login with an error", "POST", kontur + "/connect/authorize", authorize.Encode() + "&username=user@login.ru&password=wrong&button=login", 200},
		{"error", "GET", kontur + "/connect/authorize?" + unknownClient.Encode(), "", 400},
		{"endsession", "GET", kontur + "/connect/endsession", "", 200},
		{"cabinet", "GET", srv.URL() + "/_fakeidp/livedigital/", "", 200},
		{"landing", "GET", srv.URL() + "/", "", 200},
		{"dashboard", "GET", srv.URL() + "/_fakeidp/ui", "", 200},
	}
	for _, p := range pages {
		req, _ := http.NewRequest(p.method, p.url, strings.NewReader(p.form))
		if p.form != "" {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != p.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
			t.Errorf("%s: %d %s, want %d HTML", p.name, resp.StatusCode, resp.Header.Get("Content-Type"), p.status)
			continue
		}
		checkPageHeaders(t, p.name, resp.Header)
		if !strings.Contains(string(body), `<meta name="viewport" content="width=device-width, initial-scale=1">`) {
			t.Errorf("%s: no viewport meta, so a phone draws it 980 px wide", p.name)
		}
		for _, problem := range inlineContent(t, string(body), resp.Header.Get("Content-Security-Policy")) {
			t.Errorf("%s: %s, which its CSP blocks", p.name, problem)
		}
	}
}

func checkPageHeaders(t *testing.T, page string, h http.Header) {
	t.Helper()
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options %q", page, got)
	}
	if got := h.Get("X-Frame-Options"); got != "DENY" {
		t.Errorf("%s: X-Frame-Options %q", page, got)
	}
	csp := h.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'none'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("%s: CSP %q lacks %q", page, csp, want)
		}
	}
	for _, loose := range []string{"unsafe-inline", "unsafe-eval", "*", "data:", "http:"} {
		if strings.Contains(csp, loose) {
			t.Errorf("%s: CSP %q allows %s", page, csp, loose)
		}
	}
}

// inlineContent lists what a CSP without 'unsafe-inline' would block:
// inline scripts, inline styles but those whose hash csp names, style
// attributes, event handler attributes and javascript: URLs.
func inlineContent(t *testing.T, page, csp string) []string {
	t.Helper()
	doc, err := html.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	var problems []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			if n.Data == "style" && !strings.Contains(csp, "'"+styleHash(n)+"'") {
				problems = append(problems, "an inline <style> that the CSP names no hash of")
			}
			if n.Data == "script" && !hasAttr(n, "src") {
				problems = append(problems, "an inline <script>")
			}
			for _, a := range n.Attr {
				switch {
				case a.Key == "style":
					problems = append(problems, "a style attribute on <"+n.Data+">")
				case strings.HasPrefix(a.Key, "on"):
					problems = append(problems, "an "+a.Key+" handler")
				case strings.HasPrefix(strings.TrimSpace(strings.ToLower(a.Val)), "javascript:"):
					problems = append(problems, "a javascript: URL")
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return problems
}

// styleHash is the CSP hash source of a <style> element's text.
func styleHash(n *html.Node) string {
	var text strings.Builder
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		text.WriteString(c.Data)
	}
	sum := sha256.Sum256([]byte(text.String()))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

func hasAttr(n *html.Node, key string) bool {
	for _, a := range n.Attr {
		if a.Key == key {
			return true
		}
	}
	return false
}

// The cabinet page works by HTTP alone as a browser would drive it: its
// script and style load as their own types from its own origin, and the
// call its buttons make (same-origin, JSON) is taken.
func TestCabinetPageFlow(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	page := srv.URL() + "/_fakeidp/livedigital/"
	for asset, wantType := range map[string]string{"cabinet.js": "text/javascript", "cabinet.css": "text/css"} {
		resp, err := http.Get(page + asset)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), wantType) ||
			resp.Header.Get("X-Content-Type-Options") != "nosniff" || len(body) == 0 {
			t.Errorf("%s: %d %s nosniff=%q, %d bytes", asset, resp.StatusCode, resp.Header.Get("Content-Type"),
				resp.Header.Get("X-Content-Type-Options"), len(body))
		}
		if asset == "cabinet.js" && !strings.Contains(string(body), `"Content-Type": "application/json"`) {
			t.Error("cabinet.js does not send its calls as JSON, which the control API requires")
		}
	}
	before, _ := srv.Livedigital().Cabinet("test_user@test.test")
	call := guardCall{"POST", "/_fakeidp/livedigital/users/test_user%40test.test/clients/john-smith-livedigital/secret", "{}", "",
		map[string]string{"Origin": srv.URL(), "Content-Type": "application/json"}}
	code, body := call.do(t, srv)
	if code != 200 || body["clientSecret"] == before.Clients[0].ClientSecret {
		t.Errorf("the Regenerate button's call: %d %v", code, body)
	}
}
