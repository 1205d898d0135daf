// Package testdb opens real stores for tests: a SQLite file in the test's temp
// dir, and PostgreSQL in a schema of its own (dropped afterwards) when
// WARDEN_TEST_POSTGRES names a server. Tests of every layer share it, so each
// runs on both engines the same way.
package testdb

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/postgres"
	"github.com/warden-id/warden/internal/store/sqlite"
)

// EnvPostgres names the environment variable with the PostgreSQL DSN.
const EnvPostgres = "WARDEN_TEST_POSTGRES"

// Opener opens a fresh store for t; it is closed when t ends.
type Opener func(t testing.TB) store.Store

// Engine is a named Opener.
type Engine struct {
	Name string
	Open Opener
}

// Engines lists SQLite, and PostgreSQL when it is configured.
func Engines() []Engine {
	e := []Engine{{"sqlite", SQLite}}
	if os.Getenv(EnvPostgres) != "" {
		e = append(e, Engine{"postgres", Postgres})
	}
	return e
}

// Each runs fn as a subtest once per engine.
func Each(t *testing.T, fn func(t *testing.T, open Opener)) {
	for _, e := range Engines() {
		t.Run(e.Name, func(t *testing.T) { fn(t, e.Open) })
	}
}

// SQLite opens the embedded engine on a new file.
func SQLite(t testing.TB) store.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), "warden.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// Postgres opens the PostgreSQL engine in a fresh schema; it skips the test
// when no server is configured.
func Postgres(t testing.TB) store.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), PostgresDSN(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// PostgresDSN creates an empty schema and returns a DSN whose search_path is
// that schema; the schema is dropped when t ends.
func PostgresDSN(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv(EnvPostgres)
	if dsn == "" {
		t.Skip(EnvPostgres + " is not set; PostgreSQL tests skipped")
	}
	ctx := context.Background()
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if c, err := pgx.Connect(context.Background(), dsn); err == nil {
			_, _ = c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			c.Close(context.Background())
		}
	})
	u, err := url.Parse(dsn)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}
