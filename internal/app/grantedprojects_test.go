package app

import (
	"context"
	"testing"

	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
	"google.golang.org/grpc/codes"
)

// TestGrantedProjects: the org a project is granted to lists and reads the
// grant and the roles it delegates — not the project's other roles, nor a
// grant given to another org; the granting org does not see it as granted
// to itself.
func TestGrantedProjects(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		p, partner := grantSetup(t, a, admin) // roles admin, reader
		third, err := a.AddOrg(ctx, admin.Caller, "Third")
		if err != nil {
			t.Fatal(err)
		}
		pg, err := a.AddProjectGrant(ctx, admin, p.ID, partner, []string{"reader"})
		if err != nil {
			t.Fatal(err)
		}
		tg, err := a.AddProjectGrant(ctx, admin, p.ID, third.ID, []string{"admin"})
		if err != nil {
			t.Fatal(err)
		}
		inPartner := Scope{Caller: admin.Caller, OrgID: partner}
		po, poAuth := patCaller(t, a, inPartner, "partner-viewer")
		if _, err := a.ChangeMember(ctx, inPartner, po.UserID, []string{"ORG_OWNER_VIEWER"}, MemberAdd); err != nil {
			t.Fatal(err)
		}
		ps := OrgScope(poAuth(), partner)

		vs, total, err := a.ListGrantedProjects(ctx, ps, nil, store.Page{})
		if err != nil || total != 1 || vs[0].ID != pg.ID || vs[0].Project.Name != "P" || vs[0].Owner.ID != admin.OrgID {
			t.Fatalf("granted projects: %d, %v", total, err)
		}
		if vs, total, err := a.ListGrantedProjects(ctx, ps, []store.TextMatch{{Value: "nope"}}, store.Page{}); err != nil || total != 0 || len(vs) != 0 {
			t.Fatalf("name filter: %d, %v", total, err)
		}
		if v, err := a.GetGrantedProject(ctx, ps, p.ID, pg.ID); err != nil || v.ID != pg.ID {
			t.Fatalf("get: %v", err)
		}
		_, err = a.GetGrantedProject(ctx, ps, p.ID, tg.ID) // the third org's grant
		wantErr(t, err, errPGrantGetNotFound)
		roles, total, err := a.ListGrantedProjectRoles(ctx, ps, p.ID, pg.ID, RoleFilter{}, store.Page{})
		if err != nil || total != 1 || roles[0].Key != "reader" {
			t.Fatalf("granted roles: %v (%d), %v", roles, total, err)
		}
		_, _, err = a.ListGrantedProjectRoles(ctx, ps, p.ID, tg.ID, RoleFilter{}, store.Page{})
		wantErr(t, err, errPGrantGetNotFound)
		// The project's own roles and grants stay out of reach.
		_, _, err = a.ListProjectRoles(ctx, ps, p.ID, RoleFilter{}, store.Page{})
		wantCode(t, err, codes.NotFound)
		_, _, err = a.ListProjectGrants(ctx, ps, p.ID, false, ProjectGrantFilter{}, store.Page{})
		wantCode(t, err, codes.NotFound)
		// The granting org has nothing granted to it.
		if _, total, err := a.ListGrantedProjects(ctx, admin, nil, store.Page{}); err != nil || total != 0 {
			t.Fatalf("the granting org's granted projects: %d, %v", total, err)
		}
	})
}
