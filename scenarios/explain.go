package scenarios

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// A fakeidp answers as tersely as the provider it fakes, but its journal
// says why: the reason for a refusal, the fault rule that made an answer,
// the stubs that nearly matched, and the response as it was sent. When a
// step's expectation about an answer fails against a fakeidp (in process,
// or a running one, where the scenario's sandbox has its own journal), the
// failure message carries that. The real providers keep no such journal.

// journalEntry is what explains an answer in an entry of
// GET /_fakeidp/journal.
type journalEntry struct {
	Method string `json:"method"`
	Status int    `json:"status"`
	Reason *struct {
		Code    string `json:"code"`
		Message string `json:"message"`
	} `json:"reason"`
	Fault *struct {
		ID     string `json:"id"`
		Preset string `json:"preset"`
	} `json:"fault"`
	NearMisses []struct {
		ID      string   `json:"id"`
		Method  string   `json:"method"`
		Path    string   `json:"path"`
		Differs []string `json:"differs"`
	} `json:"near_misses"`
	Response *struct {
		Body      string `json:"body"`
		Truncated bool   `json:"truncated"`
	} `json:"response"`
}

// journalWait bounds how long explain waits for the entry: the server
// journals a request once its handler returns, which may be just after
// the client has read the answer.
const journalWait = time.Second

// explain is what the fakeidp's journal says of the answer ex, as lines
// to add to a failure message; "" when there is nothing to add: the target
// is a real provider, the request went to no site of the fake, the entry
// is not (or no longer) in the journal, or the answer was no refusal.
func (s *Steps) explain(ex *exchange) string {
	if s.cfg.Kind() == Real || ex.err != nil {
		return ""
	}
	name, path, ok := s.target.siteOf(ex.url)
	if !ok {
		return ""
	}
	e := s.journalEntryFor(name, path, ex)
	if e == nil || (e.Reason == nil && e.Fault == nil) {
		return ""
	}
	return e.describe()
}

// journalEntryFor finds the newest entry for a request like ex's, asking
// again for up to journalWait while it is not there yet. The scenario's
// server or sandbox is its own, and its steps run one at a time, so the
// newest such entry is ex's.
func (s *Steps) journalEntryFor(name, path string, ex *exchange) *journalEntry {
	ctx, cancel := context.WithTimeout(context.Background(), journalWait+s.timeout)
	defer cancel()
	q := url.Values{"site": {name}, "path": {path}, "limit": {"20"}}
	for deadline := time.Now().Add(journalWait); ; {
		got, err := s.control(ctx, http.MethodGet, "/_fakeidp/journal?"+q.Encode(), "")
		if err != nil || got.err != nil || got.status != http.StatusOK {
			return nil
		}
		var list struct {
			Size    int            `json:"size"`
			Entries []journalEntry `json:"entries"`
		}
		if json.Unmarshal(got.body, &list) != nil || list.Size == 0 {
			return nil
		}
		for i, e := range list.Entries {
			if e.Method == ex.method && e.Status == ex.status {
				return &list.Entries[i]
			}
		}
		if time.Now().After(deadline) {
			return nil
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// describe writes the entry's explanation for a failure message.
func (e *journalEntry) describe() string {
	var b strings.Builder
	b.WriteString("\nfakeidp's journal says why:")
	if e.Reason != nil {
		fmt.Fprintf(&b, "\n  reason %s: %s", e.Reason.Code, e.Reason.Message)
	}
	if e.Fault != nil {
		fmt.Fprintf(&b, "\n  made by fault rule %s", e.Fault.ID)
		if e.Fault.Preset != "" {
			fmt.Fprintf(&b, " of preset %s", e.Fault.Preset)
		}
	}
	for i, m := range e.NearMisses {
		if i == 0 {
			b.WriteString("\n  no stub answered; the closest:")
		}
		fmt.Fprintf(&b, "\n    %s %s %s differs in %s", m.ID, m.Method, m.Path, strings.Join(m.Differs, ", "))
	}
	switch {
	case e.Response == nil:
	case e.Response.Body == "":
		b.WriteString("\n  response body as sent: empty")
	default:
		fmt.Fprintf(&b, "\n  response body as sent: %s", snippetOf([]byte(e.Response.Body), 1000))
		if e.Response.Truncated {
			b.WriteString(" (the journal keeps its first 8 KiB)")
		}
	}
	return b.String()
}

// siteOf finds which of the fake's sites a request URL went to, and the
// path below the site's base, as the journal records it.
func (t *target) siteOf(rawURL string) (name, path string, ok bool) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "", "", false
	}
	for _, st := range site.All {
		base, err := t.siteURL(st.Name)
		if err != nil {
			continue
		}
		b, err := url.Parse(base)
		if err != nil || b.Scheme != u.Scheme || !strings.EqualFold(b.Host, u.Host) {
			continue
		}
		prefix := strings.TrimSuffix(b.Path, "/")
		if rest, found := strings.CutPrefix(u.Path, prefix); found && (rest == "" || rest[0] == '/') {
			if rest == "" {
				rest = "/"
			}
			return st.Name, rest, true
		}
	}
	return "", "", false
}
