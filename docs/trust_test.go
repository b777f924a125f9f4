package docs

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// replacingVars are trust variables that replace the system roots rather
// than add to them. Given a fakeidp's ca.pem alone, the application would
// trust the fake and nothing else.
var replacingVar = regexp.MustCompile(`\b(SSL_CERT_FILE|REQUESTS_CA_BUNDLE|CURL_CA_BUNDLE)\b\s*[=:]\s*([^\s,;)}|` + "`" + `]+)`)

// TestTrustRecipesUseTheBundle checks the trust recipes: a variable that
// replaces the system roots is given a bundle (the roots, then the CA),
// never ca.pem alone, and a Python recipe names both REQUESTS_CA_BUNDLE
// (requests) and SSL_CERT_FILE (httpx, urllib, PyJWT).
func TestTrustRecipesUseTheBundle(t *testing.T) {
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	found := 0
	for _, name := range documents(t, root) {
		data, err := os.ReadFile(filepath.Join(root, name))
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range recipeUnits(string(data)) {
			for _, m := range replacingVar.FindAllStringSubmatch(u.text, -1) {
				found++
				if strings.HasSuffix(m[2], "ca.pem") {
					t.Errorf("%s:%d: %s is given %s: it replaces the system roots, so give it the bundle (fakeidp ca --bundle)", name, u.line, m[1], m[2])
				}
			}
			if strings.Contains(u.text, "REQUESTS_CA_BUNDLE") && !strings.Contains(u.text, "SSL_CERT_FILE") {
				t.Errorf("%s:%d: a Python recipe names REQUESTS_CA_BUNDLE without SSL_CERT_FILE, which httpx, urllib and PyJWT read", name, u.line)
			}
		}
	}
	if found == 0 {
		t.Error("no trust recipe found: the test reads nothing")
	}
}

// unit is a table row or a paragraph (lines up to a blank one or a row).
type unit struct {
	line int // its first line, 1-based
	text string
}

func recipeUnits(doc string) []unit {
	var units []unit
	var cur *unit
	for n, line := range strings.Split(doc, "\n") {
		row := strings.HasPrefix(strings.TrimSpace(line), "|")
		if strings.TrimSpace(line) == "" || row {
			cur = nil
		}
		switch {
		case row:
			units = append(units, unit{n + 1, line})
		case strings.TrimSpace(line) == "":
		case cur == nil:
			units = append(units, unit{n + 1, line})
			cur = &units[len(units)-1]
		default:
			cur.text += "\n" + line
		}
	}
	return units
}
