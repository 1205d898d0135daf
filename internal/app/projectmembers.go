package app

import (
	"context"
	"errors"
	"slices"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// Project members: users holding a project role (PROJECT_OWNER,
// PROJECT_OWNER_VIEWER) on one project. A membership is a row of the members
// table whose scope is org.ProjectScope(org, project), so the caller's
// project roles arrive with its org roles in the one read that authenticates
// it, and Caller.Can counts them on that project only. Each change is an
// event on the project's org, as every project change is.

// ProjectMemberRoles lists the roles a project membership may carry
// (ListProjectMemberRoles). It names no project: whoever may read the members
// of the org's projects, or of one of them, may ask.
func (a *App) ProjectMemberRoles(ctx context.Context, s Scope) ([]string, error) {
	g, err := a.authorize(ctx, s, UseListProjectMemberRoles)
	if err != nil {
		return nil, err
	}
	if !g.Caller.Can(g.perm(), g.OrgID) && !g.Caller.inProjectWith(g.perm(), g.OrgID) {
		return nil, fail.PermissionDenied
	}
	return org.ProjectRoles(), nil
}

// inProjectWith tells whether the caller holds perm through a role on some
// project of orgID.
func (c *Caller) inProjectWith(perm, orgID string) bool {
	for scope, roles := range c.roles {
		if o, p := org.SplitScope(scope); p != "" && o == orgID && org.Grants(roles, perm) {
			return true
		}
	}
	return false
}

// ChangeProjectMember adds, updates or removes a member of a project of the
// org context, and returns the org as committed (the details). The caller
// never gives, nor takes away, a role whose permissions it lacks on the
// project.
func (a *App) ChangeProjectMember(ctx context.Context, s Scope, projectID, userID string, roles []string, kind MemberChange) (*org.Org, error) {
	use, invalid, badRoles := UseAddProjectMember, errPMemberInvalid, errPMemberRoles
	switch kind {
	case MemberUpdate:
		use, invalid, badRoles = UseUpdateProjectMember, errPMemberChangeInvalid, errPMemberChangeRoles
	case MemberRemove:
		use, invalid = UseRemoveProjectMember, errPMemberRemoveInvalid
	}
	g, err := a.authorize(ctx, s, use)
	if err != nil {
		return nil, err
	}
	if err := checkID(projectID, invalid); err != nil {
		return nil, err
	}
	if err := checkID(userID, invalid); err != nil {
		return nil, err
	}
	roles, err = memberRoles(kind, roles, org.IsProjectRole, invalid, badRoles)
	if err != nil {
		return nil, err
	}
	c := g.Caller
	return a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		p, err := projectFor(ctx, tx, g, projectID)
		if err != nil {
			return "", nil, err
		}
		scope := org.ProjectScope(p.OrgID, p.ID)
		k := membershipKind{exists: errPMemberExists, notFound: errPMemberNotFound, unchanged: errPMemberNotChanged,
			added: event.ProjectMemberAdded, changed: event.ProjectMemberChanged, removed: event.ProjectMemberRemoved,
			// Members come from the project's org, whose users a project
			// owner may name (ZITADEL's PROJECT_OWNER reads users), or from
			// orgs whose users the caller may read.
			mayJoin: func(ctx context.Context, tx store.Tx, userID string) error {
				return joinable(ctx, tx, c, userID, p.OrgID, errMemberUser)
			}}
		return changeMembership(ctx, tx, c, k, memberWrite{kind: kind, scope: scope, guard: scope, userID: userID, roles: roles,
			at: ch.by.At, seq: ch.o.Sequence, event: map[string]any{"projectId": p.ID, "userId": userID}})
	})
}

// ListProjectMembers lists the members of a project of the org context with
// their users; a member's user is given only if it is of the project's org or
// the caller may read the users of that user's org.
func (a *App) ListProjectMembers(ctx context.Context, s Scope, projectID string, f MemberFilter, pg store.Page) ([]*org.Member, map[string]*user.User, uint64, error) {
	g, err := a.authorize(ctx, s, UseListProjectMembers)
	if err != nil {
		return nil, nil, 0, err
	}
	p, err := projectFor(ctx, a.store, g, projectID)
	if err != nil {
		return nil, nil, 0, storeErr(err)
	}
	scope := org.ProjectScope(p.OrgID, p.ID)
	var ms []*org.Member
	var total uint64
	if f.UserIDs != nil {
		for _, id := range slices.Compact(slices.Sorted(slices.Values(f.UserIDs))) {
			if err := checkID(id, errUserIDMissing); err != nil {
				return nil, nil, 0, err
			}
			m, err := a.store.Member(ctx, scope, id)
			if errors.Is(err, store.ErrNotFound) {
				continue
			} else if err != nil {
				return nil, nil, 0, storeErr(err)
			}
			ms = append(ms, m)
		}
		total = uint64(len(ms))
		ms = pageOf(ms, pg)
	} else if ms, total, err = a.store.ListMembers(ctx, scope, pg); err != nil {
		return nil, nil, 0, storeErr(err)
	}
	users := make(map[string]*user.User, len(ms))
	for _, m := range ms {
		u, err := a.store.User(ctx, m.UserID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, nil, 0, storeErr(err)
		}
		if u != nil && (u.OrgID == p.OrgID || g.Caller.Can(org.PermUserRead, u.OrgID)) {
			users[m.UserID] = u
		}
	}
	// The store's scope is the project's; the API shows the members as
	// owned by the project's org.
	out := make([]*org.Member, len(ms))
	for i, m := range ms {
		cp := *m
		cp.OrgID = p.OrgID
		out[i] = &cp
	}
	return out, users, total, nil
}

// deleteProjectMembers deletes every member of a removed project, inside the
// removal's transaction.
func deleteProjectMembers(ctx context.Context, tx store.Tx, orgID, projectID string) error {
	scope := org.ProjectScope(orgID, projectID)
	for {
		ms, _, err := tx.ListMembers(ctx, scope, store.Page{Limit: 1000, Asc: true})
		if err != nil {
			return err
		}
		if len(ms) == 0 {
			return nil
		}
		for _, m := range ms {
			if err := tx.DeleteMember(ctx, scope, m.UserID); err != nil {
				return err
			}
		}
	}
}
