package postgres_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/postgres"
	"github.com/warden-id/warden/internal/store/storetest"
)

// The schema helpers live in schema_test.go (package postgres), so the
// engine's internal tests share them.
var (
	baseDSN     = postgres.BaseDSN
	freshSchema = postgres.FreshSchema
)

func open(t testing.TB, dsn string, opts ...postgres.Option) *postgres.Store {
	t.Helper()
	s, err := postgres.Open(context.Background(), dsn, opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	baseDSN(t)
	// A small pool per store: the subtests run in parallel.
	storetest.Run(t, func(t *testing.T) store.Store { return open(t, freshSchema(t), postgres.MaxConns(8)) })
}

// TestConcurrentMigrations: nodes starting together on an empty database.
func TestConcurrentMigrations(t *testing.T) {
	dsn := freshSchema(t)
	var wg sync.WaitGroup
	errs := make([]error, 4)
	stores := make([]*postgres.Store, 4)
	for i := range errs {
		wg.Go(func() { stores[i], errs[i] = postgres.Open(context.Background(), dsn) })
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("open %d: %v", i, err)
			continue
		}
		if err := stores[i].Ping(context.Background()); err != nil {
			t.Error(err)
		}
		stores[i].Close()
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	dsn := freshSchema(t)
	s := open(t, dsn)
	if _, err := s.Pool().Exec(context.Background(), "INSERT INTO schema_migrations (version) VALUES (9999)"); err != nil {
		t.Fatal(err)
	}
	if s2, err := postgres.Open(context.Background(), dsn); err == nil {
		s2.Close()
		t.Fatal("Open accepted a database from the future")
	} else {
		t.Log(err)
	}
}

func TestUnavailable(t *testing.T) {
	baseDSN(t)
	// Nothing listens on port 1.
	_, err := postgres.Open(context.Background(), "postgres://postgres@127.0.0.1:1/test?sslmode=disable&connect_timeout=2")
	if !errors.Is(err, store.ErrUnavailable) {
		t.Errorf("Open on a dead port: %v, want ErrUnavailable", err)
	}
}

func BenchmarkLockUnlock(b *testing.B) {
	storetest.Bench(b, open(b, freshSchema(b)))
}
