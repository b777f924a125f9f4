package livedigital

import (
	"encoding/json"
	"errors"
	"github.com/fakeidp/fakeidp/fakeidp/internal/route"
	"maps"
	"net/http"
	"slices"
	"strings"

	"github.com/gorilla/mux"

	"github.com/fakeidp/fakeidp/fakeidp/internal/controljson"
	"github.com/fakeidp/fakeidp/fakeidp/internal/htmlpage"
	"github.com/fakeidp/fakeidp/fakeidp/oauth"
	"github.com/fakeidp/fakeidp/fakeidp/site"
)

// MountControl serves the cabinet under the control API (r is the
// /_fakeidp subrouter). The user is named by email in the path: the fake's
// control API is for test code, which has no browser session to log in
// with. Every answer is JSON, errors as {"error","message"}. The control
// API's own middleware checks the control token and caps bodies.
//
//	GET    /livedigital/                                      the HTML cabinet page
//	GET    /livedigital/cabinet.css, /livedigital/cabinet.js  its style and script
//	GET    /livedigital/users                                 every user's email
//	GET    /livedigital/users/{email}                         the user's cabinet
//	POST   /livedigital/users/{email}/clients                 generate a clientId
//	POST   /livedigital/users/{email}/clients/{id}/secret     regenerate its secret
//	GET    /livedigital/users/{email}/personal-tokens         list (id, createdAt)
//	POST   /livedigital/users/{email}/personal-tokens         create; the value is shown once
//	DELETE /livedigital/users/{email}/personal-tokens/{id}    delete
//	PUT    /livedigital/users/{email}/password                {"password":"…"}
func (s *Site) MountControl(r route.Router) {
	r.HandleFunc("/livedigital", redirectToPage)
	r.HandleFunc("/livedigital/", s.page)
	r.HandleFunc("/livedigital/cabinet.css", htmlpage.Asset("text/css; charset=utf-8", cabinetCSS))
	r.HandleFunc("/livedigital/cabinet.js", htmlpage.Asset("text/javascript; charset=utf-8", cabinetJS))
	routes := map[string]map[string]cabinetOp{
		"/users":                              {http.MethodGet: s.listUsers},
		"/users/{email}":                      {http.MethodGet: s.showCabinet},
		"/users/{email}/clients":              {http.MethodPost: s.generateClient},
		"/users/{email}/clients/{id}/secret":  {http.MethodPost: s.regenerateSecret},
		"/users/{email}/personal-tokens":      {http.MethodGet: s.listPersonal, http.MethodPost: s.createPersonal},
		"/users/{email}/personal-tokens/{id}": {http.MethodDelete: s.deletePersonal},
		"/users/{email}/password":             {http.MethodPut: s.setPassword, http.MethodPost: s.setPassword},
	}
	// In a fixed order: every instance's routes must line up with the
	// ones its host compiled.
	for _, path := range slices.Sorted(maps.Keys(routes)) {
		r.HandleFunc("/livedigital"+path, s.cabinetHandler(routes[path]))
	}
}

// cabinetOp is one cabinet operation: it returns the status and body to
// send, or an error that cabinetHandler renders.
type cabinetOp func(r *http.Request) (int, any, error)

// controlError is a cabinet API error.
type controlError struct {
	Status  int    `json:"-"`
	Code    string `json:"error"`
	Message string `json:"message"`
}

func (e *controlError) Error() string { return e.Code + ": " + e.Message }

// cabinetHandler dispatches on the method, so that a wrong one gets a JSON
// 405 rather than the router's empty one, and renders errors.
func (s *Site) cabinetHandler(byMethod map[string]cabinetOp) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		op, ok := byMethod[r.Method]
		if !ok {
			allowed := make([]string, 0, len(byMethod))
			for m := range byMethod {
				allowed = append(allowed, m)
			}
			w.Header().Set("Allow", strings.Join(allowed, ", "))
			ce := &controlError{Code: "method_not_allowed", Message: "use " + strings.Join(allowed, " or ")}
			site.Refuse(r, ce.Code, r.Method+" "+r.URL.Path+": "+ce.Message)
			writeControl(w, http.StatusMethodNotAllowed, ce)
			return
		}
		status, body, err := op(r)
		if err != nil {
			ce := asControlError(err)
			site.Refuse(r, ce.Code, ce.Message) // a cabinet's refusals say why on the wire already
			writeControl(w, ce.Status, ce)
			return
		}
		writeControl(w, status, body)
	}
}

// asControlError maps the cabinet's errors to statuses.
func asControlError(err error) *controlError {
	var ce *controlError
	var oe *oauth.Error
	switch {
	case errors.As(err, &ce):
		return ce
	case errors.As(err, &oe) && oe.Status == http.StatusRequestEntityTooLarge:
		// Named as the rest of the control API names its one cap.
		return &controlError{Status: oe.Status, Code: oe.Code, Message: controljson.TooLarge}
	case errors.As(err, &oe):
		return &controlError{Status: oe.Status, Code: oe.Code, Message: oe.Description}
	case errors.Is(err, ErrNoUser), errors.Is(err, ErrNoClient), errors.Is(err, ErrNoPersonalToken):
		return &controlError{Status: http.StatusNotFound, Code: "not_found", Message: err.Error()}
	}
	return &controlError{Status: http.StatusInternalServerError, Code: "server_error", Message: "internal error"}
}

// writeControl answers as the rest of the control API does.
func writeControl(w http.ResponseWriter, status int, body any) {
	if status == http.StatusNoContent {
		controljson.NoContent(w)
		return
	}
	controljson.Write(w, status, body)
}

func redirectToPage(w http.ResponseWriter, r *http.Request) {
	// Relative, so that a sandbox's cabinet redirects to its own page.
	w.Header().Set("Cache-Control", "no-store")
	route.RelativeRedirect(w, "livedigital/", http.StatusFound)
}

func (s *Site) listUsers(*http.Request) (int, any, error) {
	return http.StatusOK, map[string]any{"users": s.Users()}, nil
}

func (s *Site) showCabinet(r *http.Request) (int, any, error) {
	v, err := s.Cabinet(mux.Vars(r)["email"])
	return http.StatusOK, v, err
}

func (s *Site) generateClient(r *http.Request) (int, any, error) {
	if err := s.emptyBody(r); err != nil {
		return 0, nil, err
	}
	v, err := s.GenerateClient(mux.Vars(r)["email"])
	return http.StatusCreated, v, err
}

func (s *Site) regenerateSecret(r *http.Request) (int, any, error) {
	if err := s.emptyBody(r); err != nil {
		return 0, nil, err
	}
	vars := mux.Vars(r)
	v, err := s.RegenerateSecret(vars["email"], vars["id"])
	return http.StatusOK, v, err
}

func (s *Site) listPersonal(r *http.Request) (int, any, error) {
	v, err := s.PersonalTokens(mux.Vars(r)["email"])
	return http.StatusOK, map[string]any{"items": v}, err
}

func (s *Site) createPersonal(r *http.Request) (int, any, error) {
	if err := s.emptyBody(r); err != nil {
		return 0, nil, err
	}
	v, err := s.CreatePersonalToken(mux.Vars(r)["email"])
	return http.StatusCreated, v, err
}

func (s *Site) deletePersonal(r *http.Request) (int, any, error) {
	vars := mux.Vars(r)
	return http.StatusNoContent, nil, s.DeletePersonalToken(vars["email"], vars["id"])
}

func (s *Site) setPassword(r *http.Request) (int, any, error) {
	var body struct {
		Password string `json:"password"`
	}
	if e := readJSON(r, controljson.MaxBody, &body); e != nil {
		return 0, nil, e
	}
	if body.Password == "" {
		return 0, nil, &controlError{Status: http.StatusBadRequest, Code: "invalid_request", Message: "password is required"}
	}
	return http.StatusNoContent, nil, s.SetPassword(mux.Vars(r)["email"], body.Password)
}

// emptyBody accepts a request with no body, or a JSON object (whose
// content these operations ignore): "JSON in" without forcing callers to
// send {} for a button press.
func (s *Site) emptyBody(r *http.Request) error {
	body, e := oauth.ReadBody(r, controljson.MaxBody)
	if e != nil {
		return e
	}
	if len(strings.TrimSpace(string(body))) == 0 {
		return nil
	}
	if mt := oauth.MediaType(r); mt != "application/json" {
		return oauth.InvalidRequest("Content-Type must be application/json")
	}
	var ignored map[string]json.RawMessage
	if e := decodeObject(body, &ignored); e != nil {
		return e
	}
	return nil
}
