package app

import (
	"context"
	"errors"
	"testing"

	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/user"
	"google.golang.org/grpc/codes"
)

// TestMembersOnlyFromReadableOrgs: an org owner cannot make another org's
// user a member (NotFound with the missing user's id, nothing written), and
// a member from an org the caller cannot read shows without name or e-mail.
func TestMembersOnlyFromReadableOrgs(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		orgA, err := a.AddOrg(ctx, admin.Caller, "Org A")
		if err != nil {
			t.Fatal(err)
		}
		ownerA := &Caller{UserID: "owner-a", OrgID: orgA.ID, roles: map[string][]string{orgA.ID: {"ORG_OWNER"}}}
		victim, err := a.AddHuman(ctx, admin, NewHuman{UserName: "victim", Profile: user.Human{FirstName: "Vic", LastName: "Tim", Email: "victim@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		before, _ := a.store.Org(ctx, orgA.ID)

		_, missing := a.ChangeMember(ctx, Scope{Caller: ownerA, OrgID: orgA.ID}, "no-such-user", []string{"ORG_OWNER_VIEWER"}, MemberAdd)
		_, foreign := a.ChangeMember(ctx, Scope{Caller: ownerA, OrgID: orgA.ID}, victim.ID, []string{"ORG_OWNER_VIEWER"}, MemberAdd)
		if !errors.Is(missing, errMemberUser) || !errors.Is(foreign, errMemberUser) || missing.Error() != foreign.Error() {
			t.Fatalf("foreign user: %v; missing user: %v — want the same NotFound", foreign, missing)
		}
		wantCode(t, foreign, codes.NotFound)
		if _, err := a.store.Member(ctx, orgA.ID, victim.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("membership written: %v", err)
		}
		if after, _ := a.store.Org(ctx, orgA.ID); after.Sequence != before.Sequence {
			t.Fatalf("org sequence moved %d → %d", before.Sequence, after.Sequence)
		}

		// A member of its own org: allowed.
		own, err := a.AddHuman(ctx, Scope{Caller: admin.Caller, OrgID: orgA.ID}, NewHuman{UserName: "own", Profile: user.Human{Email: "own@example.com"}})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.ChangeMember(ctx, Scope{Caller: ownerA, OrgID: orgA.ID}, own.ID, []string{"ORG_OWNER_VIEWER"}, MemberAdd); err != nil {
			t.Fatal(err)
		}
		// The instance owner may add anyone; the org owner then sees the
		// membership but not who it is.
		if _, err := a.ChangeMember(ctx, Scope{Caller: admin.Caller, OrgID: orgA.ID}, victim.ID, []string{"ORG_OWNER_VIEWER"}, MemberAdd); err != nil {
			t.Fatal(err)
		}
		ms, users, total, err := a.ListMembers(ctx, Scope{Caller: ownerA, OrgID: orgA.ID}, store.Page{})
		if err != nil || total != 3 || len(ms) != 3 {
			t.Fatalf("%d members (%d), %v", len(ms), total, err)
		}
		if users[victim.ID] != nil || users[own.ID] == nil {
			t.Fatalf("users shown: victim %v, own %v", users[victim.ID] != nil, users[own.ID] != nil)
		}
		if _, users, _, _ := a.ListMembers(ctx, Scope{Caller: admin.Caller, OrgID: orgA.ID}, store.Page{}); users[victim.ID] == nil {
			t.Fatal("the instance owner does not see the victim")
		}
	})
}
