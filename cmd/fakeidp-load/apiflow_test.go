package main

import (
	"testing"
	"time"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// The medi-api flow gets a token, installs its stubs and then every call
// it sends is answered 200 by the stub.
func TestMediAPIFlow(t *testing.T) {
	srv := fakeidp.StartTest(t, fakeidp.Options{})
	f, err := mediAPI(srv.URL(), 450)
	if err != nil {
		t.Fatal(err)
	}
	if n := srv.Stubs().Len(); n != 450 {
		t.Errorf("%d stubs installed, want 450", n)
	}
	res := run(srv.URL()+f.path, f, 2, 5*time.Second, 50)
	if res.ok != 50 || res.failed != 0 {
		t.Fatalf("ok %d, failed %d", res.ok, res.failed)
	}
}
