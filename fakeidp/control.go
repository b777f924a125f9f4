package fakeidp

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/mux"

	"github.com/fakeidp/fakeidp/fakeidp/internal/controljson"
	"github.com/fakeidp/fakeidp/fakeidp/internal/route"
	"github.com/fakeidp/fakeidp/fakeidp/internal/strictjson"
)

// mountEndpoints serves the fake's own API under /_fakeidp/. Sites never
// gain paths of their own for it. With a control token set, every call
// needs "Authorization: Bearer <token>"; the sites stay open.
func (s *Instance) mountEndpoints(r route.Router) {
	r.HandleFunc("/", s.index, http.MethodGet, http.MethodHead)
	r.HandleFunc("/health", s.health, http.MethodGet, http.MethodHead)
	r.HandleFunc("/reset", s.resetEndpoint, http.MethodPost)
	r.HandleFunc("/clock", s.clockGet, http.MethodGet)
	r.HandleFunc("/clock", s.clockPost, http.MethodPost)
	r.HandleFunc("/keys", s.keysGet, http.MethodGet)
	r.HandleFunc("/keys/rotate", s.keysRotate, http.MethodPost)
	r.HandleFunc("/presets", s.presetsGet, http.MethodGet)
	r.HandleFunc("/presets/{name}", s.presetEnable, http.MethodPost)
	r.HandleFunc("/presets/{name}", s.presetDisable, http.MethodDelete)
}

// allowedMethods lists the methods router would accept on req's path.
func allowedMethods(router *mux.Router, req *http.Request) []string {
	var allowed []string
	for _, m := range []string{http.MethodGet, http.MethodHead, http.MethodPost, http.MethodPut, http.MethodPatch, http.MethodDelete} {
		if m == req.Method {
			continue
		}
		probe := req.Clone(req.Context())
		probe.Method = m
		var match mux.RouteMatch
		if router.Match(probe, &match) && match.MatchErr == nil {
			allowed = append(allowed, m)
		}
	}
	return allowed
}

// controlMiddleware caps the body and keeps the server alive whatever a
// handler does. controlGuard has admitted the request before.
func controlMiddleware(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				log.Error("panic in control API", "path", r.URL.Path, "panic", v)
				writeControlError(w, http.StatusInternalServerError, "internal error")
			}
		}()
		r.Body = http.MaxBytesReader(w, r.Body, controljson.MaxBody)
		next.ServeHTTP(w, r)
	})
}

// controlEndpoints is what GET /_fakeidp/ lists, so the API can be found
// from a terminal without the README.
var controlEndpoints = []string{
	"GET /_fakeidp/health", "GET /_fakeidp/ca.pem", "POST /_fakeidp/reset",
	"POST|GET|DELETE /_fakeidp/faults", "GET|DELETE /_fakeidp/faults/{id}",
	"GET /_fakeidp/presets", "POST|DELETE /_fakeidp/presets/{name}",
	"GET|POST /_fakeidp/clock", "GET /_fakeidp/keys", "POST /_fakeidp/keys/rotate",
	"POST|GET|DELETE /_fakeidp/stubs", "GET|DELETE /_fakeidp/stubs/{id}",
	"GET|DELETE /_fakeidp/journal", "GET /_fakeidp/journal/stream", "GET|DELETE /_fakeidp/sms", "GET /_fakeidp/livedigital/",
	"GET /_fakeidp/ui",
}

func (s *Instance) index(w http.ResponseWriter, r *http.Request) {
	controljson.Write(w, http.StatusOK, map[string]any{
		"sites": s.siteURLsFor(r), "presets": s.PresetNames(), "endpoints": s.endpoints,
	})
}

// health lists the sites' URLs through the listener the request came in
// by, at its listen address, as the startup banner gives them: a health
// check tells where the server listens, whatever name reached it.
func (s *Instance) health(w http.ResponseWriter, r *http.Request) {
	controljson.Write(w, http.StatusOK, map[string]any{"status": "ok", "sites": s.listenerSiteURLs(r.TLS != nil)})
}

func (s *Instance) resetEndpoint(w http.ResponseWriter, _ *http.Request) {
	s.Reset()
	controljson.Write(w, http.StatusOK, map[string]any{"status": "reset"})
}

type clockState struct {
	Now    string `json:"now"`
	Offset string `json:"offset"`
}

func (s *Instance) clockState() clockState {
	c := s.env.Clock
	return clockState{Now: c.Now().UTC().Format(time.RFC3339Nano), Offset: c.Offset().String()}
}

func (s *Instance) clockGet(w http.ResponseWriter, _ *http.Request) {
	controljson.Write(w, http.StatusOK, s.clockState())
}

// clockPost moves the clock: {"advance":"25h"}, {"set":"2030-01-01T00:00:00Z"}
// or {"reset":true}, exactly one of them.
func (s *Instance) clockPost(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Advance *string `json:"advance"`
		Set     *string `json:"set"`
		Reset   bool    `json:"reset"`
	}
	if !decodeControl(w, r, &req) {
		return
	}
	n := 0
	for _, given := range []bool{req.Advance != nil, req.Set != nil, req.Reset} {
		if given {
			n++
		}
	}
	if n != 1 {
		writeControlError(w, http.StatusBadRequest, `give exactly one of "advance" (a duration such as "25h"), "set" (an RFC 3339 time) or "reset": true`)
		return
	}
	switch {
	case req.Advance != nil:
		d, err := time.ParseDuration(*req.Advance)
		if err != nil {
			writeControlError(w, http.StatusBadRequest, fmt.Sprintf("advance: %q is not a duration such as \"25h\" or \"90s\"", truncate(*req.Advance, 40)))
			return
		}
		s.env.Clock.Advance(d)
	case req.Set != nil:
		t, err := time.Parse(time.RFC3339Nano, *req.Set)
		if err != nil {
			writeControlError(w, http.StatusBadRequest, fmt.Sprintf("set: %q is not an RFC 3339 time such as \"2030-01-01T00:00:00Z\"", truncate(*req.Set, 40)))
			return
		}
		s.env.Clock.Set(t)
	default:
		s.env.Clock.Reset()
	}
	controljson.Write(w, http.StatusOK, s.clockState())
}

func (s *Instance) keysGet(w http.ResponseWriter, _ *http.Request) {
	ids := s.env.Keys.KeyIDs()
	controljson.Write(w, http.StatusOK, map[string]any{"signing": ids[0], "published": ids})
}

// keysRotate makes a new key sign; {"keep_old": false} also drops the old
// keys from the JWKS, so tokens they signed stop verifying.
func (s *Instance) keysRotate(w http.ResponseWriter, r *http.Request) {
	req := struct {
		KeepOld *bool `json:"keep_old"`
	}{}
	if !decodeControl(w, r, &req) {
		return
	}
	keep := req.KeepOld == nil || *req.KeepOld
	if _, err := s.RotateKeys(keep); err != nil {
		writeControlError(w, http.StatusInternalServerError, "key rotation failed")
		return
	}
	s.keysGet(w, r)
}

func (s *Instance) presetsGet(w http.ResponseWriter, _ *http.Request) {
	controljson.Write(w, http.StatusOK, s.Presets())
}

func (s *Instance) presetEnable(w http.ResponseWriter, r *http.Request) {
	name := mux.Vars(r)["name"]
	rules, err := s.EnablePreset(name)
	if err != nil {
		writeControlError(w, http.StatusBadRequest, err.Error())
		return
	}
	controljson.Write(w, http.StatusCreated, map[string]any{"preset": name, "rules": rules})
}

// presetDisable removes the rules a preset added, so a dashboard can
// toggle it: 200 {"preset":…,"removed":N}, 404 for an unknown preset.
func (s *Instance) presetDisable(w http.ResponseWriter, r *http.Request) {
	name := mux.Vars(r)["name"]
	removed, err := s.DisablePreset(name)
	if err != nil {
		writeControlError(w, http.StatusNotFound, err.Error())
		return
	}
	controljson.Write(w, http.StatusOK, map[string]any{"preset": name, "removed": removed})
}

// decodeControl reads a JSON object strictly (strictjson.Decode), or
// answers the error and returns false. An empty body is an empty object,
// so that {"keep_old"} style options may be left out.
func decodeControl(w http.ResponseWriter, r *http.Request, v any) bool {
	body, status, err := controljson.ReadBody(w, r)
	if err != nil {
		writeControlError(w, status, err.Error())
		return false
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return true
	}
	if err := strictjson.Decode(body, v); err != nil {
		writeControlError(w, http.StatusBadRequest, "body: want a JSON object: "+err.Error())
		return false
	}
	return true
}

func writeControlError(w http.ResponseWriter, status int, msg string) {
	controljson.Error(w, status, msg)
}

func truncate(s string, n int) string {
	if len(s) > n {
		s = s[:n] + "…"
	}
	return strings.ToValidUTF8(s, "?")
}
