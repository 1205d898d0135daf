package app

import (
	"context"
	"testing"

	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/user"
)

// TestOrgWrittenBeforeDomains: an org a store holds from before org domains
// (no domain rows) keeps working — its generated domain reads as verified and
// primary, names its users' login names, finds the org by domain, signs a user
// in as user@that domain and follows a rename — and its first domain command
// writes that row, so the store's uniqueness holds from then on.
func TestOrgWrittenBeforeDomains(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		at := store.Now()
		old := &org.Org{ID: a.ids.Next(), Name: "Old Org", State: org.StateActive, Sequence: 1, CreatedAt: at, ChangedAt: at}
		u, _ := user.NewHuman(a.ids.Next(), old.ID, "olive", user.Human{FirstName: "O", LastName: "L", Email: "o@example.com"}, false, user.Actor{At: at})
		if err := a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
			if err := tx.InsertOrg(ctx, old); err != nil {
				return err
			}
			return tx.InsertUser(ctx, u)
		}); err != nil {
			t.Fatal(err)
		}
		in := Scope{Caller: admin.Caller, OrgID: old.ID}
		list := func(want map[string][2]bool) {
			t.Helper()
			ds, total, err := a.ListOrgDomains(ctx, in, DomainFilter{Page: store.Page{Asc: true}})
			if err != nil || int(total) != len(want) {
				t.Fatalf("domains: %v %d %v, want %v", ds, total, err, want)
			}
			for _, d := range ds {
				if w, ok := want[d.Domain]; !ok || w != [2]bool{d.Verified, d.Primary} {
					t.Fatalf("domain %+v, want %v", d, want)
				}
			}
		}
		list(map[string][2]bool{"old-org.localhost": {true, true}})
		o, err := a.GetOrg(ctx, old.ID)
		if err != nil || a.OrgDomain(o) != "old-org.localhost" || a.LoginName(u, o) != "olive@old-org.localhost" {
			t.Fatalf("derived domain: %+v %v", o, err)
		}
		if found, err := a.OrgByDomain(ctx, admin, "old-org.localhost"); err != nil || found.ID != old.ID {
			t.Fatalf("OrgByDomain: %v %v", found, err)
		}
		if found, err := a.FindLoginUser(ctx, "olive@old-org.localhost"); err != nil || found.ID != u.ID {
			t.Fatalf("FindLoginUser: %v %v", found, err)
		}
		// A rename moves the derived domain with the name, rows or not.
		if _, err := a.RenameOrg(ctx, in, "Older Org"); err != nil {
			t.Fatal(err)
		}
		list(map[string][2]bool{"older-org.localhost": {true, true}})

		// The first domain command writes the generated domain's row.
		if _, err := a.AddOrgDomain(ctx, in, "old.example.com"); err != nil {
			t.Fatal(err)
		}
		list(map[string][2]bool{"older-org.localhost": {true, true}, "old.example.com": {false, false}})
		art, err := a.store.ArtifactByKey(ctx, org.KindDomain, "older-org.localhost")
		if err != nil || art.OrgID != old.ID {
			t.Fatalf("the generated domain's row: %+v %v", art, err)
		}
		if o, err := a.GetOrg(ctx, old.ID); err != nil || o.PrimaryDomain != "older-org.localhost" {
			t.Fatalf("stored primary: %+v %v", o, err)
		}
		if found, err := a.FindLoginUser(ctx, "olive@older-org.localhost"); err != nil || found.ID != u.ID {
			t.Fatalf("FindLoginUser after the row: %v %v", found, err)
		}
		// Now the row: a rename moves it, still primary.
		if _, err := a.RenameOrg(ctx, in, "Oldest Org"); err != nil {
			t.Fatal(err)
		}
		list(map[string][2]bool{"oldest-org.localhost": {true, true}, "old.example.com": {false, false}})
		if _, err := a.store.ArtifactByKey(ctx, org.KindDomain, "older-org.localhost"); err == nil {
			t.Fatal("the old generated domain is still held")
		}
	})
}
