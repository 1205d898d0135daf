// Package storetest is the conformance suite every storage engine runs (the Dex
// pattern): one set of tests, so the engines cannot drift apart, and one
// benchmark of the real command shape, so their numbers compare.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/id"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// Run runs the suite. open must return a fresh, empty store and arrange for it
// to be closed (t.Cleanup); every subtest gets its own.
func Run(t *testing.T, open func(t *testing.T) store.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s store.Store)
	}{
		{"Instance", testInstance},
		{"Orgs", testOrgs},
		{"UserRoundTrip", testUserRoundTrip},
		{"UserDuplicates", testUserDuplicates},
		{"UpdateUserConflict", testUpdateUserConflict},
		{"WriteRetriesOnConflict", testWriteRetries},
		{"RollbackOnError", testRollback},
		{"ConcurrentWritesIndependent", testConcurrentIndependent},
		{"TxSeesOwnWrites", testTxSeesOwnWrites},
		{"AppendDuplicate", testAppendDuplicate},
		{"Events", testEvents},
		{"Members", testMembers},
		{"PATs", testPATs},
		{"SearchCredentials", testSearchCredentials},
		{"Principal", testPrincipal},
		{"UpdateInstance", testUpdateInstance},
		{"OrgStateInUserReads", testOrgStateInUserReads},
		{"DeleteOrg", testDeleteOrg},
		{"OrgPrimaryDomain", testOrgPrimaryDomain},
		{"VerifiedDomainClaims", testVerifiedDomainClaims},
		{"ListUsers", testListUsers},
		{"ListUsersLimits", testListUsersLimits},
		{"ConcurrentLockSameUser", testConcurrentLockSameUser},
		{"ConcurrentLockUnlockManyUsers", testConcurrentManyUsers},
		{"ReadAfterWrite", testReadAfterWrite},
		{"CancelledContext", testCancelled},
		{"Ping", func(t *testing.T, s store.Store) {
			if err := s.Ping(context.Background()); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.fn(t, open(t))
		})
	}
	t.Run("Artifacts", func(t *testing.T) {
		t.Parallel()
		for _, tc := range artifactTests {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				tc.fn(t, open(t))
			})
		}
	})
	t.Run("Outbox", func(t *testing.T) {
		t.Parallel()
		for _, tc := range outboxTests {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				tc.fn(t, open(t))
			})
		}
	})
}

var (
	ids    = id.NewGenerator()
	errOut = errors.New("storetest: fn refused")
)

func ctxT(t *testing.T) context.Context { return t.Context() }

func mustWrite(t *testing.T, s store.Store, fn func(context.Context, store.Tx) error) {
	t.Helper()
	if err := s.Write(ctxT(t), fn); err != nil {
		t.Fatalf("Write: %v", err)
	}
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("got error %v, want %v", err, want)
	}
}

// at is a fixed-ish timestamp with microseconds, in a non-UTC zone on purpose:
// engines must keep the instant.
func at(offset time.Duration) time.Time {
	return store.Now().Add(offset).In(time.FixedZone("X", 3600))
}

func newOrg(t *testing.T, s store.Store, name string) *org.Org {
	t.Helper()
	o := &org.Org{ID: ids.Next(), Name: name, State: org.StateActive, Sequence: 1, CreatedAt: at(0), ChangedAt: at(0)}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.InsertOrg(ctx, o) })
	return o
}

func humanUser(orgID, name string) *user.User {
	u, _ := user.NewHuman(ids.Next(), orgID, name, user.Human{
		FirstName: "First " + name, LastName: "Last " + name, NickName: "nick", DisplayName: "Display " + name,
		PreferredLanguage: "de", Gender: 2, Email: name + "@example.com", EmailVerified: true,
		Phone: "+41 79 000 00 00", PhoneVerified: true, PasswordHash: "$argon2id$v=19$m=65536,t=1,p=4$c2FsdA$aGFzaA",
		PasswordChangeRequired: true, FailedPasswordAttempts: 2,
	}, false, user.Actor{UserID: "creator", At: store.Now()})
	return u
}

func newUser(t *testing.T, s store.Store, orgID, name string) *user.User {
	t.Helper()
	u := humanUser(orgID, name)
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.InsertUser(ctx, u) })
	return u
}

// Comparisons: instants with Equal, everything else exactly.

func sameTime(a, b time.Time) bool { return a.Equal(b) }

func checkUser(t *testing.T, got, want *user.User) {
	t.Helper()
	if got == nil {
		t.Fatalf("got nil user, want %+v", want)
	}
	g, w := *got, *want
	if !sameTime(g.CreatedAt, w.CreatedAt) || !sameTime(g.ChangedAt, w.ChangedAt) {
		t.Errorf("user %s times: got %v/%v, want %v/%v", w.ID, g.CreatedAt, g.ChangedAt, w.CreatedAt, w.ChangedAt)
	}
	g.CreatedAt, g.ChangedAt, w.CreatedAt, w.ChangedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("user mismatch\n got %+v human=%+v machine=%+v\nwant %+v human=%+v machine=%+v", g, g.Human, g.Machine, w, w.Human, w.Machine)
	}
}

func checkOrg(t *testing.T, got, want *org.Org) {
	t.Helper()
	g, w := *got, *want
	if !sameTime(g.CreatedAt, w.CreatedAt) || !sameTime(g.ChangedAt, w.ChangedAt) {
		t.Errorf("org times: got %v/%v, want %v/%v", g.CreatedAt, g.ChangedAt, w.CreatedAt, w.ChangedAt)
	}
	g.CreatedAt, g.ChangedAt, w.CreatedAt, w.ChangedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if g != w {
		t.Errorf("org mismatch\n got %+v\nwant %+v", g, w)
	}
}

func checkMember(t *testing.T, got, want *org.Member) {
	t.Helper()
	g, w := *got, *want
	if !sameTime(g.CreatedAt, w.CreatedAt) || !sameTime(g.ChangedAt, w.ChangedAt) {
		t.Errorf("member times: got %v/%v, want %v/%v", g.CreatedAt, g.ChangedAt, w.CreatedAt, w.ChangedAt)
	}
	g.CreatedAt, g.ChangedAt, w.CreatedAt, w.ChangedAt = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("member mismatch\n got %+v\nwant %+v", g, w)
	}
}

func checkPAT(t *testing.T, got, want *credential.PAT) {
	t.Helper()
	g, w := *got, *want
	if !sameTime(g.CreatedAt, w.CreatedAt) || !sameTime(g.Expiration, w.Expiration) {
		t.Errorf("pat times: got %v/%v, want %v/%v", g.CreatedAt, g.Expiration, w.CreatedAt, w.Expiration)
	}
	g.CreatedAt, g.Expiration, w.CreatedAt, w.Expiration = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if !reflect.DeepEqual(g, w) {
		t.Errorf("pat mismatch\n got %+v\nwant %+v", g, w)
	}
}

func checkEvents(t *testing.T, got, want []event.Event) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("got %d events, want %d: %+v", len(got), len(want), got)
	}
	for i := range got {
		g, w := got[i], want[i]
		if !sameTime(g.CreatedAt, w.CreatedAt) {
			t.Errorf("event %d time: got %v, want %v", i, g.CreatedAt, w.CreatedAt)
		}
		g.CreatedAt, w.CreatedAt = time.Time{}, time.Time{}
		if !reflect.DeepEqual(g, w) {
			t.Errorf("event %d mismatch\n got %+v\nwant %+v", i, g, w)
		}
	}
}

func testInstance(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	_, err := s.Instance(ctx)
	wantErr(t, err, store.ErrNotFound)
	inst := &org.Instance{ID: ids.Next(), DefaultOrgID: ids.Next(), Sequence: 3, CreatedAt: at(0)}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.InsertInstance(ctx, inst) })
	got, err := s.Instance(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID != inst.ID || got.DefaultOrgID != inst.DefaultOrgID || got.Sequence != 3 || !got.CreatedAt.Equal(inst.CreatedAt) {
		t.Errorf("got %+v, want %+v", got, inst)
	}
	// A second instance, whatever its id, is refused: two nodes never bootstrap twice.
	for _, id := range []string{inst.ID, ids.Next()} {
		err := s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			return tx.InsertInstance(ctx, &org.Instance{ID: id, DefaultOrgID: "x", Sequence: 1, CreatedAt: at(0)})
		})
		wantErr(t, err, store.ErrDuplicate)
	}
}

func testOrgs(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	_, err := s.Org(ctx, "nope")
	wantErr(t, err, store.ErrNotFound)
	_, err = s.OrgByName(ctx, "nope")
	wantErr(t, err, store.ErrNotFound)

	o := newOrg(t, s, "ACME")
	got, err := s.Org(ctx, o.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkOrg(t, got, o)
	got, err = s.OrgByName(ctx, "ACME")
	if err != nil {
		t.Fatal(err)
	}
	checkOrg(t, got, o)

	// Zero times round-trip as zero.
	z := &org.Org{ID: ids.Next(), Name: "Zero", State: org.StateInactive}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.InsertOrg(ctx, z) })
	got, err = s.Org(ctx, z.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkOrg(t, got, z)
	if !got.CreatedAt.IsZero() {
		t.Errorf("zero CreatedAt came back as %v", got.CreatedAt)
	}

	err = s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		return tx.InsertOrg(ctx, &org.Org{ID: ids.Next(), Name: "ACME", State: org.StateActive, Sequence: 1})
	})
	wantErr(t, err, store.ErrDuplicate)
	err = s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		return tx.InsertOrg(ctx, &org.Org{ID: o.ID, Name: "Other", State: org.StateActive, Sequence: 1})
	})
	wantErr(t, err, store.ErrDuplicate)

	upd := *o
	upd.Name, upd.State, upd.Sequence, upd.ChangedAt = "ACME Corp", org.StateInactive, 2, at(time.Second)
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.UpdateOrg(ctx, &upd, 1) })
	got, err = s.OrgByName(ctx, "ACME Corp")
	if err != nil {
		t.Fatal(err)
	}
	checkOrg(t, got, &upd)
	_, err = s.OrgByName(ctx, "ACME")
	wantErr(t, err, store.ErrNotFound)

	// ListOrgs: by name in byte order ("ACME Corp" < "Zero" < "b"), paged, with the total.
	newOrg(t, s, "b")
	list, total, err := s.ListOrgs(ctx, store.Page{Asc: true})
	if err != nil || total != 3 || len(list) != 3 || list[0].Name != "ACME Corp" || list[1].Name != "Zero" || list[2].Name != "b" {
		t.Fatalf("ListOrgs: %v %d %v", list, total, err)
	}
	checkOrg(t, list[0], &upd)
	list, total, err = s.ListOrgs(ctx, store.Page{Offset: 1, Limit: 1})
	if err != nil || total != 3 || len(list) != 1 || list[0].Name != "Zero" {
		t.Fatalf("ListOrgs descending page: %v %d %v", list, total, err)
	}

	var calls int
	err = s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		calls++
		stale := upd
		stale.Sequence = 3
		return tx.UpdateOrg(ctx, &stale, 1)
	})
	wantErr(t, err, store.ErrConflict)
	if calls < 2 {
		t.Errorf("Write ran fn %d times on ErrConflict, want retries", calls)
	}
}

func testUserRoundTrip(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	_, err := s.User(ctx, "nope")
	wantErr(t, err, store.ErrNotFound)
	_, err = s.UserByName(ctx, "o", "nope")
	wantErr(t, err, store.ErrNotFound)

	h := humanUser("org1", "hanna")
	h.StateBeforeLock = user.StateInitial
	h.CredentialEpoch = 7
	m, _ := user.NewMachine(ids.Next(), "org1", "robot", user.Machine{Name: "Robot", Description: "does things", AccessTokenType: 1},
		user.Actor{At: at(0)})
	// Neither Human nor Machine, zero times, zero everything.
	bare := &user.User{ID: ids.Next(), OrgID: "org1", UserName: "bare"}
	// A human with an empty Human: must not come back as nil, nor gain a password.
	empty := &user.User{ID: ids.Next(), OrgID: "org1", UserName: "empty", Type: user.TypeHuman, State: user.StateInitial,
		Human: &user.Human{}, Sequence: 1, CreatedAt: at(0), ChangedAt: at(0)}
	all := []*user.User{h, m, bare, empty}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, u := range all {
			if err := tx.InsertUser(ctx, u); err != nil {
				return err
			}
		}
		return nil
	})
	for _, u := range all {
		got, err := s.User(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkUser(t, got, u)
		got, err = s.UserByName(ctx, "org1", u.UserName)
		if err != nil {
			t.Fatal(err)
		}
		checkUser(t, got, u)
	}
	got, _ := s.User(ctx, bare.ID)
	if got.Human != nil || got.Machine != nil || !got.CreatedAt.IsZero() || !got.ChangedAt.IsZero() {
		t.Errorf("bare user came back as %+v", got)
	}

	// Every field changes on update.
	prev := h.Sequence
	h2 := *h
	hu := *h.Human
	h2.Human = &hu
	h2.UserName, h2.State, h2.StateBeforeLock, h2.Sequence, h2.ChangedAt, h2.CredentialEpoch = "hanna2", user.StateLocked, user.StateActive, prev+1, at(time.Minute), 8
	hu.FirstName, hu.Email, hu.PasswordHash, hu.FailedPasswordAttempts, hu.PasswordChangeRequired = "Hanna", "h2@example.org", "", 0, false
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.UpdateUser(ctx, &h2, prev) })
	got, err = s.User(ctx, h.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkUser(t, got, &h2)

	// Human → nil and Machine set (type change) also round-trips.
	h3 := h2
	h3.Human, h3.Machine, h3.Type, h3.Sequence = nil, &user.Machine{Name: "n"}, user.TypeMachine, h2.Sequence+1
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.UpdateUser(ctx, &h3, h2.Sequence) })
	got, err = s.User(ctx, h.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkUser(t, got, &h3)
}

func removeUser(t *testing.T, s store.Store, id string) {
	t.Helper()
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		u, err := tx.User(ctx, id)
		if err != nil {
			return err
		}
		prev := u.Sequence
		ev, err := user.Apply(u, user.OpRemove, user.Actor{At: store.Now()})
		if err != nil {
			return err
		}
		if err := tx.UpdateUser(ctx, u, prev); err != nil {
			return err
		}
		return tx.Append(ctx, ev)
	})
}

func testUserDuplicates(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	a := newUser(t, s, "orgA", "dup")
	insert := func(u *user.User) error {
		return s.Write(ctx, func(ctx context.Context, tx store.Tx) error { return tx.InsertUser(ctx, u) })
	}
	wantErr(t, insert(humanUser("orgA", "dup")), store.ErrDuplicate)
	// Same id, different name.
	same := humanUser("orgA", "other")
	same.ID = a.ID
	wantErr(t, insert(same), store.ErrDuplicate)
	// Same name in another org is fine.
	if err := insert(humanUser("orgB", "dup")); err != nil {
		t.Fatal(err)
	}
	// Renaming onto a taken name is a duplicate too.
	c := newUser(t, s, "orgA", "carl")
	err := s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		u := *c
		u.UserName, u.Sequence = "dup", c.Sequence+1
		return tx.UpdateUser(ctx, &u, c.Sequence)
	})
	wantErr(t, err, store.ErrDuplicate)

	// A removed user frees the name, stays readable by id, is gone by name.
	removeUser(t, s, a.ID)
	got, err := s.User(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != user.StateDeleted {
		t.Errorf("removed user state %v", got.State)
	}
	_, err = s.UserByName(ctx, "orgA", "dup")
	wantErr(t, err, store.ErrNotFound)
	b := newUser(t, s, "orgA", "dup")
	got, err = s.UserByName(ctx, "orgA", "dup")
	if err != nil {
		t.Fatal(err)
	}
	checkUser(t, got, b)
	// And two removed users may share the name.
	removeUser(t, s, b.ID)
	newUser(t, s, "orgA", "dup")
}

func testUpdateUserConflict(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	u := newUser(t, s, "o", "stale")
	var calls atomic.Int32
	err := s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		calls.Add(1)
		v := *u
		v.Sequence = 5
		return tx.UpdateUser(ctx, &v, 4) // stored sequence is 1
	})
	wantErr(t, err, store.ErrConflict)
	if calls.Load() < 2 {
		t.Errorf("fn ran %d times, want retries on ErrConflict", calls.Load())
	}
	// Missing user: also a conflict (the guard matched no row).
	err = s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		v := *u
		v.ID = "missing"
		return tx.UpdateUser(ctx, &v, 1)
	})
	wantErr(t, err, store.ErrConflict)
	got, err := s.User(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	checkUser(t, got, u)
}

func testWriteRetries(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	u := newUser(t, s, "o", "retry")
	var calls int
	err := s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		calls++
		// The first attempt writes, then loses; its writes must not survive.
		if calls == 1 {
			if err := tx.Append(ctx, event.Event{AggregateType: "user", AggregateID: u.ID, Sequence: 99, Type: "junk"}); err != nil {
				return err
			}
			return fmt.Errorf("lost the race: %w", store.ErrConflict)
		}
		cur, err := tx.User(ctx, u.ID)
		if err != nil {
			return err
		}
		prev := cur.Sequence
		ev, err := user.Apply(cur, user.OpLock, user.Actor{At: store.Now()})
		if err != nil {
			return err
		}
		if err := tx.UpdateUser(ctx, cur, prev); err != nil {
			return err
		}
		return tx.Append(ctx, ev)
	})
	if err != nil {
		t.Fatal(err)
	}
	if calls != 2 {
		t.Errorf("fn ran %d times, want 2", calls)
	}
	evs, err := s.Events(ctx, store.EventQuery{AggregateType: "user", AggregateID: u.ID, Asc: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) != 1 || evs[0].Sequence != 2 || evs[0].Type != event.UserLocked {
		t.Errorf("events after retry: %+v", evs)
	}
}

func testRollback(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	u := newUser(t, s, "o", "rb")
	inner := errors.New("inner")
	err := s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := tx.InsertOrg(ctx, &org.Org{ID: "rb-org", Name: "rb", State: 1, Sequence: 1}); err != nil {
			return err
		}
		if err := tx.InsertUser(ctx, humanUser("rb-org", "ghost")); err != nil {
			return err
		}
		v := *u
		v.State, v.Sequence = user.StateLocked, 2
		if err := tx.UpdateUser(ctx, &v, 1); err != nil {
			return err
		}
		if err := tx.PutMember(ctx, &org.Member{OrgID: "rb-org", UserID: u.ID, Roles: []string{"ORG_OWNER"}}); err != nil {
			return err
		}
		if err := tx.InsertPAT(ctx, &credential.PAT{ID: "rb-pat", UserID: u.ID, Hash: []byte("h")}); err != nil {
			return err
		}
		if err := tx.InsertInstance(ctx, &org.Instance{ID: "rb-inst"}); err != nil {
			return err
		}
		if err := tx.Append(ctx, event.Event{AggregateType: "user", AggregateID: u.ID, Sequence: 2, Type: "x"}); err != nil {
			return err
		}
		return fmt.Errorf("refused: %w", inner)
	})
	if !errors.Is(err, inner) {
		t.Fatalf("Write returned %v, want fn's error", err)
	}
	_, err = s.Org(ctx, "rb-org")
	wantErr(t, err, store.ErrNotFound)
	_, err = s.UserByName(ctx, "rb-org", "ghost")
	wantErr(t, err, store.ErrNotFound)
	got, _ := s.User(ctx, u.ID)
	checkUser(t, got, u)
	_, err = s.Member(ctx, "rb-org", u.ID)
	wantErr(t, err, store.ErrNotFound)
	_, err = s.PAT(ctx, u.ID, "rb-pat")
	wantErr(t, err, store.ErrNotFound)
	_, err = s.Instance(ctx)
	wantErr(t, err, store.ErrNotFound)
	evs, _ := s.Events(ctx, store.EventQuery{AggregateID: u.ID})
	if len(evs) != 0 {
		t.Errorf("events survived rollback: %+v", evs)
	}
}

// testConcurrentIndependent: refusals among concurrent writes (which a
// group-commit engine puts in one transaction) do not take the others down.
func testConcurrentIndependent(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	const n = 64
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, n)
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
				o := &org.Org{ID: "ci-" + strconv.Itoa(i), Name: "ci " + strconv.Itoa(i), State: 1, Sequence: 1}
				if err := tx.InsertOrg(ctx, o); err != nil {
					return err
				}
				if i%2 == 1 {
					return errOut
				}
				return nil
			})
		})
	}
	close(start)
	wg.Wait()
	for i := range n {
		_, err := s.Org(ctx, "ci-"+strconv.Itoa(i))
		if i%2 == 0 {
			if errs[i] != nil || err != nil {
				t.Errorf("write %d: %v, read: %v", i, errs[i], err)
			}
		} else {
			if !errors.Is(errs[i], errOut) || !errors.Is(err, store.ErrNotFound) {
				t.Errorf("refused write %d: %v, read: %v", i, errs[i], err)
			}
		}
	}
}

func testTxSeesOwnWrites(t *testing.T, s store.Store) {
	u := humanUser("own", "self")
	p := &credential.PAT{ID: ids.Next(), UserID: u.ID, OrgID: "own", Hash: []byte("own-hash"), CreatedAt: at(0), Epoch: 1, Sequence: 1}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.InsertOrg(ctx, &org.Org{ID: "own", Name: "own", State: 1, Sequence: 1}); err != nil {
			return err
		}
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		if err := tx.PutMember(ctx, &org.Member{OrgID: "own", UserID: u.ID, Roles: []string{"ORG_OWNER"}}); err != nil {
			return err
		}
		if err := tx.InsertPAT(ctx, p); err != nil {
			return err
		}
		if err := tx.Append(ctx, event.Event{AggregateType: "user", AggregateID: u.ID, Sequence: 1, Type: "t"}); err != nil {
			return err
		}
		if _, err := tx.Org(ctx, "own"); err != nil {
			return err
		}
		got, err := tx.User(ctx, u.ID)
		if err != nil {
			return err
		}
		checkUser(t, got, u)
		if page, err := tx.ListUsers(ctx, store.UserQuery{OrgID: "own"}); err != nil || page.Total != 1 {
			return fmt.Errorf("list in tx: %v %+v", err, page)
		}
		if _, err := tx.Member(ctx, "own", u.ID); err != nil {
			return err
		}
		if _, err := tx.PATByHash(ctx, []byte("own-hash")); err != nil {
			return err
		}
		if evs, err := tx.Events(ctx, store.EventQuery{AggregateID: u.ID}); err != nil || len(evs) != 1 {
			return fmt.Errorf("events in tx: %v %v", err, evs)
		}
		// Deletes are seen too.
		if err := tx.DeleteMember(ctx, "own", u.ID); err != nil {
			return err
		}
		if _, err := tx.Member(ctx, "own", u.ID); !errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("member after delete: %v", err)
		}
		return nil
	})
}

func testAppendDuplicate(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	e := event.Event{AggregateType: "user", AggregateID: "agg", Sequence: 1, Type: "a", CreatedAt: at(0)}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.Append(ctx, e) })
	var calls int
	err := s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		calls++
		e2 := e
		e2.Type = "b"
		return tx.Append(ctx, e2)
	})
	wantErr(t, err, store.ErrConflict)
	// Within one call as well.
	e3 := e
	e3.Sequence = 2
	err = s.Write(ctx, func(ctx context.Context, tx store.Tx) error { return tx.Append(ctx, e3, e3) })
	wantErr(t, err, store.ErrConflict)
	evs, err := s.Events(ctx, store.EventQuery{AggregateID: "agg", Asc: true})
	if err != nil {
		t.Fatal(err)
	}
	checkEvents(t, evs, []event.Event{e})
}

func testEvents(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	var all []event.Event
	for i := 1; i <= 10; i++ {
		e := event.Event{AggregateType: "user", AggregateID: "ev", Sequence: uint64(i), Type: "t" + strconv.Itoa(i),
			CreatedAt: at(time.Duration(i) * time.Millisecond), CreatorID: "c", ResourceOwner: "ro",
			Payload: []byte(`{"i":` + strconv.Itoa(i) + `}`)}
		if i == 3 {
			e.Payload = nil
			e.CreatorID = ""
		}
		all = append(all, e)
	}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.Append(ctx, all[:4]...) })
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.Append(ctx, all[4:]...) })
	// Another aggregate's events never show up.
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.Append(ctx, event.Event{AggregateType: "user", AggregateID: "other", Sequence: 1, Type: "x"})
	})
	rev := slices.Clone(all)
	slices.Reverse(rev)

	get := func(q store.EventQuery) []event.Event {
		t.Helper()
		q.AggregateID = "ev"
		evs, err := s.Events(ctx, q)
		if err != nil {
			t.Fatal(err)
		}
		return evs
	}
	checkEvents(t, get(store.EventQuery{AggregateType: "user", Asc: true}), all)
	checkEvents(t, get(store.EventQuery{AggregateType: "user"}), rev)
	checkEvents(t, get(store.EventQuery{Asc: true, AfterSequence: 5}), all[5:])
	checkEvents(t, get(store.EventQuery{AfterSequence: 5}), rev[6:]) // 4,3,2,1
	checkEvents(t, get(store.EventQuery{Asc: true, Limit: 3}), all[:3])
	checkEvents(t, get(store.EventQuery{Limit: 3}), rev[:3])
	checkEvents(t, get(store.EventQuery{Asc: true, AfterSequence: 8, Limit: 1}), all[8:9])
	checkEvents(t, get(store.EventQuery{Asc: true, AfterSequence: 10}), nil)
	checkEvents(t, get(store.EventQuery{AggregateType: "org", Asc: true}), nil)
	if got := get(store.EventQuery{Asc: true}); got[2].Payload != nil {
		t.Errorf("nil payload came back as %q", got[2].Payload)
	}
}

func testMembers(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	_, err := s.Member(ctx, "o", "u")
	wantErr(t, err, store.ErrNotFound)
	wantErr(t, s.Write(ctx, func(ctx context.Context, tx store.Tx) error { return tx.DeleteMember(ctx, "o", "u") }), store.ErrNotFound)

	var ms []*org.Member
	for i := range 12 {
		ms = append(ms, &org.Member{OrgID: "mo", UserID: strconv.Itoa(5 + i), Roles: []string{"ORG_OWNER", "ORG_USER_MANAGER"},
			CreatedAt: at(0), ChangedAt: at(time.Second), Sequence: uint64(i + 1)})
	}
	inst := &org.Member{OrgID: org.InstanceScope, UserID: "7", Roles: []string{"IAM_OWNER"}, CreatedAt: at(0), ChangedAt: at(0), Sequence: 1}
	noRoles := &org.Member{OrgID: "other", UserID: "7", Roles: []string{}, Sequence: 2}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, m := range append(ms, inst, noRoles) {
			if err := tx.PutMember(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	for _, m := range append(ms, inst, noRoles) {
		got, err := s.Member(ctx, m.OrgID, m.UserID)
		if err != nil {
			t.Fatal(err)
		}
		checkMember(t, got, m)
	}
	// Replace.
	r := *ms[0]
	r.Roles, r.ChangedAt, r.Sequence = []string{"ORG_OWNER_VIEWER"}, at(time.Hour), 40
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.PutMember(ctx, &r) })
	got, err := s.Member(ctx, "mo", r.UserID)
	if err != nil {
		t.Fatal(err)
	}
	checkMember(t, got, &r)
	ms[0] = &r

	list := func(p store.Page) ([]string, uint64) {
		t.Helper()
		got, total, err := s.ListMembers(ctx, "mo", p)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, m := range got {
			ids = append(ids, m.UserID)
		}
		return ids, total
	}
	want := []string{"5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16"}
	if ids, total := list(store.Page{Asc: true}); !slices.Equal(ids, want) || total != 12 {
		t.Errorf("asc: %v %d", ids, total)
	}
	if ids, total := list(store.Page{Asc: true, Offset: 3, Limit: 4}); !slices.Equal(ids, want[3:7]) || total != 12 {
		t.Errorf("page: %v %d", ids, total)
	}
	rev := slices.Clone(want)
	slices.Reverse(rev)
	if ids, total := list(store.Page{Limit: 2}); !slices.Equal(ids, rev[:2]) || total != 12 {
		t.Errorf("desc: %v %d", ids, total)
	}
	if ids, total := list(store.Page{Offset: 50}); len(ids) != 0 || total != 12 {
		t.Errorf("past the end: %v %d", ids, total)
	}
	instList, total, err := s.ListMembers(ctx, org.InstanceScope, store.Page{})
	if err != nil || total != 1 || len(instList) != 1 {
		t.Fatalf("instance members: %v %d %v", instList, total, err)
	}
	checkMember(t, instList[0], inst)

	of, err := s.MembershipsOf(ctx, "7")
	if err != nil {
		t.Fatal(err)
	}
	if len(of) != 3 {
		t.Fatalf("MembershipsOf: %d", len(of))
	}
	byScope := map[string]*org.Member{}
	for _, m := range of {
		byScope[m.OrgID] = m
	}
	checkMember(t, byScope[""], inst)
	checkMember(t, byScope["mo"], ms[2])
	checkMember(t, byScope["other"], noRoles)

	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeleteMember(ctx, "mo", "7") })
	_, err = s.Member(ctx, "mo", "7")
	wantErr(t, err, store.ErrNotFound)
	if of, _ := s.MembershipsOf(ctx, "7"); len(of) != 2 {
		t.Errorf("after delete: %d memberships", len(of))
	}
	if of, err := s.MembershipsOf(ctx, "nobody"); err != nil || len(of) != 0 {
		t.Errorf("MembershipsOf nobody: %v %v", of, err)
	}
}

func testPATs(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	_, err := s.PAT(ctx, "u", "p")
	wantErr(t, err, store.ErrNotFound)
	_, err = s.PATByHash(ctx, []byte("nope"))
	wantErr(t, err, store.ErrNotFound)

	var pats []*credential.PAT
	for i := range 5 {
		_, hash := credential.NewToken()
		p := &credential.PAT{ID: strconv.Itoa(8 + i), UserID: "pu", OrgID: "po", Hash: hash,
			CreatedAt: at(time.Duration(i) * time.Second), Epoch: 3, Sequence: uint64(10 + i)}
		if i%2 == 0 {
			p.Expiration = at(24 * time.Hour)
		}
		pats = append(pats, p)
	}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, p := range pats {
			if err := tx.InsertPAT(ctx, p); err != nil {
				return err
			}
		}
		return nil
	})
	for _, p := range pats {
		got, err := s.PAT(ctx, "pu", p.ID)
		if err != nil {
			t.Fatal(err)
		}
		checkPAT(t, got, p)
		got, err = s.PATByHash(ctx, p.Hash)
		if err != nil {
			t.Fatal(err)
		}
		checkPAT(t, got, p)
	}
	if got, _ := s.PAT(ctx, "pu", pats[1].ID); !got.Expiration.IsZero() {
		t.Errorf("zero expiration came back as %v", got.Expiration)
	}
	_, err = s.PAT(ctx, "someone-else", pats[0].ID)
	wantErr(t, err, store.ErrNotFound)

	dupHash := &credential.PAT{ID: ids.Next(), UserID: "pu", Hash: pats[0].Hash}
	wantErr(t, s.Write(ctx, func(ctx context.Context, tx store.Tx) error { return tx.InsertPAT(ctx, dupHash) }), store.ErrDuplicate)
	dupID := &credential.PAT{ID: pats[0].ID, UserID: "pu", Hash: []byte("fresh")}
	wantErr(t, s.Write(ctx, func(ctx context.Context, tx store.Tx) error { return tx.InsertPAT(ctx, dupID) }), store.ErrDuplicate)

	list := func(p store.Page) ([]string, uint64) {
		t.Helper()
		got, total, err := s.ListPATs(ctx, "pu", p)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, p := range got {
			ids = append(ids, p.ID)
		}
		return ids, total
	}
	if ids, total := list(store.Page{Asc: true}); !slices.Equal(ids, []string{"8", "9", "10", "11", "12"}) || total != 5 {
		t.Errorf("asc: %v %d", ids, total)
	}
	if ids, total := list(store.Page{Offset: 1, Limit: 2}); !slices.Equal(ids, []string{"11", "10"}) || total != 5 {
		t.Errorf("desc page: %v %d", ids, total)
	}
	if ids, total := list(store.Page{Offset: 9}); len(ids) != 0 || total != 5 {
		t.Errorf("past end: %v %d", ids, total)
	}

	wantErr(t, s.Write(ctx, func(ctx context.Context, tx store.Tx) error { return tx.DeletePAT(ctx, "other", pats[0].ID) }), store.ErrNotFound)
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeletePAT(ctx, "pu", pats[0].ID) })
	_, err = s.PATByHash(ctx, pats[0].Hash)
	wantErr(t, err, store.ErrNotFound)
	if _, total := list(store.Page{}); total != 4 {
		t.Errorf("after delete: total %d", total)
	}
}

// testSearchCredentials covers SearchPATs and SearchMachineKeys: filters,
// the org restriction, sorting (no expiry sorts as the latest) and paging.
func testSearchCredentials(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	base := at(0)
	ts := func(d time.Duration) time.Time { return base.Add(d) }
	// id, user, org, created (s), expires (h; 0 = never)
	rows := []struct {
		id, user, org string
		created, exp  int
	}{{"8", "u1", "o1", 3, 0}, {"9", "u1", "o1", 1, 5}, {"10", "u2", "o2", 2, 2}, {"11", "u3", "o1", 4, 9}}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, r := range rows {
			_, hash := credential.NewToken()
			p := &credential.PAT{ID: r.id, UserID: r.user, OrgID: r.org, Hash: hash, CreatedAt: ts(time.Duration(r.created) * time.Second)}
			art := &store.Artifact{Kind: credential.KindMachineKey, ID: r.id, UserID: r.user, OrgID: r.org, CreatedAt: p.CreatedAt, ExpiresAt: store.NoExpiry}
			if r.exp > 0 {
				p.Expiration = ts(time.Duration(r.exp) * time.Hour)
				art.ExpiresAt = p.Expiration
			}
			if err := tx.InsertPAT(ctx, p); err != nil {
				return err
			}
			if err := tx.PutArtifact(ctx, art); err != nil {
				return err
			}
		}
		// Another kind of artifact is never a machine key.
		return tx.PutArtifact(ctx, &store.Artifact{Kind: "other", ID: "12", UserID: "u1", OrgID: "o1", CreatedAt: ts(0)})
	})
	cases := []struct {
		name  string
		q     store.CredentialQuery
		want  []string
		total uint64
	}{
		{"all, newest first", store.CredentialQuery{}, []string{"11", "8", "10", "9"}, 4},
		{"asc", store.CredentialQuery{Page: store.Page{Asc: true}}, []string{"9", "10", "8", "11"}, 4},
		{"by id", store.CredentialQuery{Sort: store.SortCredID, Page: store.Page{Asc: true}}, []string{"8", "9", "10", "11"}, 4},
		{"by user desc", store.CredentialQuery{Sort: store.SortCredUserID}, []string{"11", "10", "9", "8"}, 4},
		{"by org", store.CredentialQuery{Sort: store.SortCredOrgID, Page: store.Page{Asc: true}}, []string{"8", "9", "11", "10"}, 4},
		{"by expiry", store.CredentialQuery{Sort: store.SortCredExpiration, Page: store.Page{Asc: true}}, []string{"10", "9", "11", "8"}, 4},
		{"by expiry desc", store.CredentialQuery{Sort: store.SortCredExpiration}, []string{"8", "11", "9", "10"}, 4},
		{"user", store.CredentialQuery{UserIDs: []string{"u1"}, Page: store.Page{Asc: true}}, []string{"9", "8"}, 2},
		{"id and org", store.CredentialQuery{IDs: []string{"11"}, OrgIDs: []string{"o1"}}, []string{"11"}, 1},
		{"two users", store.CredentialQuery{UserIDs: []string{"u1", "u2"}}, nil, 0},
		{"in orgs", store.CredentialQuery{InOrgs: []string{"o2", "o9"}}, []string{"10"}, 1},
		{"in no org", store.CredentialQuery{InOrgs: []string{}}, nil, 0},
		{"created after", store.CredentialQuery{Created: []store.TimeCond{{Op: store.TimeAfter, At: ts(2 * time.Second)}}, Page: store.Page{Asc: true}}, []string{"8", "11"}, 2},
		{"created equal", store.CredentialQuery{Created: []store.TimeCond{{Op: store.TimeEq, At: ts(2 * time.Second)}}}, []string{"10"}, 1},
		{"expires before or at", store.CredentialQuery{Expires: []store.TimeCond{{Op: store.TimeBeforeOrEq, At: ts(5 * time.Hour)}}, Page: store.Page{Asc: true}}, []string{"9", "10"}, 2},
		{"expires after (never counts)", store.CredentialQuery{Expires: []store.TimeCond{{Op: store.TimeAfter, At: ts(8 * time.Hour)}}, Page: store.Page{Asc: true}}, []string{"8", "11"}, 2},
		{"window", store.CredentialQuery{Expires: []store.TimeCond{{Op: store.TimeAfterOrEq, At: ts(2 * time.Hour)}, {Op: store.TimeBefore, At: ts(9 * time.Hour)}},
			Created: []store.TimeCond{{Op: store.TimeBefore, At: ts(3 * time.Second)}}, InOrgs: []string{"o1", "o2"}, Page: store.Page{Asc: true}}, []string{"9", "10"}, 2},
		{"page", store.CredentialQuery{Page: store.Page{Offset: 1, Limit: 2}}, []string{"8", "10"}, 4},
		{"past end", store.CredentialQuery{UserIDs: []string{"u1"}, Page: store.Page{Offset: 5}}, nil, 2},
	}
	for _, c := range cases {
		pats, pt, err := s.SearchPATs(ctx, c.q)
		if err != nil {
			t.Fatalf("%s: pats: %v", c.name, err)
		}
		var got []string
		for _, p := range pats {
			got = append(got, p.ID)
		}
		if !slices.Equal(got, c.want) || pt != c.total {
			t.Errorf("%s: pats %v (%d), want %v (%d)", c.name, got, pt, c.want, c.total)
		}
		keys, kt, err := s.SearchMachineKeys(ctx, c.q)
		if err != nil {
			t.Fatalf("%s: keys: %v", c.name, err)
		}
		got = nil
		for _, k := range keys {
			got = append(got, k.ID)
		}
		if !slices.Equal(got, c.want) || kt != c.total {
			t.Errorf("%s: keys %v (%d), want %v (%d)", c.name, got, kt, c.want, c.total)
		}
	}
}

func testPrincipal(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	_, _, _, err := s.Principal(ctx, []byte("nope"))
	wantErr(t, err, store.ErrNotFound)

	o := newOrg(t, s, "principal-org")
	u := newUser(t, s, o.ID, "principal")
	other := newUser(t, s, o.ID, "bystander")
	_, hash := credential.NewToken()
	p := &credential.PAT{ID: ids.Next(), UserID: u.ID, OrgID: o.ID, Hash: hash, Expiration: at(time.Hour),
		CreatedAt: at(0), Epoch: u.CredentialEpoch, Sequence: u.Sequence}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.InsertPAT(ctx, p) })
	get := func(hash []byte) (*credential.PAT, *user.User, []*org.Member) {
		t.Helper()
		gp, gu, gms, err := s.Principal(ctx, hash)
		if err != nil {
			t.Fatalf("Principal: %v", err)
		}
		return gp, gu, gms
	}

	// No memberships.
	gp, gu, gms := get(hash)
	checkPAT(t, gp, p)
	checkUser(t, gu, u)
	if len(gms) != 0 {
		t.Errorf("memberships without any: %+v", gms)
	}

	// Instance and org memberships, in MembershipsOf's order; others' stay out.
	inst := &org.Member{OrgID: org.InstanceScope, UserID: u.ID, Roles: []string{"IAM_OWNER"}, Sequence: 1} // zero times
	own := &org.Member{OrgID: o.ID, UserID: u.ID, Roles: []string{"ORG_OWNER", "ORG_USER_MANAGER"},
		CreatedAt: at(0), ChangedAt: at(time.Second), Sequence: 7}
	none := &org.Member{OrgID: "zz-" + o.ID, UserID: u.ID, Roles: []string{}, CreatedAt: at(0), ChangedAt: at(0), Sequence: 2}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, m := range []*org.Member{none, own, inst,
			{OrgID: o.ID, UserID: other.ID, Roles: []string{"ORG_OWNER"}, Sequence: 1}} {
			if err := tx.PutMember(ctx, m); err != nil {
				return err
			}
		}
		return nil
	})
	gp, gu, gms = get(hash)
	checkPAT(t, gp, p)
	checkUser(t, gu, u)
	want := []*org.Member{inst, own, none}
	if len(gms) != len(want) {
		t.Fatalf("got %d memberships, want %d: %+v", len(gms), len(want), gms)
	}
	for i := range want {
		checkMember(t, gms[i], want[i])
	}
	of, err := s.MembershipsOf(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	for i := range of {
		checkMember(t, gms[i], of[i])
	}

	// Inside a transaction it sees the transaction's own writes.
	_, hash2 := credential.NewToken()
	p2 := &credential.PAT{ID: ids.Next(), UserID: other.ID, OrgID: o.ID, Hash: hash2, CreatedAt: at(0), Epoch: other.CredentialEpoch}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		if err := tx.InsertPAT(ctx, p2); err != nil {
			return err
		}
		gp, gu, gms, err := tx.Principal(ctx, hash2)
		if err != nil {
			return err
		}
		checkPAT(t, gp, p2)
		checkUser(t, gu, other)
		if len(gms) != 1 || gms[0].UserID != other.ID || !slices.Equal(gms[0].Roles, []string{"ORG_OWNER"}) {
			t.Errorf("memberships in tx: %+v", gms)
		}
		return nil
	})

	// A removed user is still returned, in its removed state, for the caller to refuse.
	removeUser(t, s, u.ID)
	_, gu, gms = get(hash)
	if gu == nil || gu.ID != u.ID || gu.State != user.StateDeleted || gu.CanAuthenticate() {
		t.Errorf("removed user: %+v", gu)
	}
	if len(gms) != 3 {
		t.Errorf("removed user's memberships: %d", len(gms))
	}

	// A PAT whose user row does not exist comes back with a nil user.
	_, hash3 := credential.NewToken()
	p3 := &credential.PAT{ID: ids.Next(), UserID: "no-such-user", OrgID: o.ID, Hash: hash3, CreatedAt: at(0)}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.InsertPAT(ctx, p3) })
	gp, gu, gms = get(hash3)
	checkPAT(t, gp, p3)
	if gu != nil || len(gms) != 0 {
		t.Errorf("orphan PAT: user %+v, memberships %+v", gu, gms)
	}

	// A deleted PAT is gone.
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeletePAT(ctx, p.UserID, p.ID) })
	_, _, _, err = s.Principal(ctx, hash)
	wantErr(t, err, store.ErrNotFound)
}

func testListUsers(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	type spec struct {
		id, org, name, email, first, last string
		state                             user.State
		typ                               user.Type
		created                           time.Duration
	}
	specs := []spec{
		{"8", "A", "alice", "Alice@Example.com", "Alice", "Zeta", user.StateActive, user.TypeHuman, 5},
		{"9", "A", "bob", "bob@example.org", "Bob", "Young", user.StateInactive, user.TypeHuman, 4},
		{"10", "A", "carol_x", "carol%x@example.com", "Carol", "Xu", user.StateLocked, user.TypeHuman, 3},
		{"11", "A", "carolax", "carolax@example.com", "Caro", "Wu", user.StateInitial, user.TypeHuman, 2},
		{"12", "A", "svc-bot", "", "", "", user.StateActive, user.TypeMachine, 1},
		{"13", "A", "gone", "gone@example.com", "G", "G", user.StateDeleted, user.TypeHuman, 0},
		{"14", "A", "ÄRGER", "ärger@example.com", "Änne", "Ärger", user.StateActive, user.TypeHuman, 6},
		{"15", "B", "alice", "alice@b.example", "Alicia", "B", user.StateActive, user.TypeHuman, 7},
	}
	base := store.Now()
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		for _, sp := range specs {
			u := &user.User{ID: sp.id, OrgID: sp.org, UserName: sp.name, Type: sp.typ, State: sp.state, Sequence: 1,
				CreatedAt: base.Add(sp.created * time.Second), ChangedAt: base, CredentialEpoch: 1}
			if sp.typ == user.TypeHuman {
				u.Human = &user.Human{Email: sp.email, FirstName: sp.first, LastName: sp.last, NickName: sp.last,
					DisplayName: sp.first + " " + sp.last}
			} else {
				u.Machine = &user.Machine{Name: sp.name}
			}
			if err := tx.InsertUser(ctx, u); err != nil {
				return err
			}
		}
		return nil
	})
	list := func(q store.UserQuery) ([]string, uint64) {
		t.Helper()
		page, err := s.ListUsers(ctx, q)
		if err != nil {
			t.Fatalf("ListUsers(%+v): %v", q, err)
		}
		var ids []string
		for _, u := range page.Users {
			ids = append(ids, u.ID)
		}
		return ids, page.Total
	}
	tm := func(v string, m store.TextMethod) []store.TextMatch { return []store.TextMatch{{Value: v, Method: m}} }
	cases := []struct {
		name string
		q    store.UserQuery
		want []string
	}{
		{"all, removed excluded", store.UserQuery{Asc: true}, []string{"8", "9", "10", "11", "12", "14", "15"}},
		{"all desc", store.UserQuery{}, []string{"15", "14", "12", "11", "10", "9", "8"}},
		{"org", store.UserQuery{OrgID: "B", Asc: true}, []string{"15"}},
		{"equals", store.UserQuery{UserNames: tm("alice", store.TextEquals), Asc: true}, []string{"8", "15"}},
		{"equals is case-sensitive", store.UserQuery{UserNames: tm("Alice", store.TextEquals)}, nil},
		{"equals ignore case", store.UserQuery{UserNames: tm("ALICE", store.TextEqualsIgnoreCase), Asc: true}, []string{"8", "15"}},
		{"equals ignore case unicode", store.UserQuery{UserNames: tm("ärger", store.TextEqualsIgnoreCase)}, []string{"14"}},
		{"starts with, _ literal", store.UserQuery{UserNames: tm("carol_", store.TextStartsWith)}, []string{"10"}},
		{"starts with", store.UserQuery{UserNames: tm("carol", store.TextStartsWith), Asc: true}, []string{"10", "11"}},
		{"starts with case", store.UserQuery{UserNames: tm("Carol", store.TextStartsWith)}, nil},
		{"starts with ignore case", store.UserQuery{UserNames: tm("CAROL_", store.TextStartsWithIgnoreCase)}, []string{"10"}},
		{"contains", store.UserQuery{UserNames: tm("ol_", store.TextContains)}, []string{"10"}},
		{"contains %", store.UserQuery{Emails: tm("%", store.TextContains)}, []string{"10"}},
		{"contains case", store.UserQuery{Emails: tm("Example", store.TextContains)}, []string{"8"}},
		{"contains ignore case", store.UserQuery{Emails: tm("EXAMPLE.COM", store.TextContainsIgnoreCase), Asc: true}, []string{"8", "10", "11", "14"}},
		{"contains ignore case %", store.UserQuery{Emails: tm("L%X", store.TextContainsIgnoreCase)}, []string{"10"}},
		{"ends with", store.UserQuery{Emails: tm(".org", store.TextEndsWith)}, []string{"9"}},
		{"ends with longer than value", store.UserQuery{UserNames: tm("xxxxxxxxxxxxalice", store.TextEndsWith)}, nil},
		{"ends with ignore case", store.UserQuery{Emails: tm("@EXAMPLE.COM", store.TextEndsWithIgnoreCase), Asc: true}, []string{"8", "10", "11", "14"}},
		{"ends with _", store.UserQuery{UserNames: tm("_x", store.TextEndsWith)}, []string{"10"}},
		{"two filters AND", store.UserQuery{UserNames: tm("alice", store.TextEquals), Emails: tm("b.example", store.TextEndsWith)}, []string{"15"}},
		{"states", store.UserQuery{States: []user.State{user.StateLocked, user.StateInactive}, Asc: true}, []string{"9", "10"}},
		{"removed state never listed", store.UserQuery{States: []user.State{user.StateDeleted}}, nil},
		{"types", store.UserQuery{Types: []user.Type{user.TypeMachine}}, []string{"12"}},
		{"ids", store.UserQuery{IDs: []string{"9", "13", "15", "99"}, Asc: true}, []string{"9", "15"}},
		{"ids empty non-nil", store.UserQuery{IDs: []string{}}, nil},
		{"sort user name", store.UserQuery{OrgID: "A", Sort: store.SortUserName, Asc: true}, []string{"8", "9", "10", "11", "12", "14"}},
		// Byte order (C collation) on both engines: "Ä" sorts after "Z".
		{"sort last name desc", store.UserQuery{OrgID: "A", Sort: store.SortLastName}, []string{"14", "8", "9", "10", "11", "12"}},
		{"sort first name", store.UserQuery{OrgID: "A", Sort: store.SortFirstName, Asc: true}, []string{"12", "8", "9", "11", "10", "14"}},
		{"sort nick name", store.UserQuery{OrgID: "A", Sort: store.SortNickName, Asc: true}, []string{"12", "11", "10", "9", "8", "14"}},
		{"sort display name", store.UserQuery{OrgID: "A", Sort: store.SortDisplayName, Asc: true}, []string{"12", "8", "9", "11", "10", "14"}},
		{"sort email", store.UserQuery{OrgID: "A", Sort: store.SortEmail, Asc: true}, []string{"12", "8", "9", "10", "11", "14"}},
		{"sort state then id", store.UserQuery{Sort: store.SortState, Asc: true}, []string{"8", "12", "14", "15", "9", "10", "11"}},
		{"sort type", store.UserQuery{Sort: store.SortType}, []string{"12", "15", "14", "11", "10", "9", "8"}},
		{"sort creation date", store.UserQuery{Sort: store.SortCreationDate, Asc: true}, []string{"12", "11", "10", "9", "8", "14", "15"}},
	}
	for _, c := range cases {
		ids, total := list(c.q)
		if !slices.Equal(ids, c.want) || total != uint64(len(c.want)) {
			t.Errorf("%s: got %v (total %d), want %v", c.name, ids, total, c.want)
		}
	}
	// Paging: total counts every match, the page is the window.
	if ids, total := list(store.UserQuery{Asc: true, Offset: 2, Limit: 3}); !slices.Equal(ids, []string{"10", "11", "12"}) || total != 7 {
		t.Errorf("page: %v %d", ids, total)
	}
	if ids, total := list(store.UserQuery{Asc: true, Offset: 6, Limit: 3}); !slices.Equal(ids, []string{"15"}) || total != 7 {
		t.Errorf("last page: %v %d", ids, total)
	}
	if ids, total := list(store.UserQuery{Offset: 100}); len(ids) != 0 || total != 7 {
		t.Errorf("past the end: %v %d", ids, total)
	}
	// Full users come back, not just ids.
	page, err := s.ListUsers(ctx, store.UserQuery{IDs: []string{"12"}})
	if err != nil {
		t.Fatal(err)
	}
	want, _ := s.User(ctx, "12")
	checkUser(t, page.Users[0], want)
}

func testListUsersLimits(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		for i := range 105 {
			if err := tx.InsertUser(ctx, humanUser("L", "u"+strconv.Itoa(i))); err != nil {
				return err
			}
		}
		return nil
	})
	for _, c := range []struct{ limit, want int }{{0, 100}, {-1, 100}, {5, 5}, {5000, 105}} {
		page, err := s.ListUsers(ctx, store.UserQuery{OrgID: "L", Limit: c.limit})
		if err != nil {
			t.Fatal(err)
		}
		if len(page.Users) != c.want || page.Total != 105 {
			t.Errorf("limit %d: %d users, total %d", c.limit, len(page.Users), page.Total)
		}
	}
}

// command runs the real command shape: load, decide, write state and event.
func command(ctx context.Context, s store.Store, userID string, op user.Op) error {
	return s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		u, err := tx.User(ctx, userID)
		if err != nil {
			return err
		}
		prev := u.Sequence
		ev, err := user.Apply(u, op, user.Actor{UserID: "actor", At: store.Now()})
		if err != nil {
			return err
		}
		if err := tx.UpdateUser(ctx, u, prev); err != nil {
			return err
		}
		return tx.Append(ctx, ev)
	})
}

// toggle locks an unlocked user and unlocks a locked one.
func toggle(ctx context.Context, s store.Store, userID string) error {
	return s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		u, err := tx.User(ctx, userID)
		if err != nil {
			return err
		}
		op := user.OpLock
		if u.State == user.StateLocked {
			op = user.OpUnlock
		}
		prev := u.Sequence
		ev, err := user.Apply(u, op, user.Actor{UserID: "actor", At: store.Now()})
		if err != nil {
			return err
		}
		if err := tx.UpdateUser(ctx, u, prev); err != nil {
			return err
		}
		return tx.Append(ctx, ev)
	})
}

func testConcurrentLockSameUser(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	u := newUser(t, s, "o", "target")
	const n = 32
	start := make(chan struct{})
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			<-start
			errs[i] = command(ctx, s, u.ID, user.OpLock)
		})
	}
	close(start)
	wg.Wait()
	ok, refused := 0, 0
	for _, err := range errs {
		switch {
		case err == nil:
			ok++
		case errors.Is(err, user.ErrNotActiveOrInitial):
			refused++
		default:
			t.Errorf("unexpected error: %v", err)
		}
	}
	if ok != 1 || refused != n-1 {
		t.Fatalf("%d succeeded, %d refused; want 1 and %d", ok, refused, n-1)
	}
	got, err := s.User(ctx, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.State != user.StateLocked || got.Sequence != 2 || got.CredentialEpoch != 2 {
		t.Errorf("after lock: state %v sequence %d epoch %d", got.State, got.Sequence, got.CredentialEpoch)
	}
	evs, err := s.Events(ctx, store.EventQuery{AggregateID: u.ID, Asc: true})
	if err != nil {
		t.Fatal(err)
	}
	locked := 0
	for _, e := range evs {
		if e.Type == event.UserLocked {
			locked++
		}
	}
	if locked != 1 || len(evs) != 1 || evs[0].Sequence != 2 {
		t.Errorf("events: %+v", evs)
	}
}

func testConcurrentManyUsers(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	const users, workers, rounds = 16, 4, 15
	var us []*user.User
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		for i := range users {
			u, ev := user.NewHuman(ids.Next(), "many", "m"+strconv.Itoa(i), user.Human{}, false, user.Actor{At: store.Now()})
			if err := tx.InsertUser(ctx, u); err != nil {
				return err
			}
			if err := tx.Append(ctx, ev); err != nil {
				return err
			}
			us = append(us, u)
		}
		return nil
	})
	var okCount [users]atomic.Int64
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range users {
		for range workers {
			wg.Go(func() {
				<-start
				for range rounds {
					if err := toggle(ctx, s, us[i].ID); err != nil {
						t.Errorf("toggle: %v", err)
						return
					}
					okCount[i].Add(1)
				}
			})
		}
	}
	close(start)
	wg.Wait()
	for i, u := range us {
		n := uint64(okCount[i].Load())
		got, err := s.User(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Sequence != n+1 {
			t.Errorf("user %d: sequence %d after %d toggles", i, got.Sequence, n)
		}
		wantState := user.StateActive
		if n%2 == 1 {
			wantState = user.StateLocked
		}
		if got.State != wantState {
			t.Errorf("user %d: state %v after %d toggles", i, got.State, n)
		}
		evs, err := s.Events(ctx, store.EventQuery{AggregateID: u.ID, Asc: true, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		if uint64(len(evs)) != n+1 {
			t.Fatalf("user %d: %d events, want %d", i, len(evs), n+1)
		}
		for j, e := range evs {
			if e.Sequence != uint64(j+1) {
				t.Fatalf("user %d: event %d has sequence %d (gap)", i, j, e.Sequence)
			}
			if j > 0 {
				want := event.UserLocked
				if j%2 == 0 {
					want = event.UserUnlocked
				}
				if e.Type != want {
					t.Fatalf("user %d: event %d is %s, want %s", i, j, e.Type, want)
				}
			}
		}
	}
}

func testReadAfterWrite(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			u := humanUser("raw", "raw"+strconv.Itoa(g))
			if err := s.Write(ctx, func(ctx context.Context, tx store.Tx) error { return tx.InsertUser(ctx, u) }); err != nil {
				t.Error(err)
				return
			}
			for i := range 50 {
				if err := toggle(ctx, s, u.ID); err != nil {
					t.Error(err)
					return
				}
				got, err := s.User(ctx, u.ID)
				if err != nil {
					t.Error(err)
					return
				}
				if got.Sequence != uint64(i+2) {
					t.Errorf("read after write: sequence %d, want %d", got.Sequence, i+2)
					return
				}
			}
		})
	}
	wg.Wait()
}

func testCancelled(t *testing.T, s store.Store) {
	ctx, cancel := context.WithCancel(ctxT(t))
	cancel()
	ran := false
	err := s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		ran = true
		return tx.InsertOrg(ctx, &org.Org{ID: "cancelled", Name: "cancelled", State: 1, Sequence: 1})
	})
	if !errors.Is(err, context.Canceled) || ran {
		t.Errorf("Write with cancelled ctx: err %v, fn ran %v", err, ran)
	}
	if _, err := s.Org(ctxT(t), "cancelled"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("org written despite cancelled ctx: %v", err)
	}
}

// Bench measures lock/unlock commands (load, decide, write state and event), one
// at a time and from ~32 goroutines, each on its own user.
func Bench(b *testing.B, s store.Store) {
	ctx := b.Context()
	mkUser := func() string {
		u, ev := user.NewHuman(ids.Next(), "bench", "b"+ids.Next(), user.Human{Email: "b@example.com"}, false, user.Actor{At: store.Now()})
		if err := s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			if err := tx.InsertUser(ctx, u); err != nil {
				return err
			}
			return tx.Append(ctx, ev)
		}); err != nil {
			b.Fatal(err)
		}
		return u.ID
	}
	b.Run("sequential", func(b *testing.B) {
		id := mkUser()
		for b.Loop() {
			if err := toggle(ctx, s, id); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	})
	b.Run("parallel32", func(b *testing.B) {
		b.SetParallelism(max(1, 32/runtime.GOMAXPROCS(0)))
		b.RunParallel(func(pb *testing.PB) {
			id := mkUser()
			for pb.Next() {
				if err := toggle(ctx, s, id); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	})
	b.Run("read", func(b *testing.B) {
		id := mkUser()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := s.User(ctx, id); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "ops/s")
	})
}
