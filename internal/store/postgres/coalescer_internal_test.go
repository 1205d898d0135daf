package postgres

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// liveness bounds how long a read that must answer may take before the test
// calls it stuck; answers take milliseconds.
const liveness = 20 * time.Second

// lockEvents locks the events table from a session of its own, so that Events
// waits in the server until release. waiting counts the sessions waiting for
// the lock.
func lockEvents(t *testing.T, dsn string) (waiting func() int, release func()) {
	t.Helper()
	ctx := context.WithoutCancel(t.Context())
	locker, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := locker.Exec(ctx, "BEGIN; LOCK TABLE events IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	locked := true
	release = func() {
		if locked {
			locked = false
			if _, err := locker.Exec(ctx, "ROLLBACK"); err != nil {
				t.Error(err)
			}
		}
	}
	t.Cleanup(func() {
		release()
		locker.Close(ctx)
	})
	waiting = func() int {
		var n int
		if err := locker.QueryRow(ctx, "SELECT count(*) FROM pg_locks WHERE relation = 'events'::regclass AND NOT granted").Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	return waiting, release
}

// TestLookupsPassSlowLists holds lists in flight for as long as the test likes
// (another session locks the events table, so Events waits in the server) and
// checks that token, user and artifact lookups answer meanwhile, that a
// cancelled caller returns at once, and that the others are unaffected.
func TestLookupsPassSlowLists(t *testing.T) {
	dsn := FreshSchema(t)
	ctx := t.Context()
	// The lock outlasts the default statement timeout on a slow machine.
	s, err := Open(ctx, dsn, StatementTimeout(2*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	by := user.Actor{UserID: "test", At: store.Now()}
	u, ev := user.NewHuman("2001", "o", "ann", user.Human{Email: "ann@example.com"}, false, by)
	pat := &credential.PAT{ID: "p1", UserID: u.ID, OrgID: "o", Hash: []byte("token-hash"), CreatedAt: store.Now(), Epoch: 1, Sequence: 1}
	art := &store.Artifact{Kind: "access_token", ID: "a1", Key: "key-1", UserID: u.ID, CreatedAt: store.Now(), Data: []byte(`{}`)}
	if err := s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := tx.InsertInstance(ctx, &org.Instance{ID: "i", DefaultOrgID: "o", Sequence: 1, CreatedAt: store.Now()}); err != nil {
			return err
		}
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		if err := tx.PutMember(ctx, &org.Member{OrgID: "o", UserID: u.ID, Roles: []string{"ORG_OWNER"}, Sequence: 1}); err != nil {
			return err
		}
		if err := tx.InsertPAT(ctx, pat); err != nil {
			return err
		}
		if err := tx.PutArtifact(ctx, art); err != nil {
			return err
		}
		return tx.Append(ctx, ev)
	}); err != nil {
		t.Fatal(err)
	}

	waiting, release := lockEvents(t, dsn)

	// More lists than the two lanes have readers, started one by one: each
	// either stalls a list reader in the server or queues behind the stalled ones.
	type answer struct {
		evs []event.Event
		err error
	}
	n := 2 * (s.cfg.readers + s.cfg.listReaders)
	cancels := make([]context.CancelFunc, n)
	answers := make([]chan answer, n)
	for i := range n {
		lctx, cancel := context.WithCancel(ctx)
		cancels[i], answers[i] = cancel, make(chan answer, 1)
		go func() {
			evs, err := s.Events(lctx, store.EventQuery{AggregateID: u.ID, Asc: true})
			answers[i] <- answer{evs, err}
		}()
		stalled, queued := min(i+1, s.cfg.listReaders), max(0, i+1-s.cfg.listReaders)
		for waiting() != stalled || len(s.lists) != queued {
			runtime.Gosched()
		}
	}
	defer func() {
		for _, c := range cancels {
			c()
		}
	}()

	// Every list reader is stuck and lists are queued: lookups still answer.
	lctx, cancel := context.WithTimeout(ctx, liveness)
	defer cancel()
	if p, pu, ms, err := s.Principal(lctx, pat.Hash); err != nil || p.ID != pat.ID || pu == nil || pu.ID != u.ID || len(ms) != 1 {
		t.Fatalf("Principal while lists stall: %v", err)
	}
	if got, err := s.User(lctx, u.ID); err != nil || got.UserName != u.UserName {
		t.Fatalf("User while lists stall: %v", err)
	}
	if got, err := s.ArtifactByKey(lctx, art.Kind, art.Key); err != nil || got.ID != art.ID {
		t.Fatalf("ArtifactByKey while lists stall: %v", err)
	}
	if got, err := s.Artifact(lctx, art.Kind, art.ID); err != nil || got.Key != art.Key {
		t.Fatalf("Artifact while lists stall: %v", err)
	}
	if ms, err := s.MembershipsOf(lctx, u.ID); err != nil || len(ms) != 1 {
		t.Fatalf("MembershipsOf while lists stall: %v", err)
	}
	if _, err := s.Instance(lctx); err != nil {
		t.Fatalf("Instance while lists stall: %v", err)
	}

	// A caller that gives up returns at once with its context's error, whether
	// its list is stalled in the server (the first) or queued (the last).
	for _, i := range []int{0, n - 1} {
		cancels[i]()
		select {
		case a := <-answers[i]:
			if !errors.Is(a.err, context.Canceled) {
				t.Errorf("cancelled list %d: %v, want context.Canceled", i, a.err)
			}
		case <-time.After(liveness):
			t.Fatalf("cancelled list %d did not return", i)
		}
	}
	for i := 1; i < n-1; i++ {
		select {
		case a := <-answers[i]:
			t.Fatalf("list %d answered while the table was locked: %v", i, a.err)
		default:
		}
	}

	// Released, the others answer in full.
	release()
	for i := 1; i < n-1; i++ {
		select {
		case a := <-answers[i]:
			if a.err != nil || len(a.evs) != 1 || a.evs[0].Type != ev.Type {
				t.Errorf("list %d: %d events (%v), want the user's one", i, len(a.evs), a.err)
			}
		case <-time.After(liveness):
			t.Fatalf("list %d did not answer after the lock was released", i)
		}
	}
}

// TestAbandonedReadNotSent: a read whose caller gave up while it waited in
// its lane is never sent. The probe would advance a sequence if it ran.
func TestAbandonedReadNotSent(t *testing.T) {
	dsn := FreshSchema(t)
	ctx := t.Context()
	// One list reader: the lane is strictly first in, first out.
	s, err := Open(ctx, dsn, StatementTimeout(2*time.Minute), ListReaders(1))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.pool.Exec(ctx, "CREATE SEQUENCE probe"); err != nil {
		t.Fatal(err)
	}
	waiting, release := lockEvents(t, dsn)

	stalled := make(chan error, 1)
	go func() {
		_, err := s.Events(ctx, store.EventQuery{AggregateID: "x"})
		stalled <- err
	}()
	for waiting() != 1 {
		runtime.Gosched()
	}
	pctx, cancel := context.WithCancel(ctx)
	probed := make(chan error, 1)
	go func() {
		rows, err := (&coalescer{s: s}).QuerySQL(pctx, "SELECT nextval('probe')")
		if err == nil {
			rows.Close()
		}
		probed <- err
	}()
	for len(s.lists) != 1 {
		runtime.Gosched()
	}
	cancel()
	if err := <-probed; !errors.Is(err, context.Canceled) {
		t.Fatalf("abandoned probe: %v, want context.Canceled", err)
	}

	release()
	if err := <-stalled; err != nil {
		t.Fatal(err)
	}
	// Answered by the same reader after the probe's turn came and went.
	if _, _, err := s.ListOrgs(ctx, store.Page{}); err != nil {
		t.Fatal(err)
	}
	var called bool
	if err := s.pool.QueryRow(ctx, "SELECT is_called FROM probe").Scan(&called); err != nil {
		t.Fatal(err)
	}
	if called {
		t.Error("the abandoned read was sent anyway")
	}
}
