package scenarios

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"time"
	"unicode/utf8"
)

// maxBody caps what a step reads of a response.
const maxBody = 1 << 20

// exchange is one request and what came back.
type exchange struct {
	method, url string
	status      int
	header      http.Header
	body        []byte
	// err is a transport error: no response at all.
	err error
	// readErr is an error reading the body of a response that started.
	readErr error
	took    time.Duration
	// json is the parsed body, cached by jsonBody.
	json *jsonDoc
	// explain asks the fake's journal why it answered so (see explain.go);
	// nil for a real provider. explained caches its answer.
	explain   func() string
	explained *string
}

// do sends req with the scenario's client and timeout. It never follows
// redirects: steps that act as a browser follow them themselves.
func (s *Steps) do(ctx context.Context, req *http.Request) *exchange {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	ex := &exchange{method: req.Method, url: redactURL(req.URL.String())}
	if s.cfg.Kind() != Real {
		ex.explain = func() string { return s.explain(ex) }
	}
	s.target.selectSandbox(req)
	start := time.Now()
	resp, err := s.client.Do(req.WithContext(ctx))
	if err != nil {
		ex.err, ex.took = err, time.Since(start)
		return ex
	}
	defer resp.Body.Close()
	ex.status, ex.header = resp.StatusCode, resp.Header
	ex.body, ex.readErr = io.ReadAll(io.LimitReader(resp.Body, maxBody))
	ex.took = time.Since(start)
	return ex
}

// send builds and sends a request; body may be empty.
func (s *Steps) send(ctx context.Context, method, url, contentType, body string, header http.Header) *exchange {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		return &exchange{method: method, url: url, err: err}
	}
	for k, vs := range header {
		req.Header[k] = vs
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return s.do(ctx, req)
}

// site sends a request to a site and makes it the scenario's last response.
func (s *Steps) site(ctx context.Context, name, method, path, contentType, body string, header http.Header) (*exchange, error) {
	base, err := s.target.siteURL(name)
	if err != nil {
		return nil, err
	}
	ex := s.send(ctx, method, base+path, contentType, body, header)
	s.last = ex
	s.remember(ex)
	return ex, nil
}

// control calls the fake's control API. On a real target it returns
// errNoControl, which skips the step.
func (s *Steps) control(ctx context.Context, method, path, body string) (*exchange, error) {
	base, err := s.target.controlURL()
	if err != nil {
		return nil, err
	}
	h := http.Header{}
	if s.cfg.ControlToken != "" {
		h.Set("Authorization", "Bearer "+s.cfg.ControlToken)
	}
	// The control API refuses a call that changes state without this
	// Content-Type (a cross-site page cannot send it), body or not.
	ct := ""
	if body != "" || method == http.MethodPost || method == http.MethodPut || method == http.MethodPatch {
		ct = "application/json"
	}
	return s.send(ctx, method, base+path, ct, body, h), nil
}

// want checks a control call's status.
func (ex *exchange) want(status int) error {
	if ex.err != nil || ex.status != status {
		return fmt.Errorf("expected %d from %s %s, got %s", status, ex.method, ex.url, ex.summary())
	}
	return nil
}

// summary describes the answer for an error message.
func (ex *exchange) summary() string {
	if ex == nil {
		return "no request yet"
	}
	if ex.err != nil {
		return "no answer: " + ex.err.Error()
	}
	ct := ex.header.Get("Content-Type")
	if ct == "" {
		ct = "no Content-Type"
	}
	return fmt.Sprintf("%d (%s) %s%s", ex.status, ct, snippet(ex.body), ex.journalSays())
}

// journalSays is what the fake's journal adds to the answer, asked once.
func (ex *exchange) journalSays() string {
	if ex.explain == nil {
		return ""
	}
	if ex.explained == nil {
		s := ex.explain()
		ex.explained = &s
	}
	return *ex.explained
}

// secretField matches a JSON string field that holds a credential.
var secretField = regexp.MustCompile(`("(?:access_token|refresh_token|id_token|token|client_secret|clientSecret|partial_factor_token|code|password)"\s*:\s*")([^"]{0,4})[^"]*"`)

// snippet is the start of a body, printable, with the values of
// credential fields cut to four characters: messages end up in CI logs,
// and against a real provider the tokens are real.
func snippet(b []byte) string { return snippetOf(b, 300) }

// snippetOf is snippet with room for n bytes.
func snippetOf(b []byte, n int) string {
	if len(b) == 0 {
		return "with an empty body"
	}
	s := secretField.ReplaceAllString(string(b), `${1}${2}…"`)
	if len(s) > n {
		s = s[:n] + "…"
	}
	if !utf8.ValidString(s) {
		s = strings.ToValidUTF8(s, "?")
	}
	return fmt.Sprintf("%q", s)
}

// redactURL keeps query values (tokens, codes) out of messages.
func redactURL(u string) string {
	if i := strings.IndexByte(u, '?'); i >= 0 {
		return u[:i] + "?…"
	}
	return u
}
