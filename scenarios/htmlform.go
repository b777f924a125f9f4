package scenarios

import (
	"bytes"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"

	"golang.org/x/net/html"
)

// The login page is read with golang.org/x/net/html, the Go project's own
// HTML5 parser, the way a browser tokenises it: a regexp over the markup
// would pass against the fake and break on the real provider's page.

// htmlForm is a parsed HTML form: its action, method, fields and buttons.
type htmlForm struct {
	action, method string
	inputs         []htmlInput
	buttons        []htmlInput
}

// htmlInput is an input or a submit button; label is a button's text.
type htmlInput struct {
	name, value, typ, label string
}

// findLoginForm finds the first form with a password field.
func findLoginForm(body []byte) (*htmlForm, error) {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	var found *htmlForm
	var walk func(*html.Node)
	walk = func(n *html.Node) {
		if found != nil {
			return
		}
		if n.Type == html.ElementNode && n.Data == "form" {
			if f := parseForm(n); f.has("password") {
				found = f
				return
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	if found == nil {
		return nil, errors.New("no form with a password field")
	}
	return found, nil
}

func parseForm(n *html.Node) *htmlForm {
	f := &htmlForm{action: attr(n, "action"), method: strings.ToUpper(attr(n, "method"))}
	if f.method != http.MethodPost {
		f.method = http.MethodGet
	}
	var walk func(*html.Node)
	walk = func(c *html.Node) {
		if c.Type == html.ElementNode {
			f.addElement(c)
		}
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			walk(k)
		}
	}
	walk(n)
	return f
}

func (f *htmlForm) addElement(n *html.Node) {
	typ := strings.ToLower(attr(n, "type"))
	in := htmlInput{name: attr(n, "name"), value: attr(n, "value"), typ: typ}
	if (typ == "checkbox" || typ == "radio") && !hasAttr(n, "checked") {
		return // a browser sends only the checked ones
	}
	switch {
	case n.Data == "button" && (typ == "" || typ == "submit"):
		in.label = strings.TrimSpace(nodeText(n))
		f.buttons = append(f.buttons, in)
	case n.Data == "input" && typ == "submit":
		in.label = in.value
		f.buttons = append(f.buttons, in)
	case n.Data == "input" && typ != "button" && typ != "image" && typ != "reset":
		if typ == "" {
			in.typ = "text"
		}
		f.inputs = append(f.inputs, in)
	}
}

func (f *htmlForm) has(typ string) bool {
	for _, in := range f.inputs {
		if in.typ == typ {
			return true
		}
	}
	return false
}

// fillLogin types the username into the first visible text or email
// field and the password into the password field.
func (f *htmlForm) fillLogin(user, password string) error {
	userSet := false
	for i := range f.inputs {
		in := &f.inputs[i]
		switch {
		case in.typ == "password":
			in.value = password
		case !userSet && (in.typ == "text" || in.typ == "email"):
			in.value, userSet = user, true
		}
	}
	if !userSet {
		return errors.New("the login form has no text or email field for the username")
	}
	return nil
}

// valuesWith is what the browser sends when the user presses button.
func (f *htmlForm) valuesWith(button string) (url.Values, error) {
	v := url.Values{}
	for _, in := range f.inputs {
		if in.name != "" {
			v.Add(in.name, in.value)
		}
	}
	var labels []string
	for _, b := range f.buttons {
		if b.label == button || b.value == button {
			if b.name != "" {
				v.Add(b.name, b.value)
			}
			return v, nil
		}
		labels = append(labels, fmt.Sprintf("%q", b.label))
	}
	return nil, fmt.Errorf("the login form has no button %q; it has %s", button, strings.Join(labels, ", "))
}

func attr(n *html.Node, name string) string {
	for _, a := range n.Attr {
		if a.Key == name {
			return a.Val
		}
	}
	return ""
}

func hasAttr(n *html.Node, name string) bool {
	for _, a := range n.Attr {
		if a.Key == name {
			return true
		}
	}
	return false
}

func nodeText(n *html.Node) string {
	var b strings.Builder
	var walk func(*html.Node)
	walk = func(c *html.Node) {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
		for k := c.FirstChild; k != nil; k = k.NextSibling {
			walk(k)
		}
	}
	walk(n)
	return b.String()
}
