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

// iamMemberUses are the use cases of the instance membership writes.
var iamMemberUses = map[MemberChange]Use{MemberAdd: UseAddIAMMember, MemberUpdate: UseUpdateIAMMember, MemberRemove: UseRemoveIAMMember}

// checkIAMRoles: only instance roles Warden knows, at least one.
func checkIAMRoles(roles []string, invalid *fail.Error) error {
	if len(roles) == 0 {
		return invalid
	}
	for _, r := range roles {
		if !org.KnownRole(r) || !org.IsInstanceRole(r) {
			return invalid.Wrap(errors.New(r))
		}
	}
	return nil
}

// ChangeIAMMember adds, updates or removes an instance membership. A caller
// grants, changes or takes away only roles whose permissions it holds in the
// instance. As in ZITADEL, updating to the same roles and removing a
// non-member change nothing and succeed.
func (a *App) ChangeIAMMember(ctx context.Context, c *Caller, userID string, roles []string, kind MemberChange) (*InstanceDetails, error) {
	g, err := a.authorize(ctx, Scope{Caller: c}, iamMemberUses[kind])
	if err != nil {
		return nil, err
	}
	switch kind {
	case MemberAdd:
		if err := checkID(userID, errIAMMemberUserID); err != nil {
			return nil, err
		}
		if err := checkIAMRoles(roles, errIAMMemberRoles); err != nil {
			return nil, err
		}
	case MemberUpdate:
		if userID == "" || len(roles) == 0 {
			return nil, errIAMMemberInvalid
		}
		if err := checkIAMRoles(roles, errIAMMemberRole); err != nil {
			return nil, err
		}
	case MemberRemove:
		if err := checkID(userID, errIAMMemberInvalid); err != nil {
			return nil, err
		}
	}
	if !pgText(userID) {
		return nil, errIAMMemberUserID
	}
	roles = slices.Compact(slices.Sorted(slices.Values(roles)))
	k := membershipKind{exists: errIAMMemberExists, notFound: errIAMMemberMissing, sameIsNoop: true, absentIsNoop: true,
		added: event.InstanceMemberAdded, changed: event.InstanceMemberChanged, removed: event.InstanceMemberRemoved,
		mayJoin: func(ctx context.Context, tx store.Tx, userID string) error {
			return joinable(ctx, tx, c, userID, "", errIAMMemberUser)
		}}
	return a.changeInstance(ctx, g, func(ctx context.Context, tx store.Tx, ch *instanceChange) (string, any, error) {
		if kind == MemberRemove && userID == c.UserID {
			if old, err := tx.Member(ctx, org.InstanceScope, userID); err == nil && isLastOwner(ctx, tx, old) {
				return "", nil, errLastIAMOwner
			}
		}
		return changeMembership(ctx, tx, c, k, memberWrite{kind: kind, scope: org.InstanceScope, guard: org.InstanceScope, userID: userID,
			roles: roles, at: ch.by.At, seq: ch.i.Sequence, event: map[string]any{"userId": userID}})
	})
}

func isLastOwner(ctx context.Context, r store.Reader, m *org.Member) bool {
	if !slices.Contains(m.Roles, "IAM_OWNER") {
		return false
	}
	ms, _, err := r.ListMembers(ctx, org.InstanceScope, store.Page{Limit: 1000})
	if err != nil {
		return true // in doubt, keep the owner
	}
	for _, o := range ms {
		if o.UserID != m.UserID && slices.Contains(o.Roles, "IAM_OWNER") {
			return false
		}
	}
	return true
}

// ListIAMMembers lists the instance's members with their users, which are
// given only where the caller may read them (as ListMembers does).
func (a *App) ListIAMMembers(ctx context.Context, c *Caller, f MemberFilter, p store.Page) ([]*org.Member, map[string]*user.User, uint64, error) {
	if _, err := a.authorize(ctx, Scope{Caller: c}, UseListIAMMembers); err != nil {
		return nil, nil, 0, err
	}
	return a.memberPage(ctx, c, org.InstanceScope, f, p)
}

// IAMMemberRoles lists the roles an instance membership may carry.
func (a *App) IAMMemberRoles(ctx context.Context, c *Caller) ([]string, error) {
	if _, err := a.authorize(ctx, Scope{Caller: c}, UseListIAMMemberRoles); err != nil {
		return nil, err
	}
	return org.InstanceRoles(), nil
}

// Instance returns the instance, for the details of instance-wide answers.
func (a *App) Instance(ctx context.Context) (*org.Instance, error) {
	i, err := a.store.Instance(ctx)
	return i, storeErr(err)
}
