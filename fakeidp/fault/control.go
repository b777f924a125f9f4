package fault

import (
	"encoding/json"
	"errors"
	"github.com/fakeidp/fakeidp/fakeidp/internal/route"
	"net/http"

	"github.com/gorilla/mux"

	"github.com/fakeidp/fakeidp/fakeidp/internal/controljson"
)

// MountControl adds the fault endpoints to the control router it is given
// (the /_fakeidp subrouter):
//
//	POST   /faults       one rule, or {"rules":[…]}: 201 with the stored rule(s)
//	GET    /faults       {"rules":[…]} with their seen/fired counters
//	GET    /faults/{id}  one rule, 404 when unknown
//	DELETE /faults/{id}  204, 404 when unknown
//	DELETE /faults       204, every rule removed
//
// Bad input gets a 4xx with {"error":"…","problems":[…]}, never a 5xx.
func (e *Engine) MountControl(r route.Router) {
	r.HandleFunc("/faults", e.handleAdd, http.MethodPost)
	r.HandleFunc("/faults", e.handleList, http.MethodGet, http.MethodHead)
	r.HandleFunc("/faults", e.handleClear, http.MethodDelete)
	r.HandleFunc("/faults/{id}", e.handleGet, http.MethodGet, http.MethodHead)
	r.HandleFunc("/faults/{id}", e.handleDelete, http.MethodDelete)
}

type ruleList struct {
	Rules []Rule `json:"rules"`
}

func (e *Engine) handleAdd(w http.ResponseWriter, r *http.Request) {
	body, status, err := controljson.ReadBody(w, r)
	if err != nil {
		controljson.Error(w, status, err.Error())
		return
	}
	rules, list, err := DecodeJSON(body)
	if err == nil {
		for i := range rules {
			rules[i].Preset = "" // only enabling a preset names one
		}
		rules, err = e.AddChecked(Checked{rules}) // DecodeJSON validated them
	}
	var pe *ProblemsError
	switch {
	case errors.As(err, &pe):
		controljson.Error(w, http.StatusBadRequest, "invalid fault rule", pe.Problems...)
	case err != nil:
		controljson.Error(w, http.StatusBadRequest, err.Error())
	case list:
		controljson.Write(w, http.StatusCreated, ruleList{Rules: rules})
	default:
		controljson.Write(w, http.StatusCreated, rules[0])
	}
}

func (e *Engine) handleList(w http.ResponseWriter, _ *http.Request) {
	controljson.WriteList(w, http.StatusOK, "rules", e.List())
}

func (e *Engine) handleGet(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	if rule, ok := e.Get(id); ok {
		controljson.Write(w, http.StatusOK, rule)
		return
	}
	controljson.Error(w, http.StatusNotFound, "no fault rule "+quoteID(id))
}

func (e *Engine) handleDelete(w http.ResponseWriter, r *http.Request) {
	id := mux.Vars(r)["id"]
	if !e.Delete(id) {
		controljson.Error(w, http.StatusNotFound, "no fault rule "+quoteID(id))
		return
	}
	controljson.NoContent(w)
}

func (e *Engine) handleClear(w http.ResponseWriter, _ *http.Request) {
	e.Clear()
	controljson.NoContent(w)
}

// quoteID echoes an id back cut short, so a huge path is not reflected.
func quoteID(id string) string {
	if len(id) > 40 {
		id = id[:40] + "…"
	}
	b, _ := json.Marshal(id)
	return string(b)
}
