package sqlite_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/sqlite"
	"github.com/warden-id/warden/internal/store/storetest"
)

func open(t testing.TB, path string) *sqlite.Store {
	t.Helper()
	s, err := sqlite.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		return open(t, filepath.Join(t.TempDir(), "warden.db"))
	})
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "sub", "dir", "warden.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	o := &org.Org{ID: "1", Name: "kept", State: org.StateActive, Sequence: 1, CreatedAt: store.Now()}
	if err := s.Write(ctx, func(ctx context.Context, tx store.Tx) error { return tx.InsertOrg(ctx, o) }); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := s.Write(ctx, func(ctx context.Context, tx store.Tx) error { return nil }); !errors.Is(err, sqlite.ErrClosed) {
		t.Errorf("Write after Close: %v", err)
	}
	s2 := open(t, path)
	got, err := s2.OrgByName(ctx, "kept")
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != "1" || !got.CreatedAt.Equal(o.CreatedAt) {
		t.Errorf("after reopen: %+v", got)
	}
	fi, err := os.Stat(filepath.Dir(path))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o700 {
		t.Errorf("directory mode %v, want 0700", fi.Mode().Perm())
	}
}

func TestFileMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "warden.db")
	// An existing file with loose permissions is tightened.
	if err := os.WriteFile(path, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	s := open(t, path)
	if err := s.Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
		return tx.InsertOrg(ctx, &org.Org{ID: "1", Name: "x", State: 1, Sequence: 1})
	}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s mode %v, want 0600", filepath.Base(p), fi.Mode().Perm())
		}
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "warden.db")
	s, err := sqlite.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	// Pretend a newer binary migrated the file.
	s2, err := sqlite.OpenRaw(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s2.Exec("INSERT INTO schema_migrations (version, applied_at) VALUES (9999, 0)"); err != nil {
		t.Fatal(err)
	}
	s2.Close()
	if _, err := sqlite.Open(ctx, path); err == nil {
		t.Fatal("Open accepted a database from the future")
	} else {
		t.Log(err)
	}
}

func TestPanicInWriteFunction(t *testing.T) {
	ctx := context.Background()
	s := open(t, filepath.Join(t.TempDir(), "warden.db"))
	err := s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := tx.InsertOrg(ctx, &org.Org{ID: "p", Name: "p", State: 1, Sequence: 1}); err != nil {
			return err
		}
		panic("boom")
	})
	if err == nil {
		t.Fatal("panic not reported")
	}
	if _, err := s.Org(ctx, "p"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("write of panicking fn kept: %v", err)
	}
	// The writer survived.
	if err := s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		return tx.InsertOrg(ctx, &org.Org{ID: "q", Name: "q", State: 1, Sequence: 1})
	}); err != nil {
		t.Fatal(err)
	}
}

func BenchmarkLockUnlock(b *testing.B) {
	storetest.Bench(b, open(b, filepath.Join(b.TempDir(), "warden.db")))
}
