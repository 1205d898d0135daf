package sqlite_test

import (
	"context"
	"path/filepath"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/sqlite"
	"github.com/warden-id/warden/internal/user"
)

// TestPrincipalCacheIsExact: whatever readers race with, a Principal read that
// starts after a Write returned sees that write — state, epoch, memberships,
// removed PATs — although answers are cached.
func TestPrincipalCacheIsExact(t *testing.T) {
	ctx := context.Background()
	s, err := sqlite.Open(ctx, filepath.Join(t.TempDir(), "c.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	at := store.Now()
	u, ev := user.NewMachine("1", "o", "bot", user.Machine{Name: "bot"}, user.Actor{At: at})
	_, hash := credential.NewToken()
	p := &credential.PAT{ID: "p1", UserID: "1", OrgID: "o", Hash: hash, CreatedAt: at, Epoch: u.CredentialEpoch}
	err = s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := tx.InsertUser(ctx, u); err != nil {
			return err
		}
		if err := tx.InsertPAT(ctx, p); err != nil {
			return err
		}
		return tx.Append(ctx, ev)
	})
	if err != nil {
		t.Fatal(err)
	}

	// Readers hammer the cache while the writer toggles the user.
	var stop atomic.Bool
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for !stop.Load() {
				_, _, _, _ = s.Principal(ctx, hash)
			}
		}()
	}
	defer func() { stop.Store(true); wg.Wait() }()

	for i := 0; i < 200; i++ {
		op := user.OpLock
		if i%2 == 1 {
			op = user.OpUnlock
		}
		var want user.User
		err := s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			cur, err := tx.User(ctx, "1")
			if err != nil {
				return err
			}
			prev := cur.Sequence
			ev, err := user.Apply(cur, op, user.Actor{At: store.Now()})
			if err != nil {
				return err
			}
			if err := tx.UpdateUser(ctx, cur, prev); err != nil {
				return err
			}
			want = *cur
			return tx.Append(ctx, ev)
		})
		if err != nil {
			t.Fatal(err)
		}
		_, got, _, err := s.Principal(ctx, hash)
		if err != nil || got.State != want.State || got.Sequence != want.Sequence || got.CredentialEpoch != want.CredentialEpoch {
			t.Fatalf("round %d: Principal gave %+v (%v), want state %v seq %d", i, got, err, want.State, want.Sequence)
		}
	}

	// Memberships and PAT removal are seen at once too.
	if err := s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		return tx.PutMember(ctx, &org.Member{OrgID: "o", UserID: "1", Roles: []string{"ORG_OWNER"}, CreatedAt: at, ChangedAt: at, Sequence: 1})
	}); err != nil {
		t.Fatal(err)
	}
	if _, _, ms, _ := s.Principal(ctx, hash); len(ms) != 1 {
		t.Fatalf("membership not seen: %v", ms)
	}
	if err := s.Write(ctx, func(ctx context.Context, tx store.Tx) error { return tx.DeletePAT(ctx, "1", "p1") }); err != nil {
		t.Fatal(err)
	}
	if _, _, _, err := s.Principal(ctx, hash); err == nil {
		t.Fatal("removed PAT still authenticates")
	}
}
