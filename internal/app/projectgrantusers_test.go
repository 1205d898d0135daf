package app

import (
	"context"
	"errors"
	"testing"

	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
	"google.golang.org/grpc/codes"
)

// TestUserGrantThroughProjectGrant: the granted org's owner grants its own
// users roles the project grant delegates, and nothing else; the roles claim
// names the granted org and its domain; hasProjectCheck admits the granted
// org's users while the grant is active; narrowing, deactivating and
// removing the project grant narrow, suspend and remove the user grants.
func TestUserGrantThroughProjectGrant(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		p, err := a.AddProject(ctx, admin, ProjectInput{Name: "P", HasProjectCheck: true})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := a.AddProjectRoles(ctx, admin, p.ID, []RoleInput{{Key: "admin"}, {Key: "reader"}, {Key: "writer"}}, true); err != nil {
			t.Fatal(err)
		}
		ap, _, err := a.AddAPIApp(ctx, admin, p.ID, "api", 0)
		if err != nil {
			t.Fatal(err)
		}
		partner, err := a.AddOrg(ctx, admin.Caller, "Partner")
		if err != nil {
			t.Fatal(err)
		}
		pg, err := a.AddProjectGrant(ctx, admin, p.ID, partner.ID, []string{"reader", "writer"})
		if err != nil {
			t.Fatal(err)
		}
		inPartner := Scope{Caller: admin.Caller, OrgID: partner.ID}
		u, _ := patCaller(t, a, inPartner, "partner-user")
		homeUser, _ := patCaller(t, a, admin, "home-user")
		po, poAuth := patCaller(t, a, inPartner, "partner-owner")
		if _, err := a.ChangeMember(ctx, inPartner, po.UserID, []string{"ORG_OWNER"}, MemberAdd); err != nil {
			t.Fatal(err)
		}
		owner := OrgScope(poAuth(), partner.ID)
		add := func(userID, grantID string, keys ...string) (*project.Grant, error) {
			return a.AddUserGrant(ctx, owner, GrantInput{UserID: userID, ProjectID: p.ID, ProjectGrantID: grantID, RoleKeys: keys})
		}
		_, err = add(u.UserID, pg.ID, "admin") // not delegated
		wantErr(t, err, errGrantRoleNotFound)
		_, err = add(homeUser.UserID, pg.ID, "reader") // not the granted org's user
		wantErr(t, err, errGrantUserNotFound)
		_, err = add(u.UserID, "no-such-grant", "reader")
		wantErr(t, err, errGrantProjectGrantNotFound)
		wantCode(t, err, codes.FailedPrecondition)
		// Without a project grant, the partner's owner reaches no project of
		// its own org by that id.
		_, err = add(u.UserID, "", "reader")
		wantErr(t, err, errGrantProjectNotFound)

		// Another org's owner cannot give roles through the partner's grant,
		// not even to its own user.
		third, err := a.AddOrg(ctx, admin.Caller, "Third")
		if err != nil {
			t.Fatal(err)
		}
		inThird := Scope{Caller: admin.Caller, OrgID: third.ID}
		tu, _ := patCaller(t, a, inThird, "third-user")
		to, toAuth := patCaller(t, a, inThird, "third-owner")
		if _, err := a.ChangeMember(ctx, inThird, to.UserID, []string{"ORG_OWNER"}, MemberAdd); err != nil {
			t.Fatal(err)
		}
		_, err = a.AddUserGrant(ctx, OrgScope(toAuth(), third.ID), GrantInput{UserID: tu.UserID, ProjectID: p.ID, ProjectGrantID: pg.ID, RoleKeys: []string{"reader"}})
		wantErr(t, err, errGrantProjectGrantNotFound)
		// Nor can a partner member without user.grant.write.
		pv, pvAuth := patCaller(t, a, inPartner, "partner-viewer")
		if _, err := a.ChangeMember(ctx, inPartner, pv.UserID, []string{"ORG_OWNER_VIEWER"}, MemberAdd); err != nil {
			t.Fatal(err)
		}
		_, err = a.AddUserGrant(ctx, OrgScope(pvAuth(), partner.ID), GrantInput{UserID: u.UserID, ProjectID: p.ID, ProjectGrantID: pg.ID, RoleKeys: []string{"reader"}})
		wantCode(t, err, codes.PermissionDenied)

		ug, err := add(u.UserID, pg.ID, "reader", "writer")
		if err != nil {
			t.Fatal(err)
		}
		if ug.OrgID != partner.ID || ug.ProjectGrantID != pg.ID {
			t.Fatalf("grant %+v", ug)
		}
		// The home org's side sees it as the partner's, not its own.
		_, err = a.UpdateUserGrant(ctx, admin, u.UserID, ug.ID, []string{"admin"})
		wantErr(t, err, errGrantNotFound)
		// The partner's owner cannot widen it past the delegation.
		_, err = a.UpdateUserGrant(ctx, owner, u.UserID, ug.ID, []string{"admin"})
		wantErr(t, err, errGrantRoleNotFound)
		if vs, total, err := a.ListUserGrants(ctx, owner, GrantFilter{}, store.Page{}); err != nil || total != 1 || vs[0].ID != ug.ID || vs[0].Project.ID != p.ID {
			t.Fatalf("the partner's grants: %d, %v", total, err)
		}

		claims := func() ProjectRoles {
			t.Helper()
			c, err := a.RoleClaims(ctx, u.UserID, []string{oauth.ScopeProjectRoles}, ap.ClientID, ClaimsUserinfo)
			if err != nil {
				t.Fatal(err)
			}
			return c[oauth.ClaimProjectRoles]
		}
		access := func() error {
			t.Helper()
			uu, err := a.store.User(ctx, u.UserID)
			if err != nil {
				t.Fatal(err)
			}
			return projectAccess(ctx, a.store, ap.ClientID, uu)
		}
		if r := claims(); len(r) != 2 || r["reader"][partner.ID] != a.OrgDomain(partner) || r["writer"][partner.ID] == "" {
			t.Fatalf("roles claim %v, want reader and writer of %s", r, partner.ID)
		}
		if err := access(); err != nil {
			t.Fatalf("hasProjectCheck refuses the granted org's user: %v", err)
		}
		if hu, _ := a.store.User(ctx, homeUser.UserID); projectAccess(ctx, a.store, ap.ClientID, hu) != nil {
			t.Fatal("hasProjectCheck refuses the project's own org's user")
		}

		if _, err := a.SetProjectGrantActive(ctx, admin, p.ID, pg.ID, false); err != nil {
			t.Fatal(err)
		}
		if r := claims(); len(r) != 0 {
			t.Fatalf("roles through an inactive project grant: %v", r)
		}
		if err := access(); !errors.Is(err, ErrProjectRequired) {
			t.Fatalf("hasProjectCheck through an inactive grant: %v", err)
		}
		if _, err := a.SetProjectGrantActive(ctx, admin, p.ID, pg.ID, true); err != nil {
			t.Fatal(err)
		}

		// Narrowing the project grant narrows the user grant, in the same write.
		if _, err := a.UpdateProjectGrant(ctx, admin, p.ID, pg.ID, []string{"reader"}); err != nil {
			t.Fatal(err)
		}
		if r := claims(); len(r) != 1 || r["reader"] == nil {
			t.Fatalf("roles after narrowing: %v", r)
		}
		// Removing a role of the project takes it out of both.
		if _, err := a.RemoveProjectRole(ctx, admin, p.ID, "reader"); err != nil {
			t.Fatal(err)
		}
		if r := claims(); len(r) != 0 {
			t.Fatalf("roles after the role's removal: %v", r)
		}
		if got, err := a.GetUserGrant(ctx, owner, u.UserID, ug.ID); err != nil || len(got.RoleKeys) != 0 {
			t.Fatalf("user grant after the role's removal: %+v, %v", got, err)
		}

		// Removing the project grant removes the user grants given through it.
		if _, err := a.RemoveProjectGrant(ctx, admin, p.ID, pg.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := a.store.Artifact(ctx, project.KindGrant, ug.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a user grant outlived its project grant: %v", err)
		}
		if err := access(); !errors.Is(err, ErrProjectRequired) {
			t.Fatalf("hasProjectCheck after the grant's removal: %v", err)
		}
	})
}
