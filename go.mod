module github.com/fakeidp/fakeidp

go 1.26.8

require (
	github.com/coreos/go-oidc/v3 v3.21.0
	github.com/go-jose/go-jose/v4 v4.1.9
	github.com/gorilla/mux v1.8.1
	go.yaml.in/yaml/v3 v3.0.4
	golang.org/x/oauth2 v0.37.0
)

require gopkg.in/check.v1 v1.0.0-20201130134442-10cb98267c6c // indirect
