package fakeidp_test

import (
	"context"
	"fmt"
	"log"

	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// A test asks the journal why its client was refused: the wire says only
// invalid_client, as Kontur does; the journal says which check failed.
func ExampleServer_Journal() {
	srv, err := fakeidp.Start(fakeidp.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	cfg := clientcredentials.Config{
		ClientID:     "medi_test_client",
		ClientSecret: "not-the-secret",
		TokenURL:     srv.SiteURL("kontur") + "/connect/token",
		Scopes:       []string{"medi_api"},
		AuthStyle:    oauth2.AuthStyleInHeader,
	}
	_, err = cfg.Token(context.Background())
	fmt.Println(err != nil)

	e, _ := srv.Journal().Last()
	fmt.Println(e.Status, e.Reason.Code)
	fmt.Println(e.Reason.Message)
	fmt.Println(e.Response.Body)
	// Output:
	// true
	// 400 client_secret_mismatch
	// client "medi_test_client" is known, but the client_secret sent in the Authorization: Basic header is not its secret
	// {"error":"invalid_client"}
}
