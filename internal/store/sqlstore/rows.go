package sqlstore

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// timeArg encodes t as an argument: the zero time is NULL, so it reads back as
// the zero time, not as year 1 in some zone.
func (d *Dialect) timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return d.Time(t)
}

// The row shapes: each scan reads its table's columns (…Cols) in order, then
// any extra destinations (a window count, the next part of a joined row); each
// …Args encodes them for the statements. Integers are scanned and written as
// int64, which both drivers convert to and from the narrower column types.
// Destinations that are not fields of the result share one variable (raw),
// so a row costs two or three allocations, not one per column.

func (d *Dialect) scanInstance(row Row, extra ...any) (*org.Instance, error) {
	var i org.Instance
	var seq int64
	t := d.NewTimes()
	if err := row.Scan(append([]any{&i.ID, &i.DefaultOrgID, &seq, t[0]}, extra...)...); err != nil {
		return nil, err
	}
	i.Sequence, i.CreatedAt = uint64(seq), t[0].At()
	return &i, nil
}

func (d *Dialect) instanceArgs(i *org.Instance) []any {
	return []any{i.ID, i.DefaultOrgID, int64(i.Sequence), d.timeArg(i.CreatedAt)}
}

func (d *Dialect) scanOrg(row Row, extra ...any) (*org.Org, error) {
	var o org.Org
	var raw struct{ state, seq int64 }
	t := d.NewTimes()
	if err := row.Scan(append([]any{&o.ID, &o.Name, &raw.state, &raw.seq, t[0], t[1]}, extra...)...); err != nil {
		return nil, err
	}
	o.State, o.Sequence, o.CreatedAt, o.ChangedAt = org.State(raw.state), uint64(raw.seq), t[0].At(), t[1].At()
	return &o, nil
}

// scanOrgRead scans what orgRead selects: the org and its primary domain.
func (d *Dialect) scanOrgRead(row Row, extra ...any) (*org.Org, error) {
	var primary string
	o, err := d.scanOrg(row, append([]any{&primary}, extra...)...)
	if err != nil {
		return nil, err
	}
	o.PrimaryDomain = primary
	return o, nil
}

func (d *Dialect) orgArgs(o *org.Org) []any {
	return []any{o.ID, o.Name, int64(o.State), int64(o.Sequence), d.timeArg(o.CreatedAt), d.timeArg(o.ChangedAt)}
}

func (d *Dialect) scanUser(row Row, extra ...any) (*user.User, error) {
	var u user.User
	var raw struct {
		typ, state, sbl, seq, epoch, failed int64
		human, machine                      []byte
		pw                                  string
	}
	t := d.NewTimes()
	dest := append([]any{&u.ID, &u.OrgID, &u.UserName, &raw.typ, &raw.state, &raw.sbl, &raw.seq, t[0], t[1],
		&raw.epoch, &raw.human, &raw.machine, &raw.pw, &raw.failed}, extra...)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	u.Type, u.State, u.StateBeforeLock = user.Type(raw.typ), user.State(raw.state), user.State(raw.sbl)
	u.Sequence, u.CredentialEpoch = uint64(raw.seq), uint64(raw.epoch)
	u.CreatedAt, u.ChangedAt = t[0].At(), t[1].At()
	if raw.human != nil {
		u.Human = new(user.Human)
		if err := json.Unmarshal(raw.human, u.Human); err != nil {
			return nil, fmt.Errorf("user %s: decode human: %w", u.ID, err)
		}
		u.Human.PasswordHash = raw.pw
		u.Human.FailedPasswordAttempts = int(raw.failed)
	}
	if raw.machine != nil {
		u.Machine = new(user.Machine)
		if err := json.Unmarshal(raw.machine, u.Machine); err != nil {
			return nil, fmt.Errorf("user %s: decode machine: %w", u.ID, err)
		}
	}
	return &u, nil
}

// UserArgs are the values of UserCols followed by UserFilterCols.
func (d *Dialect) UserArgs(u *user.User) ([]any, error) {
	var human, machine, pw any
	var failed int64
	var email, first, last, nick, display string
	if h := u.Human; h != nil {
		b, err := json.Marshal(h)
		if err != nil {
			return nil, fmt.Errorf("%s: user %s: encode human: %w", d.Name, u.ID, err)
		}
		human, pw, failed = string(b), h.PasswordHash, int64(h.FailedPasswordAttempts)
		email, first, last, nick, display = h.Email, h.FirstName, h.LastName, h.NickName, h.DisplayName
	}
	if m := u.Machine; m != nil {
		b, err := json.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("%s: user %s: encode machine: %w", d.Name, u.ID, err)
		}
		machine = string(b)
	}
	return []any{u.ID, u.OrgID, u.UserName, int64(u.Type), int64(u.State), int64(u.StateBeforeLock), int64(u.Sequence),
		d.timeArg(u.CreatedAt), d.timeArg(u.ChangedAt), int64(u.CredentialEpoch), human, machine, pw, failed,
		strings.ToLower(u.UserName), email, strings.ToLower(email), first, last, nick, display}, nil
}

func (d *Dialect) scanMember(row Row, extra ...any) (*org.Member, error) {
	var m org.Member
	var raw struct {
		roles []byte
		seq   int64
	}
	t := d.NewTimes()
	if err := row.Scan(append([]any{&m.OrgID, &m.UserID, &raw.roles, t[0], t[1], &raw.seq}, extra...)...); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(raw.roles, &m.Roles); err != nil {
		return nil, fmt.Errorf("member %s/%s: decode roles: %w", m.OrgID, m.UserID, err)
	}
	m.Sequence, m.CreatedAt, m.ChangedAt = uint64(raw.seq), t[0].At(), t[1].At()
	return &m, nil
}

func (d *Dialect) memberArgs(m *org.Member) ([]any, error) {
	roles, err := json.Marshal(m.Roles)
	if err != nil {
		return nil, fmt.Errorf("%s: member %s/%s: encode roles: %w", d.Name, m.OrgID, m.UserID, err)
	}
	return []any{m.OrgID, m.UserID, string(roles), d.timeArg(m.CreatedAt), d.timeArg(m.ChangedAt), int64(m.Sequence)}, nil
}

func (d *Dialect) scanPAT(row Row, extra ...any) (*credential.PAT, error) {
	var p credential.PAT
	var raw struct{ epoch, seq int64 }
	t := d.NewTimes()
	if err := row.Scan(append([]any{&p.ID, &p.UserID, &p.OrgID, &p.Hash, t[0], t[1], &raw.epoch, &raw.seq}, extra...)...); err != nil {
		return nil, err
	}
	p.Expiration, p.CreatedAt, p.Epoch, p.Sequence = t[0].At(), t[1].At(), uint64(raw.epoch), uint64(raw.seq)
	return &p, nil
}

func (d *Dialect) patArgs(p *credential.PAT) []any {
	return []any{p.ID, p.UserID, p.OrgID, p.Hash, d.timeArg(p.Expiration), d.timeArg(p.CreatedAt), int64(p.Epoch), int64(p.Sequence)}
}

// scanEvent returns a value: Events lists them so.
func (d *Dialect) scanEvent(row Row, extra ...any) (event.Event, error) {
	var e event.Event
	var seq int64
	t := d.NewTimes()
	if err := row.Scan(append([]any{&e.AggregateType, &e.AggregateID, &seq, &e.Type, t[0], &e.CreatorID, &e.ResourceOwner, &e.Payload}, extra...)...); err != nil {
		return e, err
	}
	e.Sequence, e.CreatedAt = uint64(seq), t[0].At()
	return e, nil
}

func (d *Dialect) eventArgs(e *event.Event) []any {
	return []any{e.AggregateType, e.AggregateID, int64(e.Sequence), e.Type, d.timeArg(e.CreatedAt), e.CreatorID, e.ResourceOwner, e.Payload}
}

func (d *Dialect) scanArtifact(row Row, extra ...any) (*store.Artifact, error) {
	var a store.Artifact
	t := d.NewTimes()
	if err := row.Scan(append([]any{&a.Kind, &a.ID, &a.Key, &a.UserID, &a.OrgID, t[0], t[1], &a.Data}, extra...)...); err != nil {
		return nil, err
	}
	a.CreatedAt, a.ExpiresAt = t[0].At(), t[1].At()
	// Empty data reads back as nil, whatever the driver makes of an empty blob.
	if len(a.Data) == 0 {
		a.Data = nil
	}
	return &a, nil
}

// artifactArgs stores empty data as NULL, so it always reads back as nil.
func (d *Dialect) artifactArgs(a *store.Artifact) []any {
	var data any
	if len(a.Data) > 0 {
		data = a.Data
	}
	return []any{a.Kind, a.ID, a.Key, a.UserID, a.OrgID, d.timeArg(a.CreatedAt), d.timeArg(a.ExpiresAt), data}
}

// scanFunc adapts a function to Row, so scanPAT and scanUser can decode one
// row that holds both.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// errEmptyRecord: a dump record with no row in it.
var errEmptyRecord = errors.New("load: empty record")

func (d *Dialect) scanMessage(row Row) (*store.Message, error) {
	var m store.Message
	var state, attempts int64
	t, u := d.NewTimes(), d.NewTimes()
	if err := row.Scan(&m.ID, &m.Kind, &m.Recipient, &m.Data, &state, &attempts, t[0], &m.LastError, t[1], u[0]); err != nil {
		return nil, err
	}
	m.State, m.Attempts = store.MessageState(state), int(attempts)
	m.NextAttempt, m.CreatedAt, m.ChangedAt = t[0].At(), t[1].At(), u[0].At()
	if len(m.Data) == 0 {
		m.Data = nil
	}
	return &m, nil
}

// messageArgs encodes every column of m, as scanMessage reads them; empty
// data is stored as NULL, as artifactArgs does.
func (d *Dialect) messageArgs(m *store.Message) []any {
	var data any
	if len(m.Data) > 0 {
		data = m.Data
	}
	return []any{m.ID, m.Kind, m.Recipient, data, int64(m.State), int64(m.Attempts), d.timeArg(m.NextAttempt), m.LastError,
		d.timeArg(m.CreatedAt), d.timeArg(m.ChangedAt)}
}
