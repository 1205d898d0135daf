package app

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
	"google.golang.org/grpc/codes"
)

// TestProjectGrantMembers: the granting side makes a user of the granted org
// PROJECT_GRANT_OWNER of the grant (bad input, NotFound, AlreadyExists,
// no change; a user of another org refused); that member then manages the
// user grants given through that grant, within its roles, and nothing else
// of its org; removing the grant removes the membership.
func TestProjectGrantMembers(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		p, partner := grantSetup(t, a, admin) // roles admin, reader
		pg, err := a.AddProjectGrant(ctx, admin, p.ID, partner, []string{"reader"})
		if err != nil {
			t.Fatal(err)
		}
		inPartner := Scope{Caller: admin.Caller, OrgID: partner}
		gm, gmAuth := patCaller(t, a, inPartner, "grant-owner")
		u, _ := patCaller(t, a, inPartner, "partner-user")
		homeUser, _ := patCaller(t, a, admin, "home-user")

		change := func(userID string, roles []string, kind MemberChange) error {
			_, err := a.ChangeProjectGrantMember(ctx, admin, p.ID, pg.ID, userID, roles, kind)
			return err
		}
		wantErr(t, change("", []string{"PROJECT_GRANT_OWNER"}, MemberAdd), errPGMemberInvalid)
		wantErr(t, change(gm.UserID, []string{"PROJECT_OWNER"}, MemberAdd), errPGMemberRoles)
		wantErr(t, change(homeUser.UserID, []string{"PROJECT_GRANT_OWNER"}, MemberAdd), errMemberUser)
		_, err = a.ChangeProjectGrantMember(ctx, admin, p.ID, "no-such-grant", gm.UserID, []string{"PROJECT_GRANT_OWNER"}, MemberAdd)
		wantErr(t, err, errPGrantNotFound)
		if err := change(gm.UserID, []string{"PROJECT_GRANT_OWNER_VIEWER"}, MemberAdd); err != nil {
			t.Fatal(err)
		}
		wantErr(t, change(gm.UserID, []string{"PROJECT_GRANT_OWNER"}, MemberAdd), errPGMemberExists)
		wantErr(t, change(gm.UserID, []string{"PROJECT_GRANT_OWNER_VIEWER"}, MemberUpdate), errPGMemberNotChanged)
		wantErr(t, change(u.UserID, []string{"PROJECT_GRANT_OWNER"}, MemberUpdate), errPGMemberNotFound)

		// A viewer of the grant may not give roles through it.
		gs := OrgScope(gmAuth(), partner)
		_, err = a.AddUserGrant(ctx, gs, GrantInput{UserID: u.UserID, ProjectID: p.ID, ProjectGrantID: pg.ID, RoleKeys: []string{"reader"}})
		wantCode(t, err, codes.PermissionDenied)
		if err := change(gm.UserID, []string{"PROJECT_GRANT_OWNER"}, MemberUpdate); err != nil {
			t.Fatal(err)
		}
		gs = OrgScope(gmAuth(), partner)
		ug, err := a.AddUserGrant(ctx, gs, GrantInput{UserID: u.UserID, ProjectID: p.ID, ProjectGrantID: pg.ID, RoleKeys: []string{"reader"}})
		if err != nil {
			t.Fatalf("the grant's owner grants through it: %v", err)
		}
		_, err = a.AddUserGrant(ctx, gs, GrantInput{UserID: gm.UserID, ProjectID: p.ID, ProjectGrantID: pg.ID, RoleKeys: []string{"admin"}})
		wantErr(t, err, errGrantRoleNotFound)
		if vs, total, err := a.ListUserGrants(ctx, gs, GrantFilter{}, store.Page{}); err != nil || total != 1 || vs[0].ID != ug.ID {
			t.Fatalf("the grant owner's user grants: %d, %v", total, err)
		}
		// Nothing else of its org: not its users, not its members.
		_, _, _, err = a.ListMembers(ctx, gs, store.Page{})
		wantCode(t, err, codes.PermissionDenied)
		_, err = a.ChangeMember(ctx, gs, u.UserID, []string{"ORG_OWNER_VIEWER"}, MemberAdd)
		wantCode(t, err, codes.PermissionDenied)
		// Nor the granting side: its roles, the grant, its members.
		hs := OrgScope(gmAuth(), admin.OrgID)
		_, err = a.UpdateProjectGrant(ctx, hs, p.ID, pg.ID, []string{"reader", "admin"})
		if fe, ok := failOf(err); !ok || (fe != codes.PermissionDenied && fe != codes.NotFound) {
			t.Fatalf("the grant's owner changes the grant: %v", err)
		}
		_, err = a.ChangeProjectGrantMember(ctx, hs, p.ID, pg.ID, u.UserID, []string{"PROJECT_GRANT_OWNER"}, MemberAdd)
		if fe, ok := failOf(err); !ok || (fe != codes.PermissionDenied && fe != codes.NotFound) {
			t.Fatalf("the grant's owner adds a grant member: %v", err)
		}

		ms, users, total, err := a.ListProjectGrantMembers(ctx, admin, p.ID, pg.ID, MemberFilter{}, store.Page{})
		if err != nil || total != 1 || ms[0].UserID != gm.UserID || !slices.Equal(ms[0].Roles, []string{"PROJECT_GRANT_OWNER"}) || users[gm.UserID] == nil {
			t.Fatalf("grant members %v (%d), %v", ms, total, err)
		}
		if roles, err := a.ProjectGrantMemberRoles(ctx, admin); err != nil || !slices.Equal(roles, []string{"PROJECT_GRANT_OWNER", "PROJECT_GRANT_OWNER_VIEWER"}) {
			t.Fatalf("grant member roles %v, %v", roles, err)
		}

		// Removing the grant removes its members with it.
		if _, err := a.RemoveProjectGrant(ctx, admin, p.ID, pg.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := a.store.Member(ctx, org.GrantScope(partner, pg.ID), gm.UserID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a removed grant's member is left: %v", err)
		}
		wantErr(t, change(gm.UserID, nil, MemberRemove), errPGrantNotFound)
	})
}
