package fakeidp_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// presetEnabled reads a preset's "enabled" from GET /_fakeidp/presets.
func presetEnabled(t *testing.T, srv *fakeidp.Server, name string) bool {
	t.Helper()
	for _, p := range srv.Presets() {
		if p.Name == name {
			return p.Enabled
		}
	}
	t.Fatalf("no preset %s", name)
	return false
}

// A preset is a toggle: DELETE /_fakeidp/presets/{name} takes back the rules
// POST added, however often, and GET /presets tells which are on.
func TestPresetToggle(t *testing.T) {
	t.Parallel()
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	const name = "kontur-invalid-client"
	if presetEnabled(t, srv, name) {
		t.Fatal("enabled before anything enabled it")
	}
	// A rule of the user's own stays through the toggling.
	if code, body := control(t, srv, http.MethodPost, "/faults", `{"match":{"site":"livedigital"},"effect":{"type":"hang"}}`); code != http.StatusCreated {
		t.Fatalf("POST /faults: %d %v", code, body)
	}
	for range 2 {
		if code, body := control(t, srv, http.MethodPost, "/presets/"+name, ""); code != http.StatusCreated {
			t.Fatalf("enable: %d %v", code, body)
		}
	}
	if !presetEnabled(t, srv, name) {
		t.Fatal("not enabled after POST")
	}
	if _, err := mediConfig(srv).Token(context.Background()); err == nil {
		t.Fatal("the enabled preset let a token through")
	}
	code, body := control(t, srv, http.MethodDelete, "/presets/"+name, "")
	if code != http.StatusOK || body["removed"] != float64(2) {
		t.Fatalf("disable: %d %v, want 200 with both rules removed", code, body)
	}
	if presetEnabled(t, srv, name) {
		t.Error("still enabled after DELETE")
	}
	if _, err := mediConfig(srv).Token(context.Background()); err != nil {
		t.Errorf("after disabling: %v", err)
	}
	if n := len(srv.Faults().List()); n != 1 {
		t.Errorf("%d rules left, want the user's own one", n)
	}
	if code, _ := control(t, srv, http.MethodDelete, "/presets/no-such", ""); code != http.StatusNotFound {
		t.Errorf("unknown preset: %d, want 404", code)
	}
}

// Startup presets are enabled again after a reset, and can be toggled off.
func TestStartupPresetToggleAfterReset(t *testing.T) {
	t.Parallel()
	const name = "kontur-invalid-client"
	srv := fakeidp.StartTest(t, fakeidp.Options{Presets: []string{name, "doktornarabote-sms-limit"}})
	srv.Reset()
	if !presetEnabled(t, srv, name) || !presetEnabled(t, srv, "doktornarabote-sms-limit") {
		t.Fatal("startup presets not enabled after reset")
	}
	if n, err := srv.DisablePreset(name); err != nil || n != 1 {
		t.Fatalf("DisablePreset = %d, %v", n, err)
	}
	if _, err := mediConfig(srv).Token(context.Background()); err != nil {
		t.Errorf("after disabling: %v", err)
	}
	if !presetEnabled(t, srv, "doktornarabote-sms-limit") {
		t.Error("disabling one preset disabled another")
	}
}
