package app

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"

	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/user"
)

// BenchmarkLockUnlock measures the whole command path below the transport:
// validation, authorization, load, decide, durable commit of state and event.
// Each parallel worker locks and unlocks a user of its own, as the load command does.
func BenchmarkLockUnlock(b *testing.B) {
	for _, eng := range testdb.Engines() {
		b.Run(eng.Name, func(b *testing.B) {
			s := eng.Open(b)
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
