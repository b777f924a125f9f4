package fakeidp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"time"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/fakeidp/fakeidp/fakeidp"
	"github.com/fakeidp/fakeidp/fakeidp/stub"
)

// A medi-api client calls the API with an x/oauth2 client: the stub
// answers while the token lives, and once the fake's clock passes its
// expiry the API refuses the token the client still holds.
func ExampleServer_AddStub() {
	srv, err := fakeidp.Start(fakeidp.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()
	if _, err := srv.AddStub(stub.Stub{Site: "medi-api", Path: "/V2/policies/{id}",
		Response: stub.Response{JSON: json.RawMessage(`{"id":"${path.id}","client":"${token.client_id}"}`)}}); err != nil {
		log.Fatal(err)
	}
	cfg := clientcredentials.Config{
		ClientID: "medi_test_client", ClientSecret: "b29d0d9e-872c-4ea5-a92a-71b3abdea091",
		TokenURL: srv.SiteURL("kontur") + "/connect/token", Scopes: []string{"medi_api"},
	}
	client := cfg.Client(context.Background())
	get := func() {
		resp, err := client.Get(srv.SiteURL("medi-api") + "/V2/policies/p-1")
		if err != nil {
			log.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		fmt.Println(resp.StatusCode, resp.Header.Get("WWW-Authenticate"), string(body))
	}
	get()
	srv.Clock().Advance(25 * time.Hour)
	get()
	// Output:
	// 200  {"id":"p-1","client":"medi_test_client"}
	// 401 Bearer error="invalid_token"
}
