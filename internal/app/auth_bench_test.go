package app

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store/testdb"
)

// BenchmarkAuthenticate measures resolving a PAT to a caller (what every API
// call pays before its command): the store reads and the checks, 32 parallel
// workers as in the load test.
func BenchmarkAuthenticate(b *testing.B) {
	for _, eng := range testdb.Engines() {
		b.Run(eng.Name, func(b *testing.B) {
			a := New(eng.Open(b), slog.New(slog.NewTextHandler(io.Discard, nil)), "localhost")
			ctx := context.Background()
			boot, err := a.Bootstrap(ctx, "Bench", func(string) error { return nil })
			if err != nil {
				b.Fatal(err)
			}
			b.SetParallelism(16) // 16 × GOMAXPROCS(2) = 32 workers
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					c, err := a.Authenticate(ctx, boot.Token)
					if err != nil || !c.Can(org.PermUserWrite, c.OrgID) {
						b.Errorf("Authenticate: %v %+v", err, c)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "auths/s")
		})
	}
}
