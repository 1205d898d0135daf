package app

import (
	"context"
	"encoding/json"
	"errors"
	"slices"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// MyOrg returns the org of the scope's context (GetMyOrg).
func (a *App) MyOrg(ctx context.Context, s Scope) (*org.Org, error) {
	g, err := a.authorize(ctx, s, UseGetOrg)
	if err != nil {
		return nil, err
	}
	return a.GetOrg(ctx, g.OrgID)
}

// GetOrg returns an org by id, for display beside what a use case returned
// (its name in login names, the console's header): it decides nothing.
func (a *App) GetOrg(ctx context.Context, orgID string) (*org.Org, error) {
	o, err := a.store.Org(ctx, orgID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, fail.OrgNotFound
	}
	return o, storeErr(err)
}

// AddOrg creates an org; the caller becomes its ORG_OWNER, as in ZITADEL.
func (a *App) AddOrg(ctx context.Context, c *Caller, name string) (*org.Org, error) {
	if err := checkText("name", name, true); err != nil {
		return nil, err
	}
	if _, err := a.authorize(ctx, Scope{Caller: c}, UseAddOrg); err != nil {
		return nil, err
	}
	by := actor(c)
	o := &org.Org{ID: a.ids.Next(), Name: name, State: org.StateActive, Sequence: 2, CreatedAt: by.At, ChangedAt: by.At}
	err := a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		if err := tx.InsertOrg(ctx, o); err != nil {
			return err
		}
		if err := a.claimGeneratedDomain(ctx, tx, o); err != nil {
			return err
		}
		m := &org.Member{OrgID: o.ID, UserID: c.UserID, Roles: []string{"ORG_OWNER"}, CreatedAt: by.At, ChangedAt: by.At, Sequence: 2}
		if err := tx.PutMember(ctx, m); err != nil {
			return err
		}
		return tx.Append(ctx, orgEvent(o, 1, event.OrgAdded, by, map[string]any{"name": name}),
			orgEvent(o, 2, event.OrgMemberAdded, by, map[string]any{"userId": c.UserID, "roles": m.Roles}))
	})
	if errors.Is(err, store.ErrDuplicate) {
		return nil, errOrgNameTaken
	}
	if err != nil {
		return nil, storeErr(err)
	}
	return o, nil
}

func orgEvent(o *org.Org, seq uint64, typ string, by user.Actor, payload any) event.Event {
	p, _ := json.Marshal(payload)
	return event.Event{AggregateType: event.AggregateOrg, AggregateID: o.ID, Sequence: seq, Type: typ,
		CreatedAt: by.At, CreatorID: by.UserID, ResourceOwner: o.ID, Payload: p}
}

func checkRoles(roles []string) error {
	if len(roles) == 0 {
		return errRolesMissing
	}
	for _, r := range roles {
		// Project and project grant roles belong on their project or grant,
		// never on an org, where they would reach every project.
		if !org.KnownRole(r) || org.IsInstanceRole(r) || org.IsProjectRole(r) || org.IsProjectGrantRole(r) {
			return errUnknownRole.Wrap(errors.New(r))
		}
	}
	return nil
}

// MemberChange is the kind of membership write.
type MemberChange int

const (
	MemberAdd MemberChange = iota
	MemberUpdate
	MemberRemove
)

// memberUses are the use cases of the membership writes.
var memberUses = map[MemberChange]Use{MemberAdd: UseAddMember, MemberUpdate: UseUpdateMember, MemberRemove: UseRemoveMember}

// ChangeMember adds, updates or removes a membership of the org context. It
// returns the org as committed, for the details.
func (a *App) ChangeMember(ctx context.Context, s Scope, userID string, roles []string, kind MemberChange) (*org.Org, error) {
	g, err := a.authorize(ctx, s, memberUses[kind])
	if err != nil {
		return nil, err
	}
	if err := checkID(userID, errMemberUserIDMissing); err != nil {
		return nil, err
	}
	if kind != MemberRemove {
		if err := checkRoles(roles); err != nil {
			return nil, err
		}
		roles = slices.Compact(slices.Sorted(slices.Values(roles)))
	}
	c, orgID := g.Caller, g.OrgID
	k := membershipKind{exists: errMemberExists, notFound: errMemberNotFound,
		added: event.OrgMemberAdded, changed: event.OrgMemberChanged, removed: event.OrgMemberRemoved,
		mayJoin: func(ctx context.Context, tx store.Tx, userID string) error {
			return joinable(ctx, tx, c, userID, "", errMemberUser)
		}}
	return a.changeOrg(ctx, g, func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error) {
		return changeMembership(ctx, tx, c, k, memberWrite{kind: kind, scope: orgID, guard: orgID, userID: userID, roles: roles,
			at: ch.by.At, seq: ch.o.Sequence, event: map[string]any{"userId": userID}})
	})
}

// ListMembers lists the members of the org context with their users. A
// member's user is given only if the caller may read the users of that user's
// org; otherwise the membership shows without it (no name, e-mail or login
// name).
func (a *App) ListMembers(ctx context.Context, s Scope, p store.Page) ([]*org.Member, map[string]*user.User, uint64, error) {
	g, err := a.authorize(ctx, s, UseListMembers)
	if err != nil {
		return nil, nil, 0, err
	}
	c := g.Caller
	ms, total, err := a.store.ListMembers(ctx, g.OrgID, p)
	if err != nil {
		return nil, nil, 0, storeErr(err)
	}
	users, err := a.readableMembers(ctx, c, ms)
	if err != nil {
		return nil, nil, 0, err
	}
	return ms, users, total, nil
}

// readableMembers loads the members' users the caller may read; the others
// stay out of the answer, as unknown as missing ones.
func (a *App) readableMembers(ctx context.Context, c *Caller, ms []*org.Member) (map[string]*user.User, error) {
	users := make(map[string]*user.User, len(ms))
	for _, m := range ms {
		u, err := a.store.User(ctx, m.UserID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, storeErr(err)
		}
		if u != nil && c.Can(org.PermUserRead, u.OrgID) {
			users[m.UserID] = u
		}
	}
	return users, nil
}
