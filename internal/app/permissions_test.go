package app

import (
	"context"
	"errors"
	"testing"

	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/project"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
	"github.com/warden-id/warden/internal/user"
	"google.golang.org/grpc/codes"
)

// TestEveryUseCaseHasARule: the use cases the commands derive from their
// input (lifecycle operations, membership and policy kinds) all have a rule,
// and one without (an unknown operation) is refused as Internal before
// anything is read or written.
func TestEveryUseCaseHasARule(t *testing.T) {
	for _, op := range []user.Op{user.OpLock, user.OpUnlock, user.OpDeactivate, user.OpReactivate, user.OpRemove} {
		if _, ok := RuleOf(StateChangeUse(op)); !ok {
			t.Errorf("%v: no rule", op)
		}
	}
	for kind, use := range memberUses {
		if _, ok := RuleOf(use); !ok {
			t.Errorf("member change %d: no rule", kind)
		}
	}
	for kind, use := range policyUses {
		if _, ok := RuleOf(use); !ok {
			t.Errorf("policy change %d: no rule", kind)
		}
	}
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		u, err := a.AddMachine(ctx, admin, NewMachine{UserName: "m", Name: "m"})
		if err != nil {
			t.Fatal(err)
		}
		_, err = a.ChangeState(ctx, admin, u.ID, user.Op(42))
		wantCode(t, err, codes.Internal)
		unchanged(t, a, u)
	})
}

// unchanged fails unless the stored user is still at u's sequence and state.
func unchanged(t *testing.T, a *App, u *user.User) {
	t.Helper()
	if got, err := a.store.User(context.Background(), u.ID); err != nil || got.Sequence != u.Sequence || got.State != u.State {
		t.Fatalf("user %s changed: %+v (%v), was sequence %d, %v", u.ID, got, err, u.Sequence, u.State)
	}
}

// addOrgs makes orgs of these names as c.
func addOrgs(t *testing.T, a *App, c *Caller, names ...string) []*org.Org {
	t.Helper()
	var out []*org.Org
	for _, n := range names {
		o, err := a.AddOrg(context.Background(), c, n)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, o)
	}
	return out
}

// TestAuthorizedScopeIsForItsUseOnly: a scope Authorize let through for one
// use case, org and caller carries nothing to another: a reader's scope does
// not lock, and a scope whose org context is swapped afterwards is checked
// again in the new org. Nothing is written either way.
func TestAuthorizedScopeIsForItsUseOnly(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		orgs := addOrgs(t, a, admin.Caller, "Org A", "Org B")
		orgA, orgB := orgs[0], orgs[1]
		inB, err := a.AddMachine(ctx, Scope{Caller: admin.Caller, OrgID: orgB.ID}, NewMachine{UserName: "b", Name: "b"})
		if err != nil {
			t.Fatal(err)
		}
		inA, err := a.AddMachine(ctx, Scope{Caller: admin.Caller, OrgID: orgA.ID}, NewMachine{UserName: "a", Name: "a"})
		if err != nil {
			t.Fatal(err)
		}
		viewer := &Caller{UserID: "viewer", OrgID: orgA.ID, roles: map[string][]string{org.InstanceScope: {"IAM_OWNER_VIEWER"}}}
		ownerA := &Caller{UserID: "owner-a", OrgID: orgA.ID, roles: map[string][]string{orgA.ID: {"ORG_OWNER"}}}

		read, err := a.Authorize(ctx, OrgScope(viewer, orgB.ID), UseGetUser)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := a.GetUser(ctx, read, inB.ID); err != nil {
			t.Fatalf("the reader cannot read: %v", err)
		}
		_, err = a.ChangeState(ctx, read, inB.ID, user.OpLock)
		wantCode(t, err, codes.PermissionDenied)

		lock, err := a.Authorize(ctx, OrgScope(ownerA, ""), UseLockUser)
		if err != nil || lock.OrgID != orgA.ID {
			t.Fatalf("org owner in its own org: %+v, %v", lock, err)
		}
		lock.OrgID = orgB.ID
		_, err = a.ChangeState(ctx, lock, inB.ID, user.OpLock)
		wantCode(t, err, codes.PermissionDenied)
		lock.OrgID = orgA.ID
		if _, err := a.ChangeState(ctx, lock, inA.ID, user.OpLock); err != nil {
			t.Fatalf("the authorized lock: %v", err)
		}
		unchanged(t, a, inB)
	})
}

// TestAuthorizeOrgContext: no permission is PermissionDenied whether or not
// the org exists (a caller learns nothing about orgs it cannot use); with it,
// an unknown org is NotFound and an empty context is the caller's own org.
func TestAuthorizeOrgContext(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		ownerA := &Caller{UserID: "owner-a", OrgID: "org-a", roles: map[string][]string{"org-a": {"ORG_OWNER"}}}
		for _, orgID := range []string{admin.OrgID, "no-such-org"} {
			_, err := a.Authorize(ctx, OrgScope(ownerA, orgID), UseGetUser)
			wantCode(t, err, codes.PermissionDenied)
		}
		_, err := a.Authorize(ctx, OrgScope(admin.Caller, "no-such-org"), UseGetUser)
		if !errors.Is(err, fail.OrgNotFound) {
			t.Fatalf("unknown org: %v", err)
		}
		s, err := a.Authorize(ctx, OrgScope(admin.Caller, ""), UseGetUser)
		if err != nil || s.OrgID != admin.OrgID {
			t.Fatalf("empty org context: %+v %v", s, err)
		}
		// v2 (no org context) defers the check to the user's org; so does an
		// instance-wide use case, until its input is checked.
		if _, err := a.Authorize(ctx, Scope{Caller: ownerA}, UseLockUser); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Authorize(ctx, Scope{Caller: ownerA}, UseAddOrg); err != nil {
			t.Fatal(err)
		}
		_, err = a.AddOrg(ctx, ownerA, "Mine")
		wantCode(t, err, codes.PermissionDenied)
	})
}

// TestMayIsWhatAuthorizeChecks: what the console offers (Scope.May) is
// exactly what each use case's first check lets through, for every use case
// and role, in the caller's own org.
func TestMayIsWhatAuthorizeChecks(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		roles := append(org.OrgRoles(), "IAM_OWNER", "IAM_ORG_MANAGER", "IAM_USER_MANAGER", "IAM_OWNER_VIEWER", "")
		for _, role := range roles {
			c := &Caller{UserID: "c", OrgID: admin.OrgID, roles: map[string][]string{}}
			switch {
			case org.IsInstanceRole(role):
				c.roles[org.InstanceScope] = []string{role}
			case role != "":
				c.roles[admin.OrgID] = []string{role}
			}
			for _, use := range Uses() {
				s := OrgScope(c, "")
				_, err := a.authorize(ctx, s, use)
				if s.May(use) != (err == nil) {
					t.Errorf("%s %s: May %v, authorize: %v", role, use, s.May(use), err)
				}
			}
		}
	})
}

// TestMayOnProjectIsWhatTheUseCasesDecide: for every org role, on a project the
// caller created (as a project creator) and on one it did not, MayOnProject
// answers what the use cases themselves decide — calls that change nothing
// (reads, an update with no changes, reactivating an active project) tell
// PermissionDenied from every other answer — and for a project yet to be made
// what AddProject decides (a viewer may read projects, not create one).
func TestMayOnProjectIsWhatTheUseCasesDecide(t *testing.T) {
	testdb.Each(t, func(t *testing.T, open testdb.Opener) {
		a, admin := testApp(t, open)
		ctx := context.Background()
		creator := &Caller{UserID: "c", OrgID: admin.OrgID, roles: map[string][]string{admin.OrgID: {"ORG_PROJECT_CREATOR"}}}
		own, err := a.AddProject(ctx, OrgScope(creator, ""), ProjectInput{Name: "own"})
		if err != nil {
			t.Fatal(err)
		}
		other, err := a.AddProject(ctx, admin, ProjectInput{Name: "other"})
		if err != nil {
			t.Fatal(err)
		}
		calls := map[Use]func(s Scope, id string) error{
			UseGetProject: func(s Scope, id string) error { _, err := a.GetProject(ctx, s, id); return err },
			UseListProjectRoles: func(s Scope, id string) error {
				_, _, err := a.ListProjectRoles(ctx, s, id, RoleFilter{}, store.Page{})
				return err
			},
			UseListApps: func(s Scope, id string) error { _, _, err := a.ListApps(ctx, s, id, nil, store.Page{}); return err },
			UseUpdateProject: func(s Scope, id string) error {
				name := map[string]string{own.ID: own.Name, other.ID: other.Name}[id]
				_, err := a.UpdateProject(ctx, s, id, ProjectInput{Name: name})
				return err
			},
			UseReactivateProject: func(s Scope, id string) error { _, err := a.SetProjectActive(ctx, s, id, true); return err },
		}
		for _, role := range append(org.OrgRoles(), "") {
			c := &Caller{UserID: "c", OrgID: admin.OrgID, roles: map[string][]string{}}
			if role != "" {
				c.roles[admin.OrgID] = []string{role}
			}
			s := OrgScope(c, "")
			for use, call := range calls {
				for _, p := range []*project.Project{own, other} {
					err := call(s, p.ID)
					denied := errors.Is(err, fail.PermissionDenied)
					if s.MayOnProject(use, p) == denied {
						t.Errorf("%s %s on %s: MayOnProject %v, the use case: %v", role, use, p.Name, s.MayOnProject(use, p), err)
					}
				}
			}
			_, err := a.AddProject(ctx, s, ProjectInput{Name: "probe " + role})
			if s.MayOnProject(UseAddProject, nil) == errors.Is(err, fail.PermissionDenied) {
				t.Errorf("%s AddProject: MayOnProject %v, the use case: %v", role, s.MayOnProject(UseAddProject, nil), err)
			}
		}
	})
}
