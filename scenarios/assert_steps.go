package scenarios

import (
	"errors"
	"fmt"
	"net/textproto"
	"slices"
	"strings"
	"time"

	"github.com/cucumber/godog"
)

// registerAssertions adds the steps that check the last answer.
func (s *Steps) registerAssertions(sc *godog.ScenarioContext) {
	sc.Step(`^the response status is (\d+)$`, s.statusIs)
	sc.Step(`^the response has the headers:$`, s.hasHeaders)
	sc.Step(`^the response has no "([^"]*)" header$`, s.hasNoHeader)
	sc.Step(`^the response is JSON with exactly the keys "([^"]*)" in that order$`, s.keysInOrder)
	sc.Step(`^the response is JSON with exactly the keys "([^"]*)"$`, s.keysAnyOrder)
	sc.Step(`^the JSON object at "([^"]*)" has exactly the keys "([^"]*)"$`, s.objectKeysAt)
	sc.Step(`^the response is JSON with:$`, s.jsonWith)
	sc.Step(`^the response has no JSON field "([^"]*)"$`, s.noJSONField)
	sc.Step(`^the response body is not JSON$`, s.bodyNotJSON)
	sc.Step(`^the response body is empty$`, s.bodyEmpty)
	sc.Step(`^the request times out$`, s.timesOut)
	sc.Step(`^the request fails without a response$`, s.failsWithoutResponse)
	sc.Step(`^the answer took at least (\d+) ms$`, s.tookAtLeast)
	sc.Step(`^the client gives up after "([^"]*)"$`, s.givesUpAfter)
}

// answered is the last exchange if it has a response.
func (s *Steps) answered() (*exchange, error) {
	ex := s.last
	switch {
	case ex == nil:
		return nil, errors.New("expected a response, but no request was sent yet")
	case ex.err != nil:
		return nil, fmt.Errorf("expected a response from %s %s, but the request failed: %v", ex.method, ex.url, ex.err)
	}
	return ex, nil
}

func (s *Steps) statusIs(want int) error {
	ex, err := s.answered()
	if err != nil {
		return err
	}
	if ex.status != want {
		return fmt.Errorf("expected status %d from %s %s, got %s", want, ex.method, ex.url, ex.summary())
	}
	return nil
}

// rows reads a table whose first row is a header.
func rows(t *godog.Table) [][]string {
	var out [][]string
	for i, r := range t.Rows {
		if i == 0 {
			continue
		}
		var cells []string
		for _, c := range r.Cells {
			cells = append(cells, c.Value)
		}
		out = append(out, cells)
	}
	return out
}

func (s *Steps) hasHeaders(t *godog.Table) error {
	ex, err := s.answered()
	if err != nil {
		return err
	}
	var errs []error
	for _, r := range rows(t) {
		name, want := r[0], s.expand(r[1])
		vs, ok := ex.header[textproto.CanonicalMIMEHeaderKey(name)]
		if !ok {
			errs = append(errs, fmt.Errorf("header %s: missing", name))
			continue
		}
		if err := matchValue(want, strings.Join(vs, ", ")); err != nil {
			errs = append(errs, fmt.Errorf("header %s: %v", name, err))
		}
	}
	return wrap(ex, errors.Join(errs...))
}

func (s *Steps) hasNoHeader(name string) error {
	ex, err := s.answered()
	if err != nil {
		return err
	}
	if v, ok := ex.header[textproto.CanonicalMIMEHeaderKey(name)]; ok {
		return fmt.Errorf("expected no %s header from %s %s, got %q", name, ex.method, ex.url, v)
	}
	return nil
}

func (s *Steps) bodyEmpty() error {
	ex, err := s.answered()
	if err != nil {
		return err
	}
	if len(ex.body) != 0 {
		return fmt.Errorf("expected an empty body from %s %s, got %s", ex.method, ex.url, ex.summary())
	}
	return nil
}

func (s *Steps) keysInOrder(list string) error {
	return s.checkKeys(list, true)
}

func (s *Steps) keysAnyOrder(list string) error {
	return s.checkKeys(list, false)
}

func (s *Steps) checkKeys(list string, ordered bool) error {
	doc, err := s.lastJSON()
	if err != nil {
		return err
	}
	if _, ok := doc.value.(map[string]any); !ok {
		return fmt.Errorf("expected a JSON object, got %s", jsonType(doc.value))
	}
	want, got := splitList(list), slices.Clone(doc.keys)
	if !ordered {
		slices.Sort(want)
		slices.Sort(got)
	}
	if !slices.Equal(want, got) {
		return wrap(s.last, fmt.Errorf("expected the keys %s, got %s", strings.Join(want, ", "), strings.Join(got, ", ")))
	}
	return nil
}

func (s *Steps) objectKeysAt(path, list string) error {
	doc, err := s.lastJSON()
	if err != nil {
		return err
	}
	v, ok := lookup(doc.value, path)
	obj, isObj := v.(map[string]any)
	if !ok || !isObj {
		return fmt.Errorf("expected a JSON object at %q, got %s", path, jsonType(v))
	}
	var got []string
	for k := range obj {
		got = append(got, k)
	}
	want := splitList(list)
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(want, got) {
		return fmt.Errorf("expected the keys %s at %q, got %s", strings.Join(want, ", "), path, strings.Join(got, ", "))
	}
	return nil
}

func (s *Steps) lastJSON() (*jsonDoc, error) {
	ex, err := s.answered()
	if err != nil {
		return nil, err
	}
	return ex.jsonBody()
}

// jsonWith checks a table of | field | type | value |.
func (s *Steps) jsonWith(t *godog.Table) error {
	doc, err := s.lastJSON()
	if err != nil {
		return err
	}
	return wrap(s.last, s.checkFields(doc.value, t))
}

// checkFields checks | field | type | value | rows against a JSON value.
func (s *Steps) checkFields(v any, t *godog.Table) error {
	var errs []error
	for _, r := range rows(t) {
		if len(r) < 2 {
			return errors.New("the table needs the columns field, type and value")
		}
		field, typ, want := r[0], r[1], ""
		if len(r) > 2 {
			want = s.expand(r[2])
		}
		got, ok := lookup(v, field)
		if !ok {
			errs = append(errs, fmt.Errorf("%s: missing, want a %s", field, typ))
			continue
		}
		if !typeMatches(typ, got) {
			errs = append(errs, fmt.Errorf("%s: is a JSON %s (%s), want a %s", field, jsonType(got), text(got), typ))
			continue
		}
		if err := matchValue(want, got); err != nil {
			errs = append(errs, fmt.Errorf("%s: %v", field, err))
		}
	}
	return errors.Join(errs...)
}

func (s *Steps) noJSONField(field string) error {
	doc, err := s.lastJSON()
	if err != nil {
		return err
	}
	if v, ok := lookup(doc.value, field); ok {
		return fmt.Errorf("expected no field %q, got %s", field, text(v))
	}
	return nil
}

func (s *Steps) bodyNotJSON() error {
	ex, err := s.answered()
	if err != nil {
		return err
	}
	if ex.readErr != nil {
		return nil // the body broke off: not JSON either
	}
	if _, err := parseJSON(ex.body); err == nil {
		return fmt.Errorf("expected a body that is not JSON from %s %s, got %s", ex.method, ex.url, ex.summary())
	}
	return nil
}

func (s *Steps) timesOut() error {
	ex := s.last
	if ex == nil || ex.err == nil || !isTimeout(ex.err) {
		return fmt.Errorf("expected the request to time out after %s, got %s", s.timeout, ex.summary())
	}
	return nil
}

func (s *Steps) failsWithoutResponse() error {
	ex := s.last
	if ex == nil || (ex.err == nil && ex.readErr == nil) {
		return fmt.Errorf("expected the request to fail without a response, got %s", ex.summary())
	}
	return nil
}

func (s *Steps) tookAtLeast(ms int) error {
	ex, err := s.answered()
	if err != nil {
		return err
	}
	if want := time.Duration(ms) * time.Millisecond; ex.took < want {
		return fmt.Errorf("expected the answer to take at least %s, it took %s", want, ex.took)
	}
	return nil
}

func (s *Steps) givesUpAfter(d string) error {
	t, err := time.ParseDuration(d)
	if err != nil || t <= 0 {
		return fmt.Errorf("%q is not a duration such as \"300ms\"", d)
	}
	s.timeout = t
	return nil
}

// expand replaces {issuer} and {client_id} in a table cell.
func (s *Steps) expand(cell string) string {
	if !strings.Contains(cell, "{") {
		return cell
	}
	if strings.Contains(cell, "{issuer}") {
		issuer, _ := s.target.siteURL("kontur")
		cell = strings.ReplaceAll(cell, "{issuer}", issuer)
	}
	return strings.ReplaceAll(cell, "{client_id}", s.kontur.clientID)
}

// wrap adds the answer to a failed check, so the message shows what came.
func wrap(ex *exchange, err error) error {
	if err == nil || ex == nil {
		return err
	}
	return fmt.Errorf("%w\n(the answer to %s %s was %s)", err, ex.method, ex.url, ex.summary())
}
