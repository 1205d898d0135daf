package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/migration"
	"github.com/warden-id/warden/internal/store/storetest"
	"github.com/warden-id/warden/internal/user"
)

// TestOpenReadOnly opens a file that a store is serving: the read-only store
// reads what the other commits, meets every write with a refusal (its own,
// and SQLite's beneath it), and dumps what the other holds.
func TestOpenReadOnly(t *testing.T) {
	ctx := t.Context()
	path := filepath.Join(t.TempDir(), "warden.db")
	w, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	storetest.Fill(t, w)

	ro, err := OpenReadOnly(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer ro.Close()
	storetest.CompareStores(t, w, ro)

	// A commit of the serving store is seen at once, tokens included: the
	// read-only store keeps no cache it could not invalidate.
	by := user.Actor{UserID: "test", At: store.Now()}
	u, ev := user.NewHuman("7001", "o", "ro-ann", user.Human{Email: "ann@example.com"}, false, by)
	pat := &credential.PAT{ID: "7002", UserID: u.ID, OrgID: "o", Hash: []byte("ro-token"), CreatedAt: store.Now(), Epoch: 1, Sequence: 1}
	if err := w.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		if err := tx.InsertPAT(ctx, pat); err != nil {
			return err
		}
		return tx.Append(ctx, ev)
	}); err != nil {
		t.Fatal(err)
	}
	if _, pu, _, err := ro.Principal(ctx, pat.Hash); err != nil || pu == nil || pu.State != user.StateActive {
		t.Fatalf("Principal of a new token: %+v, %v", pu, err)
	}
	locked := *u
	locked.State, locked.Sequence = user.StateLocked, u.Sequence+1
	if err := w.Write(ctx, func(ctx context.Context, tx store.Tx) error { return tx.UpdateUser(ctx, &locked, u.Sequence) }); err != nil {
		t.Fatal(err)
	}
	if _, pu, _, err := ro.Principal(ctx, pat.Hash); err != nil || pu == nil || pu.State != user.StateLocked {
		t.Fatalf("Principal after the lock: %+v, %v, want the locked user", pu, err)
	}

	// Writes through the store are refused before anything runs.
	ran := false
	err = ro.Write(ctx, func(ctx context.Context, tx store.Tx) error { ran = true; return nil })
	if !errors.Is(err, ErrReadOnly) || ran {
		t.Errorf("Write: %v (fn ran: %v), want ErrReadOnly without running fn", err, ran)
	}
	if _, err := ro.PurgeExpired(ctx, store.Now(), []string{"access_token"}, 10); !errors.Is(err, ErrReadOnly) {
		t.Errorf("PurgeExpired: %v, want ErrReadOnly", err)
	}
	if err := ro.Load(ctx, func(func(store.Record) error) error { return nil }); !errors.Is(err, ErrReadOnly) {
		t.Errorf("Load: %v, want ErrReadOnly", err)
	}
	// And beneath it, SQLite refuses a write on the store's own connection even
	// with query_only turned off: the file itself is open read-only.
	c, err := ro.rdb.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExecContext(ctx, "PRAGMA query_only = 0"); err != nil {
		t.Fatal(err)
	}
	_, err = c.ExecContext(ctx, "INSERT INTO orgs (id, name, state, sequence) VALUES ('x', 'written by ro', 1, 1)")
	var se *msqlite.Error
	if !errors.As(err, &se) || se.Code()&0xff != sqlite3.SQLITE_READONLY {
		t.Errorf("raw INSERT through the read-only connection: %v, want SQLITE_READONLY", err)
	}
	c.Close()
	if _, err := w.OrgByName(ctx, "written by ro"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("the refused INSERT left a row: %v", err)
	}

	// The dump is what the serving store holds, and it goes on serving.
	want, err := store.Summarize(ctx, w)
	if err != nil {
		t.Fatal(err)
	}
	got, err := store.Summarize(ctx, ro)
	if err != nil || !got.Equal(want) {
		t.Errorf("read-only summary differs from the serving store's (%v)", err)
	}
	if err := ro.Close(); err != nil {
		t.Fatal(err)
	}
	if err := ro.Ping(ctx); !errors.Is(err, ErrClosed) {
		t.Errorf("Ping after Close: %v", err)
	}
	if err := w.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		return tx.InsertOrg(ctx, &org.Org{ID: "7003", Name: "after ro", State: org.StateActive, Sequence: 1, CreatedAt: store.Now()})
	}); err != nil {
		t.Errorf("the serving store after the read-only one closed: %v", err)
	}
}

// TestOpenReadOnlyChangesNothing: a read-only open never creates, migrates
// or touches a file that needs it.
func TestOpenReadOnlyChangesNothing(t *testing.T) {
	ctx := t.Context()
	dir := t.TempDir()

	missing := filepath.Join(dir, "missing.db")
	if s, err := OpenReadOnly(ctx, missing); err == nil {
		s.Close()
		t.Error("OpenReadOnly opened a file that does not exist")
	}
	if _, err := os.Stat(missing); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("OpenReadOnly created %s: %v", missing, err)
	}

	// A file at schema version 1 would need a migration only a writer may run.
	old := filepath.Join(dir, "old.db")
	migs, err := migration.Load(migrationFS, "migrations")
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", old)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
		migs[0].SQL, "INSERT INTO schema_migrations VALUES (1, 0)"} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	if s, err := OpenReadOnly(ctx, old); err == nil {
		s.Close()
		t.Error("OpenReadOnly accepted a schema it cannot read")
	} else {
		t.Log(err)
	}
	db, err = sql.Open("sqlite", old)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var v int
	if err := db.QueryRowContext(ctx, "SELECT max(version) FROM schema_migrations").Scan(&v); err != nil || v != 1 {
		t.Errorf("schema version after the read-only open: %d (%v), want 1 (not migrated)", v, err)
	}
}
