package sqlite_test

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/sqlite"
	"github.com/warden-id/warden/internal/store/storetest"
)

func TestBackup(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s := open(t, filepath.Join(dir, "warden.db"))
	storetest.Fill(t, s)
	want, err := store.Summarize(ctx, s)
	if err != nil {
		t.Fatal(err)
	}

	// While s is open: the committed rows are in the WAL, not yet all in the file.
	dst := filepath.Join(dir, "backup.db")
	size, err := sqlite.Backup(ctx, filepath.Join(dir, "warden.db"), dst)
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(dst)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Size() != size || fi.Mode().Perm() != 0o600 {
		t.Errorf("backup: size %d (reported %d), mode %v; want mode 0600", fi.Size(), size, fi.Mode().Perm())
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "backup.db*"))
	if len(leftovers) != 1 {
		t.Errorf("files beside the backup: %v", leftovers)
	}

	rep, err := sqlite.Check(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	for _, tbl := range store.Tables {
		if uint64(rep.Rows[tbl]) != want[tbl].Rows {
			t.Errorf("check: %s has %d rows, want %d", tbl, rep.Rows[tbl], want[tbl].Rows)
		}
	}
	if rep.SchemaVersion < 1 {
		t.Errorf("schema version %d", rep.SchemaVersion)
	}
	// Check opens read-only: it leaves no -wal or -shm behind.
	if leftovers, _ := filepath.Glob(filepath.Join(dir, "backup.db-*")); len(leftovers) != 0 {
		t.Errorf("check left files behind: %v", leftovers)
	}

	// Never overwrites.
	if _, err := sqlite.Backup(ctx, filepath.Join(dir, "warden.db"), dst); !errors.Is(err, sqlite.ErrExists) {
		t.Errorf("second backup to the same file: %v, want ErrExists", err)
	}
	// Never creates a database where none was.
	if _, err := sqlite.Backup(ctx, filepath.Join(dir, "nope.db"), filepath.Join(dir, "b2.db")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("backup of a missing file: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "nope.db")); !errors.Is(err, fs.ErrNotExist) {
		t.Error("backup created the missing source")
	}

	// The snapshot is a working store with the same content.
	restored := open(t, dst)
	storetest.CompareStores(t, s, restored)
}

func TestCheckRefusesDamage(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	// Not a database at all.
	junk := filepath.Join(dir, "junk.db")
	if err := os.WriteFile(junk, []byte(strings.Repeat("not sqlite ", 1000)), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlite.Check(ctx, junk); err == nil {
		t.Error("Check accepted a file that is not a database")
	}
	// A database, but not Warden's.
	raw, err := sqlite.OpenRaw(filepath.Join(dir, "other.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := raw.Exec("CREATE TABLE t (x)"); err != nil {
		t.Fatal(err)
	}
	raw.Close()
	if _, err := sqlite.Check(ctx, filepath.Join(dir, "other.db")); err == nil || !strings.Contains(err.Error(), "not a Warden database") {
		t.Errorf("Check on a foreign database: %v", err)
	}
	// A Warden database with a damaged page.
	path := filepath.Join(dir, "warden.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	storetest.Fill(t, s)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 3*4096 {
		t.Fatalf("database too small to damage: %d bytes", len(b))
	}
	// Scramble every page header after the schema page (page size 4096).
	for page := 4096; page+16 <= len(b); page += 4096 {
		for i := page; i < page+12; i++ {
			b[i] ^= 0x5a
		}
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := sqlite.Check(ctx, path); err == nil {
		t.Error("Check accepted a damaged database")
	} else {
		t.Log(err)
	}
}

// TestCheckOlderSnapshot: a snapshot taken before the outbox existed (schema
// version 2) still verifies, with the outbox reported absent, not as an error
// and not as zero rows.
func TestCheckOlderSnapshot(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "old.db")
	s := open(t, path)
	storetest.Fill(t, s)
	want, err := store.Summarize(ctx, s)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sqlite.OpenRaw(path)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"DROP TABLE outbox", "DELETE FROM schema_migrations WHERE version >= 3"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	rep, err := sqlite.Check(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	if rep.SchemaVersion != 2 {
		t.Errorf("schema version %d, want 2", rep.SchemaVersion)
	}
	if n, ok := rep.Rows[store.TableOutbox]; ok {
		t.Errorf("outbox reported with %d rows in a snapshot without it", n)
	}
	if uint64(rep.Rows[store.TableUsers]) != want[store.TableUsers].Rows {
		t.Errorf("users: %d rows, want %d", rep.Rows[store.TableUsers], want[store.TableUsers].Rows)
	}
}
