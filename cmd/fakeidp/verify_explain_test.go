package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/config"
)

// When the contract fails against a running fakeidp, the report says why
// the fake refused, from the journal of the scenario's sandbox: here the
// fixtures give medi_test_client another secret than the contract's.
func TestVerifyFailureExplainsTheRefusal(t *testing.T) {
	def, err := config.Default()
	if err != nil {
		t.Fatal(err)
	}
	cfg := *def
	cfg.Kontur.Clients = slices.Clone(cfg.Kontur.Clients)
	for i := range cfg.Kontur.Clients {
		if cfg.Kontur.Clients[i].ID == "medi_test_client" {
			cfg.Kontur.Clients[i].Secret = "another-secret"
		}
	}
	srv := fakeidp.StartTest(t, fakeidp.Options{Config: &cfg})
	code, stdout, _ := verify(t, "--url", srv.URL(), "--tags", "@medi-api", "--format", "pretty")
	if code != 1 {
		t.Fatalf("exit %d, want 1 (the medi-api scenarios fail)\n%s", code, stdout)
	}
	for _, want := range []string{"reason client_secret_mismatch: ", `response body as sent: "{\"error\":\"invalid_client\"}"`} {
		if !strings.Contains(stdout, want) {
			t.Errorf("the report lacks %q:\n%s", want, stdout)
		}
	}
	if strings.Contains(stdout, "another-secret") {
		t.Errorf("the report shows the client's secret:\n%s", stdout)
	}
}
