package postgres_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/postgres"
	"github.com/warden-id/warden/internal/store/sqlite"
	"github.com/warden-id/warden/internal/store/storetest"
)

func TestDumpConformance(t *testing.T) {
	baseDSN(t)
	storetest.RunDump(t, func(t *testing.T) storetest.DumpStore {
		return open(t, freshSchema(t), postgres.MaxConns(8))
	})
}

// TestDumpAcrossEngines moves a store from SQLite to PostgreSQL and back: each
// engine reads back what the other wrote, to the microsecond and the byte.
func TestDumpAcrossEngines(t *testing.T) {
	pgA := open(t, freshSchema(t), postgres.MaxConns(4))
	pgB := open(t, freshSchema(t), postgres.MaxConns(4))
	openLite := func(name string) *sqlite.Store {
		s, err := sqlite.Open(context.Background(), filepath.Join(t.TempDir(), name))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	liteA, liteB := openLite("a.db"), openLite("b.db")
	ctx := context.Background()

	storetest.Fill(t, liteA)
	want, err := store.Copy(ctx, liteA, pgA) // sqlite → postgres
	if err != nil {
		t.Fatal(err)
	}
	storetest.CompareStores(t, liteA, pgA)
	if got, err := store.Copy(ctx, pgA, liteB); err != nil || !got.Equal(want) { // postgres → sqlite
		t.Fatalf("postgres → sqlite: %v (summary equal: %v)", err, got.Equal(want))
	}
	storetest.CompareStores(t, pgA, liteB)

	storetest.Fill(t, pgB) // and a store born on PostgreSQL
	liteC := openLite("c.db")
	if _, err := store.Copy(ctx, pgB, liteC); err != nil {
		t.Fatal(err)
	}
	storetest.CompareStores(t, pgB, liteC)
}
