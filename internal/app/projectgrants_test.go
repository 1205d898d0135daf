package app

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"

	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
	"google.golang.org/grpc/codes"
)

// grantSetup is a project with the roles admin and reader, and another org.
func grantSetup(t *testing.T, a *App, admin Scope) (*project.Project, string) {
	t.Helper()
	ctx := context.Background()
	p, err := a.AddProject(ctx, admin, ProjectInput{Name: "P"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := a.AddProjectRoles(ctx, admin, p.ID, []RoleInput{{Key: "admin"}, {Key: "reader"}}, true); err != nil {
		t.Fatal(err)
	}
	o, err := a.AddOrg(ctx, admin.Caller, "Partner")
	if err != nil {
		t.Fatal(err)
	}
	return p, o.ID
}

// TestProjectGrantCommands: each command's bad input, NotFound,
// AlreadyExists, no-change and state answers with ZITADEL's ids; a refused
// command writes nothing.
func TestProjectGrantCommands(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		p, partner := grantSetup(t, a, admin)
		before, _ := a.store.Org(ctx, admin.OrgID)

		add := func(projectID, orgID string, keys ...string) error {
			_, err := a.AddProjectGrant(ctx, admin, projectID, orgID, keys)
			return err
		}
		wantErr(t, add("", partner, "reader"), errPGrantInvalid)
		wantErr(t, add(p.ID, "", "reader"), errPGrantInvalid)
		wantErr(t, add(p.ID, admin.OrgID, "reader"), errPGrantOwnOrg)
		wantErr(t, add("no-such-project", partner, "reader"), errPGrantProjectNotFound)
		wantErr(t, add(p.ID, "no-such-org", "reader"), errPGrantOrgNotFound)
		err := add(p.ID, partner, "reader", "writer")
		wantErr(t, err, errPGrantRoleNotFound)
		wantCode(t, err, codes.FailedPrecondition)
		if after, _ := a.store.Org(ctx, admin.OrgID); after.Sequence != before.Sequence {
			t.Fatalf("a refused add moved the org's sequence %d → %d", before.Sequence, after.Sequence)
		}

		pg, err := a.AddProjectGrant(ctx, admin, p.ID, partner, []string{"reader", "admin", "reader"})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(pg.RoleKeys, []string{"admin", "reader"}) || pg.State != project.StateActive || pg.GrantedOrgID != partner || pg.OrgID != admin.OrgID {
			t.Fatalf("grant %+v", pg)
		}
		err = add(p.ID, partner)
		wantErr(t, err, errPGrantExists)
		wantCode(t, err, codes.AlreadyExists)

		_, err = a.UpdateProjectGrant(ctx, admin, p.ID, "", []string{"reader"})
		wantErr(t, err, errPGrantUpdateIDMissing)
		_, err = a.UpdateProjectGrant(ctx, admin, p.ID, "no-such-grant", []string{"reader"})
		wantErr(t, err, errPGrantNotFound)
		wantCode(t, err, codes.NotFound)
		_, err = a.UpdateProjectGrant(ctx, admin, p.ID, pg.ID, []string{"reader", "admin"})
		wantErr(t, err, errPGrantNotChanged)
		_, err = a.UpdateProjectGrant(ctx, admin, p.ID, pg.ID, []string{"writer"})
		wantErr(t, err, errPGrantRoleNotFound)
		if pg, err = a.UpdateProjectGrant(ctx, admin, p.ID, pg.ID, []string{"reader"}); err != nil || !slices.Equal(pg.RoleKeys, []string{"reader"}) {
			t.Fatalf("update: %+v, %v", pg, err)
		}

		_, err = a.SetProjectGrantActive(ctx, admin, p.ID, "", false)
		wantErr(t, err, errPGrantStateIDMissing)
		_, err = a.SetProjectGrantActive(ctx, admin, p.ID, pg.ID, true)
		wantErr(t, err, project.ErrProjectGrantNotInactive)
		if pg, err = a.SetProjectGrantActive(ctx, admin, p.ID, pg.ID, false); err != nil || pg.State != project.StateInactive {
			t.Fatalf("deactivate: %+v, %v", pg, err)
		}
		_, err = a.SetProjectGrantActive(ctx, admin, p.ID, pg.ID, false)
		wantErr(t, err, project.ErrProjectGrantNotActive)
		if pg, err = a.SetProjectGrantActive(ctx, admin, p.ID, pg.ID, true); err != nil || pg.State != project.StateActive {
			t.Fatalf("reactivate: %+v, %v", pg, err)
		}

		v, err := a.GetProjectGrant(ctx, admin, p.ID, pg.ID)
		if err != nil || v.ID != pg.ID || v.Project.Name != "P" || v.GrantedOrg.Name != "Partner" || v.Owner.ID != admin.OrgID {
			t.Fatalf("get: %+v, %v", v, err)
		}
		_, err = a.GetProjectGrant(ctx, admin, p.ID, "no-such-grant")
		wantErr(t, err, errPGrantGetNotFound)

		// Removing a role takes it out of the grant.
		if _, err := a.RemoveProjectRole(ctx, admin, p.ID, "reader"); err != nil {
			t.Fatal(err)
		}
		if v, err := a.GetProjectGrant(ctx, admin, p.ID, pg.ID); err != nil || len(v.RoleKeys) != 0 {
			t.Fatalf("after the role's removal: %+v, %v", v, err)
		}

		_, err = a.RemoveProjectGrant(ctx, admin, p.ID, "")
		wantErr(t, err, errPGrantRemoveIDMissing)
		if _, err := a.RemoveProjectGrant(ctx, admin, p.ID, pg.ID); err != nil {
			t.Fatal(err)
		}
		_, err = a.RemoveProjectGrant(ctx, admin, p.ID, pg.ID)
		wantErr(t, err, errPGrantNotFound)
		// Once removed, the org may be granted the project again.
		if err := add(p.ID, partner, "admin"); err != nil {
			t.Fatal(err)
		}
	})
}

// TestListProjectGrants: one project's grants and all of the org's, with
// filters; a grant of another project in the same org is not in the first.
func TestListProjectGrants(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		p, partner := grantSetup(t, a, admin)
		q, err := a.AddProject(ctx, admin, ProjectInput{Name: "Q"})
		if err != nil {
			t.Fatal(err)
		}
		g1, err := a.AddProjectGrant(ctx, admin, p.ID, partner, []string{"reader"})
		if err != nil {
			t.Fatal(err)
		}
		g2, err := a.AddProjectGrant(ctx, admin, q.ID, partner, nil)
		if err != nil {
			t.Fatal(err)
		}
		ids := func(vs []*ProjectGrantView) []string {
			var out []string
			for _, v := range vs {
				out = append(out, v.ID)
			}
			return out
		}
		vs, total, err := a.ListProjectGrants(ctx, admin, p.ID, false, ProjectGrantFilter{}, store.Page{Asc: true})
		if err != nil || total != 1 || !slices.Equal(ids(vs), []string{g1.ID}) {
			t.Fatalf("P's grants: %v (%d), %v", ids(vs), total, err)
		}
		vs, total, err = a.ListProjectGrants(ctx, admin, "", true, ProjectGrantFilter{}, store.Page{Asc: true})
		if err != nil || total != 2 || !slices.Equal(ids(vs), []string{g1.ID, g2.ID}) {
			t.Fatalf("all grants: %v (%d), %v", ids(vs), total, err)
		}
		vs, _, err = a.ListProjectGrants(ctx, admin, "", true, ProjectGrantFilter{RoleKeys: []store.TextMatch{{Value: "reader"}}}, store.Page{Asc: true})
		if err != nil || !slices.Equal(ids(vs), []string{g1.ID}) {
			t.Fatalf("by role: %v, %v", ids(vs), err)
		}
		vs, _, err = a.ListProjectGrants(ctx, admin, "", true, ProjectGrantFilter{ProjectIDs: []string{q.ID}}, store.Page{Asc: true})
		if err != nil || !slices.Equal(ids(vs), []string{g2.ID}) {
			t.Fatalf("by project: %v, %v", ids(vs), err)
		}
		if _, _, err := a.ListProjectGrants(ctx, admin, "no-such-project", false, ProjectGrantFilter{}, store.Page{}); !errors.Is(err, errProjectNotFound) {
			t.Fatalf("a missing project's grants: %v", err)
		}
		// Removing the project removes its grants with it.
		if _, err := a.RemoveProject(ctx, admin, p.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := a.store.Artifact(ctx, project.KindProjectGrant, g1.ID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a removed project's grant is left: %v", err)
		}
	})
}

// TestConcurrentAddProjectGrant: two conflicting AddProjectGrant for the same
// project and org race; exactly one wins, the other is AlreadyExists.
func TestConcurrentAddProjectGrant(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		p, partner := grantSetup(t, a, admin)
		const n = 4
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = a.AddProjectGrant(ctx, admin, p.ID, partner, []string{"reader"})
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, errPGrantExists):
				t.Fatalf("a racing add: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d adds won, want 1", won)
		}
		if vs, total, err := a.ListProjectGrants(ctx, admin, p.ID, false, ProjectGrantFilter{}, store.Page{}); err != nil || total != 1 || len(vs) != 1 {
			t.Fatalf("%d grants stored, %v", total, err)
		}
	})
}

// TestProjectOwnerGrantsItsProjectOnly: a PROJECT_OWNER of P grants P to
// another org and is refused on Q's grants; a PROJECT_OWNER_VIEWER reads P's
// grants and changes none.
func TestProjectOwnerGrantsItsProjectOnly(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		p, partner := grantSetup(t, a, admin)
		q, err := a.AddProject(ctx, admin, ProjectInput{Name: "Q"})
		if err != nil {
			t.Fatal(err)
		}
		qg, err := a.AddProjectGrant(ctx, admin, q.ID, partner, nil)
		if err != nil {
			t.Fatal(err)
		}
		owner, ownerAuth := patCaller(t, a, admin, "powner")
		viewer, viewerAuth := patCaller(t, a, admin, "pviewer")
		if _, err := a.ChangeProjectMember(ctx, admin, p.ID, owner.UserID, []string{"PROJECT_OWNER"}, MemberAdd); err != nil {
			t.Fatal(err)
		}
		if _, err := a.ChangeProjectMember(ctx, admin, p.ID, viewer.UserID, []string{"PROJECT_OWNER_VIEWER"}, MemberAdd); err != nil {
			t.Fatal(err)
		}
		os := OrgScope(ownerAuth(), admin.OrgID)
		pg, err := a.AddProjectGrant(ctx, os, p.ID, partner, []string{"reader"})
		if err != nil {
			t.Fatalf("P's owner grants P: %v", err)
		}
		if vs, total, err := a.ListProjectGrants(ctx, os, "", true, ProjectGrantFilter{}, store.Page{}); err != nil || total != 1 || vs[0].ID != pg.ID {
			t.Fatalf("P's owner lists all grants: %d, %v", total, err)
		}
		_, err = a.UpdateProjectGrant(ctx, os, q.ID, qg.ID, []string{})
		wantCode(t, err, codes.PermissionDenied)
		_, err = a.RemoveProjectGrant(ctx, os, q.ID, qg.ID)
		wantCode(t, err, codes.PermissionDenied)
		_, err = a.GetProjectGrant(ctx, os, q.ID, qg.ID)
		wantCode(t, err, codes.PermissionDenied)
		// Naming Q's grant under P is NotFound: a grant belongs to its project.
		_, err = a.RemoveProjectGrant(ctx, os, p.ID, qg.ID)
		wantErr(t, err, errPGrantNotFound)

		vs := OrgScope(viewerAuth(), admin.OrgID)
		if _, err := a.GetProjectGrant(ctx, vs, p.ID, pg.ID); err != nil {
			t.Fatalf("P's viewer reads P's grant: %v", err)
		}
		_, err = a.SetProjectGrantActive(ctx, vs, p.ID, pg.ID, false)
		wantCode(t, err, codes.PermissionDenied)
	})
}
