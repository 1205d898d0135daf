// Package testdb opens real stores for tests: a SQLite file in the test's temp
// dir, and PostgreSQL in a schema of its own (dropped afterwards) when
// WARDEN_TEST_POSTGRES names a server. Tests of every layer share it, so each
// runs on both engines the same way.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
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

// Cell is one stored value: a column of one row of one table.
type Cell struct {
	Table, Column string
	Row           int    // the row's place in its table's dump
	Value         []byte // as the engine keeps it: text and blobs byte for byte
}

// Raw reads every row of every table of s straight from the database, past the
// store, as someone holding a copy of it would: SQLite through a read-only
// connection to the file, PostgreSQL through the store's own schema. s must be
// a store this package opened.
func Raw(t testing.TB, s store.Store) []Cell {
	t.Helper()
	switch s := s.(type) {
	case *sqlite.Store:
		return rawSQLite(t, s.Path())
	case *postgres.Store:
		return rawPostgres(t, s.Pool().Config().ConnString())
	}
	t.Fatalf("testdb.Raw: unknown store %T", s)
	return nil
}

func rawSQLite(t testing.TB, path string) []Cell {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+(&url.URL{Path: path}).EscapedPath()+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var tables []string
	rows, err := db.Query(`SELECT name FROM sqlite_master WHERE type = 'table'`)
	if err != nil {
		t.Fatalf("sqlite %s: list tables: %v", path, err)
	}
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			t.Fatal(err)
		}
		tables = append(tables, n)
	}
	rows.Close()
	var out []Cell
	for _, tb := range tables {
		rows, err := db.Query(`SELECT * FROM "` + tb + `"`)
		if err != nil {
			t.Fatalf("sqlite %s: read %s: %v", path, tb, err)
		}
		cols, _ := rows.Columns()
		for n := 0; rows.Next(); n++ {
			vals := make([]sql.RawBytes, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			if err := rows.Scan(ptrs...); err != nil {
				t.Fatal(err)
			}
			for i, v := range vals {
				out = append(out, Cell{Table: tb, Column: cols[i], Row: n, Value: append([]byte(nil), v...)})
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	return out
}

func rawPostgres(t testing.TB, dsn string) []Cell {
	t.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT table_name FROM information_schema.tables
		WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`)
	if err != nil {
		t.Fatal(err)
	}
	tables, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	var out []Cell
	for _, tb := range tables {
		rows, err := conn.Query(ctx, `SELECT * FROM `+pgx.Identifier{tb}.Sanitize())
		if err != nil {
			t.Fatalf("postgres: read %s: %v", tb, err)
		}
		fields := rows.FieldDescriptions()
		for n := 0; rows.Next(); n++ {
			// Raw wire values: bytea arrives as its bytes, text as UTF-8.
			for i, v := range rows.RawValues() {
				out = append(out, Cell{Table: tb, Column: fields[i].Name, Row: n, Value: append([]byte(nil), v...)})
			}
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return out
}
