package app

import (
	"context"
	"errors"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/fail"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// Every command that changes an aggregate goes through one helper per
// aggregate kind, in the shape of Dex's Update(id, func(old) (new, error)):
// the engine owns the transaction, the caller owns the decision. The helper
// loads the aggregate inside store.Write, applies the scope (and, for users,
// the escalation rule), runs the decision, writes the new state guarded by the
// sequence it read, appends the events, and returns the aggregate as committed
// — whose sequence and change time are the answer's details. The decision may
// run more than once (store.Write reruns after a conflict), so it sets what it
// hands out rather than adding to it. The engines' errors name the aggregate
// and the write already.

// userLoader finds, inside the write, the user a command changes.
type userLoader func(ctx context.Context, tx store.Reader) (*user.User, error)

// userDecision decides a change of u: it changes u through the domain and
// returns the events to record, and writes in tx what belongs with the change
// (a PAT, a key, a deletion). No events: nothing is written, and the helper
// returns no user.
type userDecision func(ctx context.Context, tx store.Tx, u *user.User) ([]event.Event, error)

// changeUser is a command on a user under an authorized scope: the user is
// loaded with loadForChange (visible in the scope with the use case's
// permission; the caller covers the user's roles), then decided and written.
func (a *App) changeUser(ctx context.Context, g granted, userID string, notFound *fail.Error, decide userDecision) (*user.User, error) {
	return a.writeUser(ctx, func(ctx context.Context, tx store.Reader) (*user.User, error) {
		return a.loadForChange(ctx, tx, g, userID, notFound)
	}, decide)
}

// writeUser is the one place a user's state is written: for commands under a
// scope (changeUser) and those whose load is their own (a sign-in's password
// check, a forced password change).
func (a *App) writeUser(ctx context.Context, load userLoader, decide userDecision) (*user.User, error) {
	var out *user.User
	err := a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		out = nil
		u, err := load(ctx, tx)
		if err != nil {
			return err
		}
		prev := u.Sequence
		evs, err := decide(ctx, tx, u)
		if err != nil || len(evs) == 0 {
			return err
		}
		if err := tx.UpdateUser(ctx, u, prev); err != nil {
			return err
		}
		if err := tx.Append(ctx, evs...); err != nil {
			return err
		}
		committed := *u
		out = &committed
		return nil
	})
	if err != nil {
		return nil, storeErr(err)
	}
	return out, nil
}

// orgChange is an org aggregate's change in the making: the org at the
// sequence the change gets, and who makes it when.
type orgChange struct {
	o  *org.Org
	by user.Actor
}

// orgDecision decides a change of an org: it writes the org's own rows
// (projects, apps, memberships) at ch's sequence and returns the event's type
// and payload.
type orgDecision func(ctx context.Context, tx store.Tx, ch *orgChange) (string, any, error)

// changeOrg is the one place an org's state is written: it loads the org of
// the authorized scope's context (OrgNotFound if it is gone), runs decide,
// writes the org guarded by the sequence it read and appends the event.
func (a *App) changeOrg(ctx context.Context, g granted, decide orgDecision) (*org.Org, error) {
	var out org.Org
	err := a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		o, err := tx.Org(ctx, g.OrgID)
		if errors.Is(err, store.ErrNotFound) {
			return fail.OrgNotFound
		} else if err != nil {
			return err
		}
		prev := o.Sequence
		ch := &orgChange{o: o, by: actor(g.Caller)}
		o.Sequence++
		o.ChangedAt = ch.by.At
		typ, payload, err := decide(ctx, tx, ch)
		if err != nil {
			return err
		}
		if err := tx.UpdateOrg(ctx, o, prev); err != nil {
			return err
		}
		if err := tx.Append(ctx, orgEvent(o, o.Sequence, typ, ch.by, payload)); err != nil {
			return err
		}
		out = *o
		return nil
	})
	if err != nil {
		return nil, storeErr(err)
	}
	return &out, nil
}
