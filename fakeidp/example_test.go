package fakeidp_test

import (
	"context"
	"fmt"
	"log"

	"golang.org/x/oauth2/clientcredentials"

	"github.com/fakeidp/fakeidp/fakeidp"
)

// A medi-api client gets a token from an in-process Kontur with
// golang.org/x/oauth2.
func ExampleStart() {
	srv, err := fakeidp.Start(fakeidp.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer srv.Close()

	cfg := clientcredentials.Config{
		ClientID:     "medi_test_client",
		ClientSecret: "b29d0d9e-872c-4ea5-a92a-71b3abdea091",
		TokenURL:     srv.SiteURL("kontur") + "/connect/token",
		Scopes:       []string{"medi_api"},
	}
	tok, err := cfg.Token(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(tok.TokenType, len(tok.AccessToken), tok.Extra("expires_in"))

	// The same server, made to fail on demand.
	if _, err := srv.EnablePreset("kontur-invalid-client"); err != nil {
		log.Fatal(err)
	}
	_, err = cfg.Token(context.Background())
	fmt.Println(err != nil)
	// Output:
	// Bearer 64 86400
	// true
}
