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

// Project grant members: users of the granted org holding PROJECT_GRANT_OWNER
// (or its viewer) on one project grant. They are managed from the granting
// side (the project's org context, like the grant itself); the membership's
// scope is org.GrantScope(granted org, grant), so in the granted org the role
// counts for the user grants given through that grant only (mayUserGrant).

// ProjectGrantMemberRoles lists the roles a project grant membership may
// carry (ListProjectGrantMemberRoles).
func (a *App) ProjectGrantMemberRoles(ctx context.Context, s Scope) ([]string, error) {
	g, err := a.authorize(ctx, s, UseListProjectGrantMemberRoles)
	if err != nil {
		return nil, err
	}
	if !g.Caller.Can(g.perm(), g.OrgID) && !g.Caller.inProjectWith(g.perm(), g.OrgID) {
		return nil, fail.PermissionDenied
	}
	return org.ProjectGrantRoles(), nil
}

// ChangeProjectGrantMember adds, updates or removes a member of a grant of a
// project of the org context; the answer is the org as committed. The
// escalation rule holds on the grant's scope.
func (a *App) ChangeProjectGrantMember(ctx context.Context, s Scope, projectID, grantID, userID string, roles []string, kind MemberChange) (*org.Org, error) {
	use, invalid, badRoles := UseAddProjectGrantMember, errPGMemberInvalid, errPGMemberRoles
	switch kind {
	case MemberUpdate:
		use, invalid, badRoles = UseUpdateProjectGrantMember, errPGMemberChangeInvalid, errPGMemberChangeRoles
	case MemberRemove:
		use, invalid = UseRemoveProjectGrantMember, errPMemberRemoveInvalid
	}
	g, err := a.authorize(ctx, s, use)
	if err != nil {
		return nil, err
	}
	for _, id := range []string{projectID, grantID, userID} {
		if err := checkID(id, invalid); err != nil {
			return nil, err
		}
	}
	roles, err = memberRoles(kind, roles, org.IsProjectGrantRole, invalid, badRoles)
	if err != nil {
		return nil, err
	}
	c := g.Caller
	return a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		pg, _, err := projectGrantFor(ctx, tx, g, projectID, grantID, errPGrantNotFound)
		if err != nil {
			return "", nil, err
		}
		k := membershipKind{exists: errPGMemberExists, notFound: errPGMemberNotFound, unchanged: errPGMemberNotChanged,
			added: event.ProjectGrantMemberAdded, changed: event.ProjectGrantMemberChanged, removed: event.ProjectGrantMemberRemoved,
			// Only the granted org's users.
			mayJoin: func(ctx context.Context, tx store.Tx, userID string) error {
				return joinable(ctx, tx, nil, userID, pg.GrantedOrgID, errMemberUser)
			}}
		// The caller acts from the project's side: what it must hold is the
		// roles' permissions on the project.
		return changeMembership(ctx, tx, c, k, memberWrite{kind: kind, scope: org.GrantScope(pg.GrantedOrgID, pg.ID),
			guard: org.ProjectScope(pg.OrgID, pg.ProjectID), userID: userID, roles: roles, at: ch.by.At, seq: ch.o.Sequence,
			event: map[string]any{"projectId": pg.ProjectID, "grantId": pg.ID, "grantedOrgId": pg.GrantedOrgID, "userId": userID}})
	})
}

// ListProjectGrantMembers lists the members of a grant of a project of the
// org context, with their users (the granted org's).
func (a *App) ListProjectGrantMembers(ctx context.Context, s Scope, projectID, grantID string, f MemberFilter, pg store.Page) ([]*org.Member, map[string]*user.User, uint64, error) {
	g, err := a.authorize(ctx, s, UseListProjectGrantMembers)
	if err != nil {
		return nil, nil, 0, err
	}
	if err := checkID(grantID, errPGrantNotFound); err != nil {
		return nil, nil, 0, err
	}
	gr, _, err := projectGrantFor(ctx, a.store, g, projectID, grantID, errPGrantNotFound)
	if err != nil {
		return nil, nil, 0, storeErr(err)
	}
	scope := org.GrantScope(gr.GrantedOrgID, gr.ID)
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
	out := make([]*org.Member, len(ms))
	for i, m := range ms {
		u, err := a.store.User(ctx, m.UserID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, nil, 0, storeErr(err)
		}
		if u != nil {
			users[m.UserID] = u
		}
		cp := *m
		cp.OrgID = gr.OrgID // shown as owned by the project's org
		out[i] = &cp
	}
	return out, users, total, nil
}

// deleteGrantMembers deletes the members of a removed project grant, inside
// the removal's transaction.
func deleteGrantMembers(ctx context.Context, tx store.Tx, grantedOrgID, grantID string) error {
	scope := org.GrantScope(grantedOrgID, grantID)
	for {
		ms, _, err := tx.ListMembers(ctx, scope, store.Page{Limit: 1000, Asc: true})
		if err != nil || len(ms) == 0 {
			return err
		}
		for _, m := range ms {
			if err := tx.DeleteMember(ctx, scope, m.UserID); err != nil {
				return err
			}
		}
	}
}
