package fakeidp

import (
	"encoding/json"
	"net/http"

	"github.com/gorilla/mux"
)

// mountControl serves the fake's own API under /_fakeidp/. Sites never
// gain paths of their own for it.
func (s *Server) mountControl(r *mux.Router) {
	r.HandleFunc("/health", s.health).Methods(http.MethodGet, http.MethodHead)
}

func (s *Server) health(w http.ResponseWriter, _ *http.Request) {
	writeControlJSON(w, http.StatusOK, map[string]any{"status": "ok", "sites": s.SiteURLs()})
}

func writeControlJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}
