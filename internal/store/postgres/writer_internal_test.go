package postgres

import (
	"context"
	"errors"
	"runtime"
	"sync/atomic"
	"testing"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// These tests build batches by hand: a write holds the writer goroutine while
// the test queues the others one by one, so on release they form exactly one
// batch, in the order queued. That makes the deferred-write paths, which under
// load depend on timing, happen every time.

func openInternal(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), FreshSchema(t), MaxConns(4))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// writeBatch runs fns as one batch and returns their answers, in order.
func writeBatch(t *testing.T, s *Store, fns ...func(context.Context, store.Tx) error) []error {
	t.Helper()
	ctx := t.Context()
	started, release := make(chan struct{}), make(chan struct{})
	held := make(chan error, 1)
	go func() {
		held <- s.Write(ctx, func(context.Context, store.Tx) error {
			close(started)
			<-release
			return nil
		})
	}()
	<-started // the writer is inside the holder's batch; the channel is empty
	dones := make([]chan error, len(fns))
	for i, fn := range fns {
		dones[i] = make(chan error, 1)
		go func() { dones[i] <- s.Write(ctx, fn) }()
		for len(s.writes) != i+1 { // queued behind the holder, in this order
			runtime.Gosched()
		}
	}
	close(release)
	if err := <-held; err != nil {
		t.Fatalf("holding write: %v", err)
	}
	errs := make([]error, len(fns))
	for i := range dones {
		errs[i] = <-dones[i]
	}
	return errs
}

// counted wraps fn to count its runs.
func counted(n *atomic.Int32, fn func(context.Context, store.Tx) error) func(context.Context, store.Tx) error {
	return func(ctx context.Context, tx store.Tx) error {
		n.Add(1)
		return fn(ctx, tx)
	}
}

func putMark(ctx context.Context, tx store.Tx, id string) error {
	return tx.PutArtifact(ctx, &store.Artifact{Kind: "batchtest", ID: id, Data: []byte(id), CreatedAt: store.Now()})
}

// hasMark reports whether the mark id is stored.
func hasMark(t *testing.T, s *Store, id string) bool {
	t.Helper()
	_, err := s.Artifact(t.Context(), "batchtest", id)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		t.Fatal(err)
	}
	return err == nil
}

// topXID records the id of the top-level transaction fn runs in (a row's
// xmin would name the request's subtransaction).
func topXID(ctx context.Context, stx store.Tx, dst *string) error {
	return stx.(*tx).t.QueryRowSQL(ctx, "SELECT txid_current()::text").Scan(dst)
}

func TestDeferredRefusalInBatch(t *testing.T) {
	type want struct {
		runs int32
		err  error
	}
	for _, tc := range []struct {
		name string
		// refused is the batch's second request: it marks "b", then writes
		// something the database refuses, in a form the engine defers.
		refused func(ctx context.Context, tx store.Tx, u, other *user.User) error
		// withC: a third request follows the refused one and reads first, so
		// the refusal surfaces in its pipeline (else in the batch's last flush).
		withC bool
		b     want
		c     want
	}{{
		// UpdateUser with a stale sequence: found by the next request's read;
		// the batch rewinds to the refused request, reruns it strictly (where
		// the conflict is retried until it gives up) and reruns the next one.
		name: "stale sequence, found by the next request",
		refused: func(ctx context.Context, tx store.Tx, u, _ *user.User) error {
			if err := putMark(ctx, tx, "b"); err != nil {
				return err
			}
			v := *u
			v.Sequence = u.Sequence + 1
			return tx.UpdateUser(ctx, &v, u.Sequence+5)
		},
		withC: true,
		b:     want{1 + maxAttempts, store.ErrConflict},
		c:     want{2, nil},
	}, {
		// A rename onto a taken name fails with a unique violation instead of
		// "0 rows"; the same rewind, and no retry: ErrDuplicate is final.
		name: "duplicate key, found by the next request",
		refused: func(ctx context.Context, tx store.Tx, u, other *user.User) error {
			if err := putMark(ctx, tx, "b"); err != nil {
				return err
			}
			v := *u
			v.UserName, v.Sequence = other.UserName, u.Sequence+1
			return tx.UpdateUser(ctx, &v, u.Sequence)
		},
		withC: true,
		b:     want{2, store.ErrDuplicate},
		c:     want{2, nil},
	}, {
		// An event that exists, appended by the batch's last request: found by
		// the flush before COMMIT, so the batch never commits a refused write.
		name: "duplicate event, found by the last flush",
		refused: func(ctx context.Context, tx store.Tx, u, _ *user.User) error {
			if err := putMark(ctx, tx, "b"); err != nil {
				return err
			}
			return tx.Append(ctx, event.Event{AggregateType: event.AggregateUser, AggregateID: u.ID, Sequence: u.Sequence, Type: "test.dup"})
		},
		b: want{1 + maxAttempts, store.ErrConflict},
	}, {
		// The refused request reads after its deferred write: the refusal
		// surfaces in its own function, which reruns at once, strictly; the
		// next request runs once.
		name: "stale sequence, found by the request's own read",
		refused: func(ctx context.Context, tx store.Tx, u, _ *user.User) error {
			if err := putMark(ctx, tx, "b"); err != nil {
				return err
			}
			v := *u
			v.Sequence = u.Sequence + 1
			if err := tx.UpdateUser(ctx, &v, u.Sequence+5); err != nil {
				return err
			}
			_, err := tx.User(ctx, u.ID)
			return err
		},
		withC: true,
		b:     want{maxAttempts, store.ErrConflict},
		c:     want{1, nil},
	}} {
		t.Run(tc.name, func(t *testing.T) {
			s := openInternal(t)
			ctx := t.Context()
			by := user.Actor{UserID: "test", At: store.Now()}
			u, ev := user.NewHuman("1001", "o", "ann", user.Human{Email: "ann@example.com"}, false, by)
			other, oev := user.NewHuman("1002", "o", "bob", user.Human{Email: "bob@example.com"}, false, by)
			if err := s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
				for _, x := range []*user.User{u, other} {
					if err := tx.InsertUser(ctx, x); err != nil {
						return err
					}
				}
				return tx.Append(ctx, ev, oev)
			}); err != nil {
				t.Fatal(err)
			}

			var runsA, runsB, runsC atomic.Int32
			var xidA, xidC string // written by the writer goroutine, read after the answers
			fns := []func(context.Context, store.Tx) error{
				counted(&runsA, func(ctx context.Context, tx store.Tx) error {
					if _, err := tx.User(ctx, u.ID); err != nil {
						return err
					}
					if err := putMark(ctx, tx, "a"); err != nil {
						return err
					}
					return topXID(ctx, tx, &xidA)
				}),
				counted(&runsB, func(ctx context.Context, tx store.Tx) error { return tc.refused(ctx, tx, u, other) }),
			}
			if tc.withC {
				// C defers a guarded write of its own, then reads: on the first
				// run that read's pipeline carries B's refused write ahead of
				// C's. Its rerun must apply C's writes exactly once.
				fns = append(fns, counted(&runsC, func(ctx context.Context, tx store.Tx) error {
					cur, err := tx.User(ctx, other.ID)
					if err != nil {
						return err
					}
					next := *cur
					next.Sequence++
					if err := tx.UpdateUser(ctx, &next, cur.Sequence); err != nil {
						return err
					}
					if err := tx.Append(ctx, event.Event{AggregateType: event.AggregateUser, AggregateID: other.ID, Sequence: next.Sequence, Type: "test.c"}); err != nil {
						return err
					}
					if _, err := tx.User(ctx, other.ID); err != nil {
						return err
					}
					if err := putMark(ctx, tx, "c"); err != nil {
						return err
					}
					return topXID(ctx, tx, &xidC)
				}))
			}
			errs := writeBatch(t, s, fns...)

			if errs[0] != nil || runsA.Load() != 1 {
				t.Errorf("A (before the refused one): %v after %d runs, want nil after 1", errs[0], runsA.Load())
			}
			if !errors.Is(errs[1], tc.b.err) || runsB.Load() != tc.b.runs {
				t.Errorf("B (refused): %v after %d runs, want %v after %d", errs[1], runsB.Load(), tc.b.err, tc.b.runs)
			}
			if tc.withC && (errs[2] != nil || runsC.Load() != tc.c.runs) {
				t.Errorf("C (after the refused one): %v after %d runs, want nil after %d", errs[2], runsC.Load(), tc.c.runs)
			}

			// The others committed, in one transaction; the refused one left nothing.
			if !hasMark(t, s, "a") {
				t.Error("A's write is missing")
			}
			if hasMark(t, s, "b") {
				t.Error("the refused request's earlier write was kept")
			}
			got, err := s.User(ctx, u.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got.Sequence != u.Sequence || got.UserName != u.UserName {
				t.Errorf("refused update kept: sequence %d name %q, want %d %q", got.Sequence, got.UserName, u.Sequence, u.UserName)
			}
			evs, err := s.Events(ctx, store.EventQuery{AggregateID: u.ID, Asc: true})
			if err != nil || len(evs) != 1 || evs[0].Type != ev.Type {
				t.Errorf("events of the refused request's user: %+v (%v), want only %s", evs, err, ev.Type)
			}
			if tc.withC {
				if !hasMark(t, s, "c") {
					t.Error("C's write is missing")
				}
				if xidA == "" || xidA != xidC {
					t.Errorf("A and C ran in transactions %q and %q, want one batch", xidA, xidC)
				}
				o, err := s.User(ctx, other.ID)
				if err != nil {
					t.Fatal(err)
				}
				oevs, err := s.Events(ctx, store.EventQuery{AggregateID: other.ID, Asc: true})
				if err != nil {
					t.Fatal(err)
				}
				if o.Sequence != other.Sequence+1 || len(oevs) != 2 || oevs[1].Type != "test.c" {
					t.Errorf("C's rerun: sequence %d and %d events, want %d and 2 (its discarded run left nothing)", o.Sequence, len(oevs), other.Sequence+1)
				}
			}
		})
	}
}
