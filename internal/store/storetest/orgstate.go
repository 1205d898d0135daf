package storetest

import (
	"context"
	"testing"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
)

// testUpdateInstance: the instance's default org and sequence change only
// from the sequence the writer read.
func testUpdateInstance(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	inst := &org.Instance{ID: ids.Next(), DefaultOrgID: "a", Sequence: 3, CreatedAt: at(0)}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.InsertInstance(ctx, inst) })
	upd := *inst
	upd.DefaultOrgID, upd.Sequence = "b", 4
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.UpdateInstance(ctx, &upd, 3) })
	got, err := s.Instance(ctx)
	if err != nil || got.DefaultOrgID != "b" || got.Sequence != 4 || got.ID != inst.ID {
		t.Fatalf("after update: %+v %v", got, err)
	}
	stale := upd
	stale.Sequence = 5
	err = s.Write(ctx, func(ctx context.Context, tx store.Tx) error { return tx.UpdateInstance(ctx, &stale, 3) })
	wantErr(t, err, store.ErrConflict)
	if got, _ := s.Instance(ctx); got.Sequence != 4 {
		t.Errorf("a stale update wrote: %+v", got)
	}
}

// testOrgStateInUserReads: a user read by id or name, and a PAT's principal,
// carry the state of the user's org, from the commit that changes it on —
// also where an engine caches principals.
func testOrgStateInUserReads(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	o := newOrg(t, s, "state-org")
	u := newUser(t, s, o.ID, "member")
	_, hash := credential.NewToken()
	p := &credential.PAT{ID: ids.Next(), UserID: u.ID, OrgID: o.ID, Hash: hash, CreatedAt: at(0), Epoch: u.CredentialEpoch}
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.InsertPAT(ctx, p) })
	check := func(wantInactive bool) {
		t.Helper()
		byID, err := s.User(ctx, u.ID)
		if err != nil {
			t.Fatal(err)
		}
		byName, err := s.UserByName(ctx, o.ID, u.UserName)
		if err != nil {
			t.Fatal(err)
		}
		_, pu, _, err := s.Principal(ctx, hash)
		if err != nil {
			t.Fatal(err)
		}
		for what, got := range map[string]bool{"User": byID.OrgInactive, "UserByName": byName.OrgInactive, "Principal": pu.OrgInactive} {
			if got != wantInactive {
				t.Errorf("%s: OrgInactive = %v, want %v", what, got, wantInactive)
			}
		}
		if pu.CanAuthenticate() == wantInactive {
			t.Errorf("CanAuthenticate = %v with the org inactive = %v", pu.CanAuthenticate(), wantInactive)
		}
	}
	setState := func(st org.State) {
		t.Helper()
		mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
			cur, err := tx.Org(ctx, o.ID)
			if err != nil {
				return err
			}
			prev := cur.Sequence
			cur.State, cur.Sequence = st, prev+1
			return tx.UpdateOrg(ctx, cur, prev)
		})
	}
	check(false) // and cached, where the engine caches
	check(false)
	setState(org.StateInactive)
	check(true)
	setState(org.StateActive)
	check(false)
	setState(org.StateRemoved)
	check(true)
}

// testDeleteOrg: an org's row goes only from the sequence the writer read,
// and its name is free again.
func testDeleteOrg(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	o := newOrg(t, s, "doomed")
	err := s.Write(ctx, func(ctx context.Context, tx store.Tx) error { return tx.DeleteOrg(ctx, o.ID, o.Sequence+1) })
	wantErr(t, err, store.ErrConflict)
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error { return tx.DeleteOrg(ctx, o.ID, o.Sequence) })
	_, err = s.Org(ctx, o.ID)
	wantErr(t, err, store.ErrNotFound)
	newOrg(t, s, "doomed")
}
