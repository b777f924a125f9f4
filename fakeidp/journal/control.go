package journal

import (
	"net/http"
	"strconv"

	"github.com/fakeidp/fakeidp/fakeidp/internal/controljson"
	"github.com/fakeidp/fakeidp/fakeidp/internal/route"
)

// MountControl adds the journal endpoints to the control router it is given
// (the /_fakeidp subrouter):
//
//	GET    /journal?site=&path=&client_id=&reason=&status=&limit=
//	                                               {"size":N,"entries":[…]}, newest first
//	DELETE /journal                                204, every entry forgotten
//	GET    /journal/stream?limit=                  Server-Sent Events (see handleStream)
//
// reason is a reason code (docs/explain.md); status an exact status (401)
// or a class (4xx). A bad limit or status gets a 400 {"error":"…"}.
func (j *Journal) MountControl(r route.Router) {
	r.HandleFunc("/journal", j.handleList, http.MethodGet, http.MethodHead)
	r.HandleFunc("/journal", j.handleClear, http.MethodDelete)
	r.HandleFunc("/journal/stream", j.handleStream, http.MethodGet)
}

type listing struct {
	// Size is the ring's capacity; 0 means the journal is off.
	Size    int     `json:"size"`
	Entries []Entry `json:"entries"`
}

func (j *Journal) handleList(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := Filter{Site: q.Get("site"), Path: q.Get("path"), ClientID: q.Get("client_id"), Reason: q.Get("reason")}
	if s := q.Get("status"); s != "" {
		var ok bool
		if f.Status, f.StatusClass, ok = parseStatus(s); !ok {
			controljson.Error(w, http.StatusBadRequest, "status: want a status such as 401, or a class such as 4xx")
			return
		}
	}
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
	controljson.Error(w, http.StatusBadRequest, "limit: want a whole number of entries, 0 or more")
}

func (j *Journal) handleClear(w http.ResponseWriter, _ *http.Request) {
	j.Clear()
	controljson.NoContent(w)
}

// parseStatus reads "401" as an exact status and "4xx" as a class.
func parseStatus(s string) (status, class int, ok bool) {
	if len(s) == 3 && (s[1] == 'x' || s[1] == 'X') && (s[2] == 'x' || s[2] == 'X') && '1' <= s[0] && s[0] <= '5' {
		return 0, int(s[0] - '0'), true
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 100 || n > 599 {
		return 0, 0, false
	}
	return n, 0, true
}
