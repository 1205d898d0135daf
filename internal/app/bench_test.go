package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"sync/atomic"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/postgres"
	"github.com/warden-id/warden/internal/store/sqlite"
	"github.com/warden-id/warden/internal/user"
)

// BenchmarkLockUnlock measures the whole command path below the transport:
// validation, authorization, load, decide, durable commit of state and event.
// Each parallel worker locks and unlocks a user of its own, as the load command does.
func BenchmarkLockUnlock(b *testing.B) {
	engines := map[string]func(b *testing.B) store.Store{
		"sqlite": func(b *testing.B) store.Store {
			s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "w.db"))
			if err != nil {
				b.Fatal(err)
			}
			return s
		},
	}
	if dsn := os.Getenv("WARDEN_TEST_POSTGRES"); dsn != "" {
		engines["postgres"] = func(b *testing.B) store.Store { return benchPostgres(b, dsn) }
	}
	for name, open := range engines {
		b.Run(name, func(b *testing.B) {
			s := open(b)
			defer s.Close()
			a := New(s, slog.New(slog.NewTextHandler(io.Discard, nil)), "localhost")
			ctx := context.Background()
			boot, err := a.Bootstrap(ctx, "Bench", func(string) error { return nil })
			if err != nil {
				b.Fatal(err)
			}
			c := &Caller{UserID: boot.AdminID, OrgID: boot.Instance.DefaultOrgID,
				roles: map[string][]string{org.InstanceScope: {"IAM_OWNER"}}}
			sc := Scope{Caller: c, OrgID: c.OrgID}
			var n atomic.Int64
			b.SetParallelism(16) // 16 × GOMAXPROCS(2) = 32 workers, like the load test
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				u, err := a.AddMachine(ctx, sc, NewMachine{UserName: fmt.Sprintf("m%d", n.Add(1)), Name: "m"})
				if err != nil {
					b.Error(err)
					return
				}
				op := user.OpLock
				for pb.Next() {
					if _, err := a.ChangeState(ctx, sc, u.ID, op); err != nil {
						b.Error(err)
						return
					}
					if op == user.OpLock {
						op = user.OpUnlock
					} else {
						op = user.OpLock
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
		})
	}
}

func benchPostgres(b *testing.B, dsn string) store.Store {
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		b.Fatal(err)
	}
	defer conn.Close(ctx)
	schema := fmt.Sprintf("bench_%d", os.Getpid())
	if _, err := conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+schema+" CASCADE; CREATE SCHEMA "+schema); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() {
		if c, err := pgx.Connect(context.Background(), dsn); err == nil {
			_, _ = c.Exec(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
			c.Close(context.Background())
		}
	})
	u, _ := url.Parse(dsn)
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	s, err := postgres.Open(ctx, u.String())
	if err != nil {
		b.Fatal(err)
	}
	return s
}
