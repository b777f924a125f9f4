package scenarios_test

import (
	"bytes"
	"io/fs"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/config"
	"github.com/fakeidp/fakeidp/features"
	"github.com/fakeidp/fakeidp/scenarios"
)

// TestRealTargetMode runs the contract in the real-provider mode against
// one fakeidp's sites, shared by every scenario as a real test stand is:
// @fake scenarios are left out and the HS256 check is skipped; the SMS
// scenarios are skipped without an SMS code and pass with one. The SMS
// resend throttle is cut to 1 s so that the steps' wait for it is short.
func TestRealTargetMode(t *testing.T) {
	t.Parallel()
	def, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	fixtures := *def
	fixtures.Doktornarabote.ResendInterval = config.Duration(time.Second)
	srv := fakeidp.StartTest(t, fakeidp.Options{Config: &fixtures})
	cfg := scenarios.Config{Sites: srv.SiteURLs()}

	report := runReal(t, cfg, features.FS, "~@doktornarabote")
	if strings.Contains(report, "@fake") || strings.Contains(report, "fake's") {
		t.Error("a @fake scenario ran against a real target")
	}

	login, err := fs.ReadFile(features.FS, "doktornarabote/phone_login.feature")
	if err != nil {
		t.Fatal(err)
	}
	one := fstest.MapFS{"phone_login.feature": {Data: login}}
	if report := runReal(t, cfg, one, ""); !strings.Contains(report, "skipped") {
		t.Errorf("without FAKEIDP_REAL_DOKTORNARABOTE_SMS_CODE the SMS scenarios should be skipped:\n%s", report)
	}

	cfg.SMSCode = "7654" // the seed phone's code
	if report := runReal(t, cfg, features.FS, "@doktornarabote"); strings.Contains(report, "skipped") {
		t.Errorf("with an SMS code no scenario should be skipped:\n%s", report)
	}
}

func runReal(t *testing.T, cfg scenarios.Config, fsys fs.FS, tags string) string {
	t.Helper()
	var out bytes.Buffer
	status := scenarios.Run(cfg, fsys, scenarios.RunOptions{Seed: 3, Output: &out, Format: "pretty", Tags: tags})
	if status != 0 {
		t.Fatalf("tags %q: status %d\n%s", tags, status, out.String())
	}
	return out.String()
}
