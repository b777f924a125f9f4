package main

import (
	"net/http"
	"strings"
	"testing"
)

// --explain-header turns the Fakeidp-Reason header on; without it the
// wire is the provider's.
func TestExplainHeaderFlag(t *testing.T) {
	for _, tt := range []struct {
		args []string
		want string
	}{
		{nil, ""},
		{[]string{"--explain-header"}, "unknown_client: "},
	} {
		srv, err := startCLI(t, tt.args...)
		if err != nil {
			t.Fatal(err)
		}
		resp, err := http.Post(srv.SiteURL("kontur")+"/connect/token", "application/x-www-form-urlencoded",
			strings.NewReader("grant_type=client_credentials&client_id=nobody&client_secret=x"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Fakeidp-Reason"); !strings.HasPrefix(got, tt.want) || (tt.want == "") != (got == "") {
			t.Errorf("%v: Fakeidp-Reason %q, want %q…", tt.args, got, tt.want)
		}
	}
}
