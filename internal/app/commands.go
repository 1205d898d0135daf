package app

import (
	"context"
	"encoding/json"
	"errors"
	"time"

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
		write := tx.UpdateOrg
		if o.State == org.StateRemoved {
			// A removed org leaves its history, not its row (nor its name).
			write = func(ctx context.Context, o *org.Org, prev uint64) error { return tx.DeleteOrg(ctx, o.ID, prev) }
		}
		if err := write(ctx, o, prev); err != nil {
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

// instanceChange is the instance aggregate's change in the making: the
// instance at the sequence the change gets, and who makes it when.
type instanceChange struct {
	i  *org.Instance
	by user.Actor
}

// instanceDecision decides a change of the instance (its members, its default
// org): it writes the rows that belong with it at ch's sequence and returns
// the event's type and payload; no type: nothing changes, and the instance is
// returned as it was.
type instanceDecision func(ctx context.Context, tx store.Tx, ch *instanceChange) (string, any, error)

// changeInstance is the one place the instance's state is written: it loads
// the instance, runs decide, writes the instance guarded by the sequence it
// read and appends the event.
func (a *App) changeInstance(ctx context.Context, g granted, decide instanceDecision) (*InstanceDetails, error) {
	var out InstanceDetails
	err := a.store.Write(ctx, func(ctx context.Context, tx store.Tx) error {
		i, err := tx.Instance(ctx)
		if err != nil {
			return err
		}
		prev := i.Sequence
		ch := &instanceChange{i: i, by: actor(g.Caller)}
		i.Sequence++
		typ, payload, err := decide(ctx, tx, ch)
		if err != nil {
			return err
		}
		if typ == "" {
			out = InstanceDetails{ID: i.ID, Sequence: prev}
			return nil
		}
		if err := tx.UpdateInstance(ctx, i, prev); err != nil {
			return err
		}
		p, _ := json.Marshal(payload)
		if err := tx.Append(ctx, event.Event{AggregateType: event.AggregateInstance, AggregateID: i.ID, Sequence: i.Sequence,
			Type: typ, CreatedAt: ch.by.At, CreatorID: ch.by.UserID, ResourceOwner: i.ID, Payload: p}); err != nil {
			return err
		}
		out = InstanceDetails{ID: i.ID, Sequence: i.Sequence, ChangedAt: ch.by.At}
		return nil
	})
	if err != nil {
		return nil, storeErr(err)
	}
	return &out, nil
}

// InstanceDetails is what a change of the instance answers with: its id (the
// resource owner), its sequence and the change's time (zero when nothing
// changed).
type InstanceDetails struct {
	ID        string
	Sequence  uint64
	ChangedAt time.Time
}
