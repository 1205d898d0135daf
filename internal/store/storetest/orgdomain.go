package storetest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
)

// testOrgPrimaryDomain: every read of an org carries the key of its
// org.KindPrimaryDomain artifact ("" without one), inside and outside a
// transaction, and a replaced or deleted artifact shows at once.
func testOrgPrimaryDomain(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	o := newOrg(t, s, "primary-"+ids.Next())
	other := newOrg(t, s, "other-"+ids.Next())
	read := func(r store.Reader, want string) {
		t.Helper()
		got, err := r.Org(ctx, o.ID)
		if err != nil || got.PrimaryDomain != want {
			t.Fatalf("Org: %+v %v, want primary %q", got, err, want)
		}
		byName, err := r.OrgByName(ctx, o.Name)
		if err != nil || byName.PrimaryDomain != want {
			t.Fatalf("OrgByName: %+v %v, want primary %q", byName, err, want)
		}
		list, _, err := r.ListOrgs(ctx, store.Page{Limit: 1000, Asc: true})
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range list {
			switch l.ID {
			case o.ID:
				if l.PrimaryDomain != want {
					t.Fatalf("ListOrgs: primary %q, want %q", l.PrimaryDomain, want)
				}
			case other.ID:
				if l.PrimaryDomain != "" {
					t.Fatalf("ListOrgs: the other org has primary %q", l.PrimaryDomain)
				}
			}
		}
	}
	read(s, "")
	put := func(d string) {
		mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
			if err := tx.PutArtifact(ctx, &store.Artifact{Kind: org.KindPrimaryDomain, ID: o.ID, Key: d, OrgID: o.ID, CreatedAt: at(0)}); err != nil {
				return err
			}
			read(tx, d) // the transaction sees its own write
			return nil
		})
	}
	put("a.example.com")
	read(s, "a.example.com")
	put("b.example.com")
	read(s, "b.example.com")
	mustWrite(t, s, func(ctx context.Context, tx store.Tx) error {
		return tx.DeleteArtifact(ctx, org.KindPrimaryDomain, o.ID)
	})
	read(s, "")
}

// testVerifiedDomainClaims: of many concurrent writes that claim one domain
// (the domain as the lookup key of an org.KindDomain artifact, each for an
// org of its own), exactly one commits; the others see ErrDuplicate.
func testVerifiedDomainClaims(t *testing.T, s store.Store) {
	ctx := ctxT(t)
	const n = 16
	orgs := make([]*org.Org, n)
	for i := range orgs {
		orgs[i] = newOrg(t, s, "claim-"+ids.Next())
	}
	var wg sync.WaitGroup
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
				return tx.PutArtifact(ctx, &store.Artifact{Kind: org.KindDomain, ID: org.DomainID(orgs[i].ID, "claimed.example.com"),
					Key: "claimed.example.com", OrgID: orgs[i].ID, CreatedAt: at(0)})
			})
		}()
	}
	wg.Wait()
	won := -1
	for i, err := range errs {
		switch {
		case err == nil:
			if won >= 0 {
				t.Fatalf("two claims committed: %d and %d", won, i)
			}
			won = i
		case !errors.Is(err, store.ErrDuplicate):
			t.Fatalf("claim %d: %v, want ErrDuplicate", i, err)
		}
	}
	if won < 0 {
		t.Fatal("no claim committed")
	}
	a, err := s.ArtifactByKey(ctx, org.KindDomain, "claimed.example.com")
	if err != nil || a.OrgID != orgs[won].ID {
		t.Fatalf("ArtifactByKey: %+v %v, want org %s", a, err, orgs[won].ID)
	}
}
