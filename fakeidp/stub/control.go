package stub

import (
	"errors"
	"github.com/fakeidp/fakeidp/fakeidp/internal/route"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/fakeidp/fakeidp/fakeidp/internal/budget"
	"github.com/fakeidp/fakeidp/fakeidp/internal/controljson"
)

// MountControl adds the stub endpoints to the control router it is given
// (the /_fakeidp subrouter):
//
//	POST   /stubs       one stub, or {"stubs":[…]}: 201 with the stored stub(s) and their ids
//	GET    /stubs       {"stubs":[…]} in order of addition, streamed
//	GET    /stubs/{id}  one stub, 404 when unknown
//	DELETE /stubs/{id}  204, 404 when unknown
//	DELETE /stubs       204, every stub removed (reset brings the fixtures' back)
//
// Bad input gets a 4xx with {"error":"…","problems":[…]}, never a 5xx but
// one: a POST beyond the host's server.max_state_bytes gets 507 with an
// error that names the bound.
func (s *Set) MountControl(r route.Router) {
	r.HandleFunc("/stubs", s.handleAdd, http.MethodPost)
	r.HandleFunc("/stubs", s.handleList, http.MethodGet, http.MethodHead)
	r.HandleFunc("/stubs", s.handleClear, http.MethodDelete)
	r.HandleFunc("/stubs/{id}", s.handleGet, http.MethodGet, http.MethodHead)
	r.HandleFunc("/stubs/{id}", s.handleDelete, http.MethodDelete)
}

type stubList struct {
	Stubs []Stub `json:"stubs"`
}

func (s *Set) handleAdd(w http.ResponseWriter, r *http.Request) {
	body, status, err := controljson.ReadBody(w, r)
	if err != nil {
		controljson.Error(w, status, err.Error())
		return
	}
	stubs, list, err := decodeJSON(body, s.invalid)
	if err == nil {
		stubs, err = s.Add(stubs...)
	}
	var pe *ProblemsError
	var full *budget.ExceededError
	switch {
	case errors.As(err, &full):
		// 507: the request is fine, the server has no room for it.
		controljson.Error(w, http.StatusInsufficientStorage, err.Error())
	case errors.As(err, &pe):
		controljson.Error(w, http.StatusBadRequest, "invalid stub", pe.Problems...)
	case err != nil:
		controljson.Error(w, http.StatusBadRequest, err.Error())
	case list:
		controljson.Write(w, http.StatusCreated, stubList{Stubs: stubs})
	default:
		controljson.Write(w, http.StatusCreated, stubs[0])
	}
}

// handleList streams the list, one stub encoded at a time: 5,000 stubs
// of 64 KiB are 320 MB, which the answer must not hold twice over.
func (s *Set) handleList(w http.ResponseWriter, _ *http.Request) {
	controljson.WriteList(w, http.StatusOK, "stubs", s.List())
}

func (s *Set) handleGet(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	if st, ok := s.Get(id); ok {
		controljson.Write(w, http.StatusOK, st)
		return
	}
	controljson.Error(w, http.StatusNotFound, "no stub "+quote(id))
}

func (s *Set) handleDelete(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	if !s.Delete(id) {
		controljson.Error(w, http.StatusNotFound, "no stub "+quote(id))
		return
	}
	controljson.NoContent(w)
}

func (s *Set) handleClear(w http.ResponseWriter, _ *http.Request) {
	s.Clear()
	controljson.NoContent(w)
}
