package app

import (
	"context"
	"errors"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/user"
	"google.golang.org/grpc/codes"
)

// patCaller makes a machine user in the scope's org and authenticates it with
// a PAT, so its roles are read as every request reads them.
func patCaller(t *testing.T, a *App, admin Scope, name string) (*Caller, func() *Caller) {
	t.Helper()
	ctx := context.Background()
	u, err := a.AddMachine(ctx, admin, NewMachine{UserName: name, Name: name})
	if err != nil {
		t.Fatal(err)
	}
	_, tok, _, err := a.AddPAT(ctx, admin, u.ID, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	auth := func() *Caller {
		t.Helper()
		c, err := a.Authenticate(ctx, tok)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	return auth(), auth
}

func wantErr(t *testing.T, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error %v, want %v", err, want)
	}
}

// TestProjectMemberCommands: each write's bad input, NotFound, AlreadyExists
// and no-change answers, with ZITADEL's ids, and nothing written by a refusal.
func TestProjectMemberCommands(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		p, err := a.AddProject(ctx, admin, ProjectInput{Name: "P"})
		if err != nil {
			t.Fatal(err)
		}
		u, _ := patCaller(t, a, admin, "member")
		before, _ := a.store.Org(ctx, admin.OrgID)

		add := func(projectID, userID string, roles ...string) error {
			_, err := a.ChangeProjectMember(ctx, admin, projectID, userID, roles, MemberAdd)
			return err
		}
		wantErr(t, add(p.ID, "", "PROJECT_OWNER"), errPMemberInvalid)
		wantErr(t, add("", u.UserID, "PROJECT_OWNER"), errPMemberInvalid)
		wantErr(t, add(p.ID, u.UserID), errPMemberInvalid)
		wantErr(t, add(p.ID, u.UserID, "ORG_OWNER"), errPMemberRoles) // an org role is not a project role
		wantErr(t, add(p.ID, u.UserID, "PROJECT_NOPE"), errPMemberRoles)
		wantErr(t, add(p.ID, "no-such-user", "PROJECT_OWNER"), errMemberUser)
		wantErr(t, add("no-such-project", u.UserID, "PROJECT_OWNER"), errProjectNotFound)
		wantCode(t, add(p.ID, u.UserID, "ORG_OWNER"), codes.InvalidArgument)
		if after, _ := a.store.Org(ctx, admin.OrgID); after.Sequence != before.Sequence {
			t.Fatalf("a refused add moved the org's sequence %d → %d", before.Sequence, after.Sequence)
		}

		if err := add(p.ID, u.UserID, "PROJECT_OWNER_VIEWER"); err != nil {
			t.Fatal(err)
		}
		err = add(p.ID, u.UserID, "PROJECT_OWNER")
		wantErr(t, err, errPMemberExists)
		wantCode(t, err, codes.AlreadyExists)

		upd := func(userID string, roles ...string) error {
			_, err := a.ChangeProjectMember(ctx, admin, p.ID, userID, roles, MemberUpdate)
			return err
		}
		wantErr(t, upd(u.UserID), errPMemberChangeInvalid)
		wantErr(t, upd(u.UserID, "IAM_OWNER"), errPMemberChangeRoles)
		err = upd(u.UserID, "PROJECT_OWNER_VIEWER")
		wantErr(t, err, errPMemberNotChanged)
		wantCode(t, err, codes.FailedPrecondition)
		wantErr(t, upd(admin.Caller.UserID, "PROJECT_OWNER"), errPMemberNotFound)
		if err := upd(u.UserID, "PROJECT_OWNER", "PROJECT_OWNER"); err != nil {
			t.Fatal(err)
		}

		ms, users, total, err := a.ListProjectMembers(ctx, admin, p.ID, MemberFilter{}, store.Page{})
		if err != nil || total != 1 || len(ms) != 1 || !slices.Equal(ms[0].Roles, []string{"PROJECT_OWNER"}) || ms[0].OrgID != p.OrgID || users[u.UserID] == nil {
			t.Fatalf("members %+v (%d), users %v, %v", ms, total, users, err)
		}
		if ms, _, total, err := a.ListProjectMembers(ctx, admin, p.ID, MemberFilter{UserIDs: []string{"someone-else"}}, store.Page{}); err != nil || total != 0 || len(ms) != 0 {
			t.Fatalf("user filter: %v (%d), %v", ms, total, err)
		}
		if ms, _, total, err := a.ListProjectMembers(ctx, admin, p.ID, MemberFilter{UserIDs: []string{u.UserID}}, store.Page{}); err != nil || total != 1 || len(ms) != 1 {
			t.Fatalf("user filter: %v (%d), %v", ms, total, err)
		}
		if _, _, _, err := a.ListProjectMembers(ctx, admin, "no-such-project", MemberFilter{}, store.Page{}); !errors.Is(err, errProjectNotFound) {
			t.Fatalf("list of a missing project: %v", err)
		}

		rm := func(userID string) error {
			_, err := a.ChangeProjectMember(ctx, admin, p.ID, userID, nil, MemberRemove)
			return err
		}
		wantErr(t, rm(""), errPMemberRemoveInvalid)
		if err := rm(u.UserID); err != nil {
			t.Fatal(err)
		}
		wantErr(t, rm(u.UserID), errPMemberNotFound)
		if _, err := a.store.Member(ctx, org.ProjectScope(p.OrgID, p.ID), u.UserID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("membership left: %v", err)
		}
		if roles, err := a.ProjectMemberRoles(ctx, admin); err != nil || !slices.Equal(roles, []string{"PROJECT_OWNER", "PROJECT_OWNER_VIEWER"}) {
			t.Fatalf("member roles %v, %v", roles, err)
		}
		// A project role is no org role: on an org it would reach every project.
		for _, r := range []string{"PROJECT_OWNER", "PROJECT_GRANT_OWNER"} {
			_, err := a.ChangeMember(ctx, admin, u.UserID, []string{r}, MemberAdd)
			wantErr(t, err, errUnknownRole)
		}
	})
}

// TestProjectOwnerActsOnItsProjectOnly: a PROJECT_OWNER of P (no org role)
// manages P's roles, apps, grants and members, and is refused on project Q of
// the same org, on the org's other use cases, and in another org; a
// PROJECT_OWNER_VIEWER reads P and changes nothing. Its role ends with its
// membership: the next request after the removal is refused.
func TestProjectOwnerActsOnItsProjectOnly(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		p, err := a.AddProject(ctx, admin, ProjectInput{Name: "P"})
		if err != nil {
			t.Fatal(err)
		}
		q, err := a.AddProject(ctx, admin, ProjectInput{Name: "Q"})
		if err != nil {
			t.Fatal(err)
		}
		for _, pr := range []string{p.ID, q.ID} {
			if _, err := a.AddProjectRoles(ctx, admin, pr, []RoleInput{{Key: "reader"}}, false); err != nil {
				t.Fatal(err)
			}
		}
		_, ownerAuth := patCaller(t, a, admin, "powner")
		viewer, viewerAuth := patCaller(t, a, admin, "pviewer")
		grantee, _ := patCaller(t, a, admin, "grantee")
		if _, err := a.ChangeProjectMember(ctx, admin, p.ID, ownerAuth().UserID, []string{"PROJECT_OWNER"}, MemberAdd); err != nil {
			t.Fatal(err)
		}
		if _, err := a.ChangeProjectMember(ctx, admin, p.ID, viewer.UserID, []string{"PROJECT_OWNER_VIEWER"}, MemberAdd); err != nil {
			t.Fatal(err)
		}
		owner := OrgScope(ownerAuth(), admin.OrgID)

		// On P: roles, apps, grants, members.
		if _, err := a.AddProjectRoles(ctx, owner, p.ID, []RoleInput{{Key: "writer"}}, false); err != nil {
			t.Fatalf("owner adds a role of P: %v", err)
		}
		if _, _, err := a.AddAPIApp(ctx, owner, p.ID, "api", 0); err != nil {
			t.Fatalf("owner adds an app to P: %v", err)
		}
		if _, err := a.AddUserGrant(ctx, owner, GrantInput{UserID: grantee.UserID, ProjectID: p.ID, RoleKeys: []string{"reader"}}); err != nil {
			t.Fatalf("owner grants a role of P: %v", err)
		}
		if _, err := a.ChangeProjectMember(ctx, owner, p.ID, viewer.UserID, []string{"PROJECT_OWNER"}, MemberUpdate); err != nil {
			t.Fatalf("owner promotes a member of P: %v", err)
		}
		if ps, total, err := a.ListProjects(ctx, owner, nil, store.Page{}); err != nil || total != 1 || ps[0].ID != p.ID {
			t.Fatalf("owner lists projects: %v (%d), %v", ps, total, err)
		}

		// Not on Q, nor the org's own use cases, nor another org.
		before, _ := a.store.Org(ctx, admin.OrgID)
		refused := map[string]error{}
		_, refused["AddProjectRole Q"] = a.AddProjectRoles(ctx, owner, q.ID, []RoleInput{{Key: "writer"}}, false)
		_, _, refused["AddAPIApp Q"] = a.AddAPIApp(ctx, owner, q.ID, "api", 0)
		_, refused["AddUserGrant Q"] = a.AddUserGrant(ctx, owner, GrantInput{UserID: grantee.UserID, ProjectID: q.ID, RoleKeys: []string{"reader"}})
		_, refused["AddProjectMember Q"] = a.ChangeProjectMember(ctx, owner, q.ID, viewer.UserID, []string{"PROJECT_OWNER"}, MemberAdd)
		_, _, _, refused["ListProjectMembers Q"] = a.ListProjectMembers(ctx, owner, q.ID, MemberFilter{}, store.Page{})
		_, refused["GetProject Q"] = a.GetProject(ctx, owner, q.ID)
		_, refused["RemoveProject Q"] = a.RemoveProject(ctx, owner, q.ID)
		_, refused["AddProject"] = a.AddProject(ctx, owner, ProjectInput{Name: "R"})
		_, refused["AddOrgMember"] = a.ChangeMember(ctx, owner, grantee.UserID, []string{"ORG_OWNER_VIEWER"}, MemberAdd)
		_, _, _, refused["ListOrgMembers"] = a.ListMembers(ctx, owner, store.Page{})
		_, refused["LockUser"] = a.ChangeState(ctx, owner, grantee.UserID, user.OpLock)
		other, err := a.AddOrg(ctx, admin.Caller, "Other")
		if err != nil {
			t.Fatal(err)
		}
		_, _, refused["ListProjects other org"] = a.ListProjects(ctx, OrgScope(ownerAuth(), other.ID), nil, store.Page{})
		for name, err := range refused {
			if fe, ok := fail.As(err); !ok || (fe.Code != codes.PermissionDenied && fe.Code != codes.NotFound) {
				t.Errorf("%s by P's owner: %v, want PermissionDenied", name, err)
			}
		}
		if after, _ := a.store.Org(ctx, admin.OrgID); after.Sequence != before.Sequence {
			t.Fatalf("a refused write moved the org's sequence %d → %d", before.Sequence, after.Sequence)
		}

		// The viewer (now promoted, then put back) reads and writes nothing.
		if _, err := a.ChangeProjectMember(ctx, admin, p.ID, viewer.UserID, []string{"PROJECT_OWNER_VIEWER"}, MemberUpdate); err != nil {
			t.Fatal(err)
		}
		vs := OrgScope(viewerAuth(), admin.OrgID)
		if _, err := a.GetProject(ctx, vs, p.ID); err != nil {
			t.Fatalf("viewer reads P: %v", err)
		}
		if _, _, _, err := a.ListProjectMembers(ctx, vs, p.ID, MemberFilter{}, store.Page{}); err != nil {
			t.Fatalf("viewer lists P's members: %v", err)
		}
		_, err = a.AddProjectRoles(ctx, vs, p.ID, []RoleInput{{Key: "viewer-made"}}, false)
		wantCode(t, err, codes.PermissionDenied)
		// The escalation rule: a viewer cannot make itself (or anyone) owner.
		_, err = a.ChangeProjectMember(ctx, vs, p.ID, viewer.UserID, []string{"PROJECT_OWNER"}, MemberUpdate)
		wantCode(t, err, codes.PermissionDenied)

		// Removing the membership ends the role at the next request.
		if _, err := a.ChangeProjectMember(ctx, admin, p.ID, owner.Caller.UserID, nil, MemberRemove); err != nil {
			t.Fatal(err)
		}
		_, err = a.GetProject(ctx, OrgScope(ownerAuth(), admin.OrgID), p.ID)
		wantCode(t, err, codes.PermissionDenied)
	})
}

// TestProjectMemberEscalation: a caller never gives a project role whose
// permissions it lacks on the project — an org user manager (grants, no
// project write) cannot make anyone PROJECT_OWNER — and removing a project
// removes its members in the same transaction.
func TestProjectMemberEscalation(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		p, err := a.AddProject(ctx, admin, ProjectInput{Name: "P"})
		if err != nil {
			t.Fatal(err)
		}
		m, _ := patCaller(t, a, admin, "target")
		um, umAuth := patCaller(t, a, admin, "usermanager")
		if _, err := a.ChangeMember(ctx, admin, um.UserID, []string{"ORG_OWNER_VIEWER"}, MemberAdd); err != nil {
			t.Fatal(err)
		}
		// ORG_OWNER_VIEWER reads project members but may not write them.
		_, err = a.ChangeProjectMember(ctx, OrgScope(umAuth(), admin.OrgID), p.ID, m.UserID, []string{"PROJECT_OWNER_VIEWER"}, MemberAdd)
		wantCode(t, err, codes.PermissionDenied)
		// A PROJECT_OWNER_VIEWER on P with ORG_OWNER_VIEWER holds no
		// project.write: it may not hand out PROJECT_OWNER even if it could
		// write members (checked directly on CoversRoles).
		c := umAuth()
		if c.CoversRoles(org.ProjectScope(p.OrgID, p.ID), []string{"PROJECT_OWNER"}) {
			t.Fatal("an org viewer covers PROJECT_OWNER")
		}
		if !c.CoversRoles(org.ProjectScope(p.OrgID, p.ID), []string{"PROJECT_OWNER_VIEWER"}) {
			t.Fatal("an org viewer does not cover PROJECT_OWNER_VIEWER")
		}

		if _, err := a.ChangeProjectMember(ctx, admin, p.ID, m.UserID, []string{"PROJECT_OWNER"}, MemberAdd); err != nil {
			t.Fatal(err)
		}
		if _, err := a.RemoveProject(ctx, admin, p.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := a.store.Member(ctx, org.ProjectScope(p.OrgID, p.ID), m.UserID); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("a removed project's member is left: %v", err)
		}
	})
}

// TestConcurrentAddProjectMember: two adds of the same member race; exactly
// one wins, the other is AlreadyExists.
func TestConcurrentAddProjectMember(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		p, err := a.AddProject(ctx, admin, ProjectInput{Name: "P"})
		if err != nil {
			t.Fatal(err)
		}
		m, _ := patCaller(t, a, admin, "racer")
		const n = 4
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = a.ChangeProjectMember(ctx, admin, p.ID, m.UserID, []string{"PROJECT_OWNER_VIEWER"}, MemberAdd)
			}()
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			switch {
			case err == nil:
				won++
			case !errors.Is(err, errPMemberExists):
				t.Fatalf("a racing add: %v", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d adds won, want 1", won)
		}
	})
}
