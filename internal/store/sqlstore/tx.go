package sqlstore

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// Tx implements store.Tx over an engine's Execer: the connection of one write
// function, inside the engine's transaction and the function's savepoint.
type Tx struct {
	Reader
	w Execer
}

// NewTx reads and writes through w.
func NewTx(d *Dialect, w Execer) Tx { return Tx{Reader: NewReader(d, w), w: w} }

var _ store.Tx = (*Tx)(nil)

// affected turns "0 rows" into sentinel.
func (d *Dialect) affected(n int64, err error, op string, sentinel error) error {
	if err != nil {
		return d.Classify(op, err)
	}
	if n == 0 {
		return fmt.Errorf("%s: %s: %w", d.Name, op, sentinel)
	}
	return nil
}

func (t *Tx) exec(ctx context.Context, s Stmt, op string, sentinel error, args ...any) error {
	n, err := t.w.Exec(ctx, s, args...)
	return t.d.affected(n, err, op, sentinel)
}

// guarded runs a write whose only expected refusal is "0 rows" (sentinel); an
// engine that deferred it reports the refusal itself, later.
func (t *Tx) guarded(ctx context.Context, s Stmt, op string, sentinel error, args ...any) error {
	n, deferred, err := t.w.ExecGuarded(ctx, s, args...)
	if deferred {
		return nil
	}
	return t.d.affected(n, err, op, sentinel)
}

func (t *Tx) InsertInstance(ctx context.Context, i *org.Instance) error {
	return t.exec(ctx, StmtInsertInstance, "insert instance "+i.ID, store.ErrDuplicate, t.d.instanceArgs(i)...)
}

// UpdateInstance writes the instance's default org and sequence if the stored
// sequence is still prevSequence (its members' changes advance it).
func (t *Tx) UpdateInstance(ctx context.Context, i *org.Instance, prevSequence uint64) error {
	return t.exec(ctx, StmtUpdateInstance, "update instance "+i.ID, store.ErrConflict,
		i.DefaultOrgID, int64(i.Sequence), i.ID, int64(prevSequence))
}

func (t *Tx) InsertOrg(ctx context.Context, o *org.Org) error {
	return t.exec(ctx, StmtInsertOrg, "insert org "+o.ID, store.ErrDuplicate, t.d.orgArgs(o)...)
}

func (t *Tx) UpdateOrg(ctx context.Context, o *org.Org, prevSequence uint64) error {
	a := t.d.orgArgs(o)
	t.w.TouchedOrg(o.ID)
	return t.guarded(ctx, StmtUpdateOrg, "update org "+o.ID, store.ErrConflict, append(a[1:], o.ID, int64(prevSequence))...)
}

// DeleteOrg removes an org's row if the stored sequence is still
// prevSequence; its history stays in the events.
func (t *Tx) DeleteOrg(ctx context.Context, orgID string, prevSequence uint64) error {
	t.w.TouchedOrg(orgID)
	return t.exec(ctx, StmtDeleteOrg, "delete org "+orgID, store.ErrConflict, orgID, int64(prevSequence))
}

func (t *Tx) InsertUser(ctx context.Context, u *user.User) error {
	a, err := t.d.UserArgs(u)
	if err != nil {
		return err
	}
	return t.exec(ctx, StmtInsertUser, "insert user "+u.ID, store.ErrDuplicate, a...)
}

func (t *Tx) UpdateUser(ctx context.Context, u *user.User, prevSequence uint64) error {
	a, err := t.d.UserArgs(u)
	if err != nil {
		return err
	}
	t.w.Touched(u.ID)
	// A rename onto a taken name is a unique violation, which Classify makes
	// ErrDuplicate; the engine confines it to this function.
	return t.guarded(ctx, StmtUpdateUser, "update user "+u.ID, store.ErrConflict, append(a[1:], u.ID, int64(prevSequence))...)
}

func (t *Tx) PutMember(ctx context.Context, m *org.Member) error {
	a, err := t.d.memberArgs(m)
	if err != nil {
		return err
	}
	t.w.Touched(m.UserID)
	if _, err := t.w.Exec(ctx, StmtPutMember, a...); err != nil {
		return t.d.Classify("put member "+m.OrgID+"/"+m.UserID, err)
	}
	return nil
}

func (t *Tx) DeleteMember(ctx context.Context, orgID, userID string) error {
	t.w.Touched(userID)
	return t.exec(ctx, StmtDeleteMember, "delete member "+orgID+"/"+userID, store.ErrNotFound, orgID, userID)
}

func (t *Tx) InsertPAT(ctx context.Context, p *credential.PAT) error {
	t.w.Touched(p.UserID)
	return t.exec(ctx, StmtInsertPAT, "insert pat "+p.ID, store.ErrDuplicate, t.d.patArgs(p)...)
}

func (t *Tx) DeletePAT(ctx context.Context, userID, patID string) error {
	t.w.Touched(userID)
	return t.exec(ctx, StmtDeletePAT, "delete pat "+patID, store.ErrNotFound, userID, patID)
}

func (t *Tx) Append(ctx context.Context, events ...event.Event) error {
	for i := range events {
		e := &events[i]
		// On PostgreSQL a concurrent insert of the same key makes this wait for
		// the other transaction, then report "0 rows" if it committed:
		// ErrConflict, and the function runs again.
		if err := t.guarded(ctx, StmtInsertEvent, fmt.Sprintf("append event %s/%d", e.AggregateID, e.Sequence),
			store.ErrConflict, t.d.eventArgs(e)...); err != nil {
			return err
		}
	}
	return nil
}

func (t *Tx) PutArtifact(ctx context.Context, a *store.Artifact) error {
	if a.Kind == "" || a.ID == "" {
		return fmt.Errorf("%s: put artifact %q/%q: kind and id are required", t.d.Name, a.Kind, a.ID)
	}
	return t.exec(ctx, StmtPutArtifact, "put artifact "+a.Kind+"/"+a.ID, store.ErrDuplicate, t.d.artifactArgs(a)...)
}

func (t *Tx) DeleteArtifact(ctx context.Context, kind, id string) error {
	return t.exec(ctx, StmtDeleteArtifact, "delete artifact "+kind+"/"+id, store.ErrNotFound, kind, id)
}

func (t *Tx) EnqueueMessage(ctx context.Context, m *store.Message) error {
	if m.ID == "" || m.Kind == "" {
		return fmt.Errorf("%s: enqueue message %q: id and kind are required", t.d.Name, m.ID)
	}
	created := m.CreatedAt
	if created.IsZero() {
		created = store.Now()
	}
	next := m.NextAttempt
	if next.IsZero() {
		next = created
	}
	p := &store.Message{ID: m.ID, Kind: m.Kind, Recipient: m.Recipient, Data: m.Data, State: store.MessagePending,
		NextAttempt: next, CreatedAt: created, ChangedAt: created}
	return t.exec(ctx, StmtEnqueueMessage, "enqueue message "+m.ID, store.ErrDuplicate, t.d.messageArgs(p)...)
}

// LoadMessage writes m as it is, state, attempts and last error included (a
// store load: a copied message must neither be sent again nor lose its
// retries). It is no store.Tx method: the domain only ever enqueues.
func (t *Tx) LoadMessage(ctx context.Context, m *store.Message) error {
	if m.ID == "" || m.Kind == "" || m.NextAttempt.IsZero() {
		return fmt.Errorf("%s: load message %q: id, kind and next attempt are required", t.d.Name, m.ID)
	}
	return t.exec(ctx, StmtEnqueueMessage, "load message "+m.ID, store.ErrDuplicate, t.d.messageArgs(m)...)
}

func (t *Tx) ClaimMessages(ctx context.Context, kind string, now, leaseUntil time.Time, limit int) ([]*store.Message, error) {
	rows, err := t.w.Query(ctx, StmtClaimMessages, t.d.timeArg(leaseUntil), t.d.timeArg(now), kind, t.d.timeArg(now), store.ClampLimit(limit))
	if err != nil {
		return nil, t.d.Classify("claim outbox messages", err)
	}
	defer rows.Close()
	var out []*store.Message
	for rows.Next() {
		m, err := t.d.scanMessage(rows)
		if err != nil {
			return nil, t.d.Classify("claim outbox messages", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, t.d.Classify("claim outbox messages", err)
	}
	// RETURNING's order is unspecified; ids are time-ordered, so this is
	// creation order.
	slices.SortFunc(out, func(a, b *store.Message) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

func (t *Tx) FinishMessage(ctx context.Context, m *store.Message) error {
	return t.exec(ctx, StmtFinishMessage, "finish message "+m.ID, store.ErrNotFound,
		int64(m.State), t.d.timeArg(m.NextAttempt), m.LastError, t.d.timeArg(m.ChangedAt), int64(m.State), m.ID, int64(m.Attempts))
}
