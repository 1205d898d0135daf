// Package compat holds end-to-end tests that drive a running warden binary
// with ZITADEL's own generated Go clients (zitadel-go v3.29.0), its
// authorization middleware, and zitadel/oidc's relying party, resource server
// and JWT-profile clients (a scripted browser signs in at the login page). It is a
// separate module so ZITADEL's large generated packages stay out of the
// server's own test binaries.
//
// Run from this directory:
//
//	go test ./...                                  # builds ../cmd/warden, runs on the embedded store
//	WARDEN_TEST_POSTGRES=1 go test ./...           # also on PostgreSQL at 127.0.0.1:5432 (fresh database)
//	WARDEN_TEST_POSTGRES=postgres://u@h:5432/db go test ./...  # ... on that server
//	WARDEN_BIN=/path/to/warden go test ./...       # test a given binary instead of building one
//
// Every test runs once per server (subtests "sqlite" and "postgres").
package compat
