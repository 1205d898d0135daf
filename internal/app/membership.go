package app

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// Every kind of membership (instance, org, project, project grant) is a row
// of the members table changed the same way inside its aggregate's
// transaction; membershipKind holds what differs between the kinds, and
// changeMembership is the one place that applies an add, update or removal.

// membershipKind says how one kind of membership answers and records a change.
type membershipKind struct {
	exists, notFound error
	// unchanged answers an update to the roles already held; nil writes the
	// update anyway. sameIsNoop makes it a success that writes nothing
	// (ZITADEL's instance members), as absentIsNoop does for the removal of
	// a non-member.
	unchanged                error
	sameIsNoop, absentIsNoop bool
	added, changed, removed  string // event types
	// mayJoin refuses a user who may not become a member (the kind's own
	// not-found error: such a user is as unknown as a missing one).
	mayJoin func(ctx context.Context, tx store.Tx, userID string) error
}

// memberWrite is one membership change: who, where, and the roles (sorted,
// checked) for an add or update.
type memberWrite struct {
	kind   MemberChange
	scope  string // the store scope of the membership
	guard  string // the scope on which the caller must hold the roles' permissions
	userID string
	roles  []string
	at     time.Time
	seq    uint64         // the aggregate's sequence as committed
	event  map[string]any // the event payload; "roles" is added except on removal
}

// changeMembership applies w inside tx and returns the event to record ("" when
// nothing changed). The caller never gives, nor takes away, a role whose
// permissions it lacks on w.guard.
func changeMembership(ctx context.Context, tx store.Tx, c *Caller, k membershipKind, w memberWrite) (string, any, error) {
	if w.kind != MemberRemove && !c.CoversRoles(w.guard, w.roles) {
		return "", nil, errOutranked // nobody grants what they do not hold
	}
	old, err := tx.Member(ctx, w.scope, w.userID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return "", nil, err
	}
	exists := err == nil
	if exists && !c.CoversRoles(w.guard, old.Roles) {
		return "", nil, errOutranked // nor takes away what they do not hold
	}
	payload := w.event
	if w.kind != MemberRemove {
		payload["roles"] = w.roles
	}
	switch w.kind {
	case MemberAdd:
		if exists {
			return "", nil, k.exists
		}
		if err := k.mayJoin(ctx, tx, w.userID); err != nil {
			return "", nil, err
		}
		m := &org.Member{OrgID: w.scope, UserID: w.userID, Roles: w.roles, CreatedAt: w.at, ChangedAt: w.at, Sequence: w.seq}
		return k.added, payload, tx.PutMember(ctx, m)
	case MemberUpdate:
		if !exists {
			return "", nil, k.notFound
		}
		if slices.Equal(old.Roles, w.roles) {
			if k.sameIsNoop {
				return "", nil, nil
			}
			if k.unchanged != nil {
				return "", nil, k.unchanged
			}
		}
		old.Roles, old.ChangedAt, old.Sequence = w.roles, w.at, w.seq
		return k.changed, payload, tx.PutMember(ctx, old)
	default:
		if !exists {
			if k.absentIsNoop {
				return "", nil, nil
			}
			return "", nil, k.notFound
		}
		return k.removed, payload, tx.DeleteMember(ctx, w.scope, w.userID)
	}
}

// memberRoles checks the roles of an add or update (some, and each one the
// kind may carry: isRole) and returns them sorted without repeats; a removal
// takes none.
func memberRoles(kind MemberChange, roles []string, isRole func(string) bool, none, bad error) ([]string, error) {
	if kind == MemberRemove {
		return nil, nil
	}
	if len(roles) == 0 {
		return nil, none
	}
	for _, r := range roles {
		if !org.KnownRole(r) || !isRole(r) {
			return nil, bad
		}
	}
	return slices.Compact(slices.Sorted(slices.Values(roles))), nil
}

// joinable refuses, with notFound, a user who may not become a member:
// missing, removed, or of neither sameOrg (which the kind always admits; ""
// none) nor, with a caller, an org whose users the caller may read.
func joinable(ctx context.Context, tx store.Tx, c *Caller, userID, sameOrg string, notFound error) error {
	u, err := tx.User(ctx, userID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err != nil || u.State == user.StateDeleted || (u.OrgID != sameOrg && (c == nil || !c.Can(org.PermUserRead, u.OrgID))) {
		return notFound
	}
	return nil
}
