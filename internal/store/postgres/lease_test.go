package postgres_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/store/postgres"
)

// TestLease: a job's lease goes to one holder at a time, only when the job is
// due, is renewed and released only by its holder, and passes to another node
// once it expires (a holder that died). Times are moved in the table itself,
// not waited for.
func TestLease(t *testing.T) {
	dsn := freshSchema(t)
	ctx := context.Background()
	a := open(t, dsn)
	b := open(t, dsn) // a second node: a pool of its own
	const hour = time.Hour

	if ok, _, err := a.TakeLease(ctx, "purge", "A", hour, time.Minute); err != nil || !ok {
		t.Fatalf("first take: %v, %v", ok, err)
	}
	ok, wait, err := b.TakeLease(ctx, "purge", "B", hour, time.Minute)
	if err != nil || ok || wait < 59*time.Minute || wait > hour {
		t.Fatalf("take of a held, not due lease: %v, wait %v, %v; want refused, wait about an hour", ok, wait, err)
	}
	if held, err := b.RenewLease(ctx, "purge", "B", time.Minute); err != nil || held {
		t.Fatalf("renew by a non-holder: %v, %v", held, err)
	}
	if held, err := a.RenewLease(ctx, "purge", "A", time.Minute); err != nil || !held {
		t.Fatalf("renew by the holder: %v, %v", held, err)
	}
	if err := b.ReleaseLease(ctx, "purge", "B"); err != nil {
		t.Fatal(err)
	}
	if h := leaseHolder(t, a, "purge"); h != "A" {
		t.Fatalf("a non-holder's release changed the holder to %q", h)
	}
	// Released, but not due: still refused until the interval has passed.
	if err := a.ReleaseLease(ctx, "purge", "A"); err != nil {
		t.Fatal(err)
	}
	if ok, _, err := b.TakeLease(ctx, "purge", "B", hour, time.Minute); err != nil || ok {
		t.Fatalf("take of a released lease before its interval: %v, %v", ok, err)
	}
	leaseExec(t, a, `UPDATE job_leases SET next_run = clock_timestamp() - interval '1 second' WHERE name = 'purge'`)
	if ok, _, err := b.TakeLease(ctx, "purge", "B", hour, time.Minute); err != nil || !ok {
		t.Fatalf("take once due: %v, %v", ok, err)
	}
	// B dies holding it: due again, but held until the lease expires.
	leaseExec(t, a, `UPDATE job_leases SET next_run = clock_timestamp() - interval '1 second' WHERE name = 'purge'`)
	ok, wait, err = a.TakeLease(ctx, "purge", "A", hour, time.Minute)
	if err != nil || ok || wait <= 0 || wait > time.Minute {
		t.Fatalf("take of a due lease someone holds: %v, wait %v, %v; want refused until the ttl ends", ok, wait, err)
	}
	leaseExec(t, a, `UPDATE job_leases SET held_until = clock_timestamp() - interval '1 second' WHERE name = 'purge'`)
	if ok, _, err := a.TakeLease(ctx, "purge", "A", hour, time.Minute); err != nil || !ok {
		t.Fatalf("take of an expired lease: %v, %v", ok, err)
	}
	if held, err := b.RenewLease(ctx, "purge", "B", time.Minute); err != nil || held {
		t.Fatalf("the dead holder renewed a lease taken over: %v, %v", held, err)
	}
	// Held past the due time (a run longer than its interval): the others
	// are told to ask again when the job is due, not when the lease ends.
	if ok, _, err := a.TakeLease(ctx, "long", "A", hour, 2*hour); err != nil || !ok {
		t.Fatalf("take of a long lease: %v, %v", ok, err)
	}
	if ok, wait, err := b.TakeLease(ctx, "long", "B", hour, 2*hour); err != nil || ok || wait > hour || wait < 59*time.Minute {
		t.Fatalf("take of a long lease by another: %v, wait %v, %v; want refused, wait until due", ok, wait, err)
	}
	// Leases are per job.
	if ok, _, err := b.TakeLease(ctx, "other", "B", hour, time.Minute); err != nil || !ok {
		t.Fatalf("another job's lease: %v, %v", ok, err)
	}
}

// TestLeaseRace: nodes asking for a due lease at the same moment: exactly one
// gets it, every time.
func TestLeaseRace(t *testing.T) {
	dsn := freshSchema(t)
	ctx := context.Background()
	nodes := make([]*postgres.Store, 4)
	for i := range nodes {
		nodes[i] = open(t, dsn)
	}
	for round := range 20 {
		var winners atomic.Int32
		var wg sync.WaitGroup
		start := make(chan struct{})
		for i, n := range nodes {
			wg.Go(func() {
				<-start
				ok, _, err := n.TakeLease(ctx, "race", string(rune('A'+i)), time.Hour, time.Minute)
				if err != nil {
					t.Error(err)
				}
				if ok {
					winners.Add(1)
				}
			})
		}
		close(start)
		wg.Wait()
		if w := winners.Load(); w != 1 {
			t.Fatalf("round %d: %d nodes took the lease", round, w)
		}
		leaseExec(t, nodes[0], `UPDATE job_leases SET next_run = clock_timestamp(), held_until = clock_timestamp()`)
	}
}

func leaseHolder(t *testing.T, s *postgres.Store, name string) string {
	t.Helper()
	var h string
	if err := s.Pool().QueryRow(context.Background(), `SELECT holder FROM job_leases WHERE name = $1`, name).Scan(&h); err != nil {
		t.Fatal(err)
	}
	return h
}

func leaseExec(t *testing.T, s *postgres.Store, sql string) {
	t.Helper()
	if _, err := s.Pool().Exec(context.Background(), sql); err != nil {
		t.Fatal(err)
	}
}
