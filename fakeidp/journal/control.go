package journal

import (
	"net/http"
	"strconv"

	"github.com/gorilla/mux"

	"github.com/fakeidp/fakeidp/fakeidp/internal/controljson"
)

// MountControl adds the journal endpoints to the control router it is given
// (the /_fakeidp subrouter):
//
//	GET    /journal?site=&path=&client_id=&limit=  {"size":N,"entries":[…]}, newest first
//	DELETE /journal                                204, every entry forgotten
//	GET    /journal/stream?limit=                  Server-Sent Events (see handleStream)
//
// A bad limit gets a 400 {"error":"…"}.
func (j *Journal) MountControl(r *mux.Router) {
	r.HandleFunc("/journal", j.handleList).Methods(http.MethodGet, http.MethodHead)
	r.HandleFunc("/journal", j.handleClear).Methods(http.MethodDelete)
	r.HandleFunc("/journal/stream", j.handleStream).Methods(http.MethodGet)
}

type listing struct {
	// Size is the ring's capacity; 0 means the journal is off.
	Size    int     `json:"size"`
	Entries []Entry `json:"entries"`
}

func (j *Journal) handleList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := Filter{Site: q.Get("site"), Path: q.Get("path"), ClientID: q.Get("client_id")}
	if s := q.Get("limit"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil || n < 0 {
			writeBadLimit(w)
			return
		}
		f.Limit = n
	}
	controljson.Write(w, http.StatusOK, listing{Size: j.Size(), Entries: j.List(f)})
}

func writeBadLimit(w http.ResponseWriter) {
	controljson.Write(w, http.StatusBadRequest, map[string]string{
		"error": "limit: want a whole number of entries, 0 or more"})
}

func (j *Journal) handleClear(w http.ResponseWriter, _ *http.Request) {
	j.Clear()
	controljson.NoContent(w)
}
