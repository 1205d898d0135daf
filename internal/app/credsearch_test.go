package app

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
)

// TestCredentialSearchByPermission: v2's ListKeys and ListPersonalAccessTokens
// show the credentials of exactly the orgs where the caller holds user.read —
// several orgs, all for an instance role — and refuse a caller that holds it
// nowhere.
func TestCredentialSearchByPermission(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		orgs := []string{admin.OrgID}
		for _, n := range []string{"B", "C"} {
			o, err := a.AddOrg(ctx, admin.Caller, "Org "+n)
			if err != nil {
				t.Fatal(err)
			}
			orgs = append(orgs, o.ID)
		}
		keyOrg, patOrg := map[string]string{}, map[string]string{}
		for i, o := range orgs {
			u, err := a.AddMachine(ctx, Scope{Caller: admin.Caller, OrgID: o}, NewMachine{UserName: "bot" + string(rune('a'+i)), Name: "Bot"})
			if err != nil {
				t.Fatal(err)
			}
			k, _, _, err := a.AddMachineKey(ctx, Scope{Caller: admin.Caller}, u.ID, NewMachineKey{Type: KeyTypeJSON})
			if err != nil {
				t.Fatal(err)
			}
			p, _, _, err := a.AddPAT(ctx, Scope{Caller: admin.Caller}, u.ID, time.Time{})
			if err != nil {
				t.Fatal(err)
			}
			keyOrg[k.ID], patOrg[p.ID] = o, o
		}
		list := func(c *Caller) ([]string, []string) {
			t.Helper()
			ks, kt, err := a.SearchMachineKeys(ctx, Scope{Caller: c}, store.CredentialQuery{})
			if err != nil {
				t.Fatal(err)
			}
			ps, _, err := a.SearchPATs(ctx, Scope{Caller: c}, store.CredentialQuery{})
			if err != nil {
				t.Fatal(err)
			}
			var ko, po []string
			for _, k := range ks {
				ko = append(ko, keyOrg[k.ID])
			}
			for _, p := range ps {
				if o, ok := patOrg[p.ID]; ok { // the administrator's own PAT is not ours
					po = append(po, o)
				}
			}
			if int(kt) != len(ks) {
				t.Fatalf("key total %d for %d", kt, len(ks))
			}
			slices.Sort(ko)
			slices.Sort(po)
			return ko, po
		}
		want := func(os ...string) []string { o := slices.Clone(os); slices.Sort(o); return o }
		// Readers of B and C, with a project role in A that gives no user.read.
		two := &Caller{UserID: "r", OrgID: orgs[1], roles: map[string][]string{orgs[1]: {"ORG_USER_READ"}, orgs[2]: {"ORG_OWNER_VIEWER"},
			org.ProjectScope(orgs[0], "p"): {"PROJECT_OWNER"}}}
		if ko, po := list(two); !slices.Equal(ko, want(orgs[1], orgs[2])) || !slices.Equal(po, want(orgs[1], orgs[2])) {
			t.Fatalf("two orgs: keys %v pats %v", ko, po)
		}
		if ko, po := list(admin.Caller); !slices.Equal(ko, want(orgs...)) || !slices.Equal(po, want(orgs...)) {
			t.Fatalf("instance: keys %v pats %v", ko, po)
		}
		// An org filter outside the readable orgs finds nothing.
		ks, _, err := a.SearchMachineKeys(ctx, Scope{Caller: two}, store.CredentialQuery{OrgIDs: []string{orgs[0]}})
		if err != nil || len(ks) != 0 {
			t.Fatalf("filter on an unreadable org: %v %v", ks, err)
		}
		nobody := &Caller{UserID: "n", OrgID: orgs[0], roles: map[string][]string{orgs[0]: {"ORG_PROJECT_CREATOR"}}}
		if _, _, err := a.SearchMachineKeys(ctx, Scope{Caller: nobody}, store.CredentialQuery{}); !errors.Is(err, fail.PermissionDenied) {
			t.Fatalf("no user.read: %v", err)
		}
		if _, _, err := a.SearchPATs(ctx, Scope{Caller: nobody}, store.CredentialQuery{}); !errors.Is(err, fail.PermissionDenied) {
			t.Fatalf("no user.read: %v", err)
		}
		many := store.CredentialQuery{UserIDs: make([]string, maxCredentialFilters+1)}
		if _, _, err := a.SearchPATs(ctx, admin, many); !errors.Is(err, errTooManyCredentialFilters) {
			t.Fatalf("too many filters: %v", err)
		}
	})
}
