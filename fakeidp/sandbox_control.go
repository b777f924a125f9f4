package fakeidp

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/fakeidp/fakeidp/fakeidp/internal/budget"
	"github.com/fakeidp/fakeidp/fakeidp/internal/controljson"
	"github.com/fakeidp/fakeidp/fakeidp/internal/problems"
	"github.com/fakeidp/fakeidp/fakeidp/internal/route"
)

// The root's control API manages its sandboxes:
//
//	POST   /_fakeidp/sandboxes       {"fixtures":…,"presets":[…],"ttl":"30m"}, all optional: 201
//	GET    /_fakeidp/sandboxes       {"sandboxes":[…]}, oldest first
//	GET    /_fakeidp/sandboxes/{id}  one sandbox, 404 when unknown
//	DELETE /_fakeidp/sandboxes/{id}  204, 404 when unknown
//
// They sit behind the same guard as every control call (Host, Origin,
// control token, Content-Type), and so does each sandbox's own control
// API: the host's guard.
func (r *sandboxes) mountControl(m route.Router) {
	m.HandleFunc("/sandboxes", r.createEndpoint, http.MethodPost)
	m.HandleFunc("/sandboxes", r.listEndpoint, http.MethodGet, http.MethodHead)
	m.HandleFunc("/sandboxes/{id}", r.getEndpoint, http.MethodGet, http.MethodHead)
	m.HandleFunc("/sandboxes/{id}", r.deleteEndpoint, http.MethodDelete)
}

// sandboxEndpoints are listed by GET /_fakeidp/ on a Server that holds
// sandboxes.
var sandboxEndpoints = []string{"POST|GET /_fakeidp/sandboxes", "GET|DELETE /_fakeidp/sandboxes/{id}"}

// sandboxCreated is the answer to POST /_fakeidp/sandboxes, exactly these
// keys: clients read every URL from it.
type sandboxCreated struct {
	ID        string            `json:"id"`
	Sites     map[string]string `json:"sites"`
	Control   string            `json:"control"`
	ExpiresAt string            `json:"expires_at"`
}

// sandboxView is one sandbox as GET lists it.
type sandboxView struct {
	ID        string `json:"id"`
	Control   string `json:"control"`
	Created   string `json:"created"`
	LastUsed  string `json:"last_used"`
	ExpiresAt string `json:"expires_at"`
}

// view describes sb to the client of req, with URLs on the host it named.
func (sb *sandbox) view(req *http.Request) sandboxView {
	return sandboxView{
		ID: sb.id, Control: sb.in.requestBase(req) + "/_fakeidp", Created: wallTime(sb.created),
		LastUsed: wallTime(time.Unix(0, sb.lastUse.Load())), ExpiresAt: wallTime(sb.expiresAt()),
	}
}

func wallTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func (r *sandboxes) createEndpoint(w http.ResponseWriter, req *http.Request) {
	spec, probs := readSandboxSpec(req)
	var err error
	if len(probs) > 0 {
		if spec.read {
			// Report the overlay's and the presets' problems too.
			_, _, more := r.fixtures(spec)
			probs = append(probs, more...)
		}
		err = invalidSandbox(probs)
	} else {
		var sb *sandbox
		if sb, err = r.create(spec); err == nil {
			// URLs on the host and scheme this request came by: the
			// client reached the server that way.
			w.Header().Set("Location", "/_fakeidp/sandboxes/"+sb.id)
			controljson.Write(w, http.StatusCreated, sandboxCreated{
				ID: sb.id, Sites: sb.in.siteURLsFor(req), Control: sb.in.requestBase(req) + "/_fakeidp", ExpiresAt: wallTime(sb.expiresAt()),
			})
			return
		}
	}
	var pe *problems.Error
	var full *budget.ExceededError
	switch {
	case errors.As(err, &full):
		writeControlError(w, http.StatusInsufficientStorage, err.Error())
	case errors.Is(err, ErrTooManySandboxes):
		w.Header().Set("Retry-After", "60")
		writeControlError(w, http.StatusTooManyRequests, fmt.Sprintf(
			"this fakeidp holds its maximum of %d sandboxes (server.max_sandboxes): delete one (DELETE /_fakeidp/sandboxes/{id}) or wait until one expires",
			r.host.cfg.Server.MaxSandboxes))
	case errors.As(err, &pe):
		controljson.Error(w, http.StatusBadRequest, "invalid sandbox request", pe.Problems...)
	default:
		r.host.log.Error("creating a sandbox failed", "err", err)
		writeControlError(w, http.StatusInternalServerError, "creating the sandbox failed")
	}
}

// readSandboxSpec reads a create request's body, naming every problem.
// An empty body asks for a sandbox with the root's fixtures.
func readSandboxSpec(req *http.Request) (sandboxSpec, problems.List) {
	var spec sandboxSpec
	body, err := io.ReadAll(req.Body) // capped by the control middleware
	if err != nil {
		// A 400 naming the body, as for every other problem of a create
		// request, rather than the control API's usual 413.
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return spec, problems.List{fmt.Sprintf("(body): larger than %d bytes, the control API's limit", mbe.Limit)}
		}
		return spec, problems.List{"(body): could not be read"}
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return spec, nil
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil {
		return spec, problems.List{"(body): want a JSON object: " + strings.TrimPrefix(err.Error(), "json: ")}
	}
	spec.read = true
	var p problems.List
	for _, name := range sortedKeys(fields) {
		raw := fields[name]
		if string(raw) == "null" {
			continue
		}
		if msg := spec.set(name, raw); msg != "" {
			p.Add(name, msg)
		}
	}
	return spec, p
}

// set reads one field of a create request; it returns what is wrong with
// it, or "".
func (spec *sandboxSpec) set(name string, raw json.RawMessage) string {
	switch name {
	case "fixtures":
		var doc string
		switch {
		case raw[0] == '{':
			spec.fixtures = raw
		case json.Unmarshal(raw, &doc) == nil:
			spec.fixtures = []byte(doc) // a YAML document in a string
		default:
			return "want a fixtures overlay: a JSON object, or a string holding YAML"
		}
	case "presets":
		if json.Unmarshal(raw, &spec.presets) != nil {
			return `want a list of preset names, such as ["kontur-invalid-client"]`
		}
	case "ttl":
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return `want a duration such as "30m"`
		}
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 {
			return fmt.Sprintf("%q is not a positive duration such as \"30m\"", truncate(s, 40))
		}
		spec.ttl = d
	default:
		return `unknown field (known: "fixtures", "presets", "ttl")`
	}
	return ""
}

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func (r *sandboxes) listEndpoint(w http.ResponseWriter, req *http.Request) {
	r.sweep()
	views := []sandboxView{}
	for _, sb := range r.list() {
		views = append(views, sb.view(req))
	}
	controljson.WriteList(w, http.StatusOK, "sandboxes", views)
}

// peek finds a live sandbox without counting it as used.
func (r *sandboxes) peek(id string) *sandbox {
	r.mu.RLock()
	sb := r.byID[id]
	r.mu.RUnlock()
	if sb == nil || !r.wall().Before(sb.expiresAt()) {
		return nil
	}
	return sb
}

func (r *sandboxes) getEndpoint(w http.ResponseWriter, req *http.Request) {
	id := mux.Vars(req)["id"]
	if sb := r.peek(id); sb != nil {
		controljson.Write(w, http.StatusOK, sb.view(req))
		return
	}
	writeNoSandbox(w, id)
}

func (r *sandboxes) deleteEndpoint(w http.ResponseWriter, req *http.Request) {
	id := mux.Vars(req)["id"]
	if sb := r.peek(id); sb != nil && r.remove(sb) {
		controljson.NoContent(w)
		return
	}
	writeNoSandbox(w, id)
}
