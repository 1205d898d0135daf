package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// querier is what both the read pool (*sql.DB) and the writer's connection
// (*sql.Conn) offer.
type querier interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

type preparer interface {
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

const (
	userCols = `id, org_id, user_name, type, state, state_before_lock, sequence, created_at, changed_at,
		credential_epoch, human, machine, password_hash, failed_password_attempts`
	orgCols    = `id, name, state, sequence, created_at, changed_at`
	memberCols = `org_id, user_id, roles, created_at, changed_at, sequence`
	patCols    = `id, user_id, org_id, hash, expiration, created_at, epoch, sequence`
	eventCols  = `aggregate_type, aggregate_id, sequence, type, created_at, creator_id, resource_owner, payload`
)

// stmts are the fixed statements, prepared once per pool or connection.
type stmts struct {
	instance, org, orgByName, user, userByName, member, membershipsOf, pat, patByHash, principal *sql.Stmt

	insertInstance, insertOrg, updateOrg, insertUser, updateUser, putMember, deleteMember,
	insertPAT, deletePAT, insertEvent *sql.Stmt

	artifact, artifactByKey, putArtifact, deleteArtifact, purgeExpired *sql.Stmt

	all []*sql.Stmt
}

func prepareStmts(ctx context.Context, p preparer) (*stmts, error) {
	var s stmts
	for _, q := range []struct {
		dst **sql.Stmt
		sql string
	}{
		{&s.instance, `SELECT id, default_org_id, sequence, created_at FROM instance`},
		{&s.org, `SELECT ` + orgCols + ` FROM orgs WHERE id = ?`},
		{&s.orgByName, `SELECT ` + orgCols + ` FROM orgs WHERE name = ?`},
		{&s.user, `SELECT ` + userCols + ` FROM users WHERE id = ?`},
		{&s.userByName, `SELECT ` + userCols + ` FROM users WHERE org_id = ? AND user_name = ? AND state <> 3`},
		{&s.member, `SELECT ` + memberCols + ` FROM members WHERE org_id = ? AND user_id = ?`},
		{&s.membershipsOf, `SELECT ` + memberCols + ` FROM members WHERE user_id = ? ORDER BY org_id`},
		{&s.pat, `SELECT ` + patCols + ` FROM pats WHERE user_id = ? AND id = ?`},
		{&s.patByHash, `SELECT ` + patCols + ` FROM pats WHERE hash = ?`},
		// PATByHash, User and MembershipsOf in one statement: the user's
		// columns in userCols order (coalesced, so a missing user row scans as
		// id ''), then the memberships as one JSON array, as store.DecodePrincipalMembers decodes it.
		{&s.principal, `SELECT p.id, p.user_id, p.org_id, p.hash, p.expiration, p.created_at, p.epoch, p.sequence,
			coalesce(u.id, ''), coalesce(u.org_id, ''), coalesce(u.user_name, ''), coalesce(u.type, 0), coalesce(u.state, 0),
			coalesce(u.state_before_lock, 0), coalesce(u.sequence, 0), u.created_at, u.changed_at,
			coalesce(u.credential_epoch, 0), u.human, u.machine, u.password_hash, coalesce(u.failed_password_attempts, 0),
			(SELECT json_group_array(json_object('o', m.org_id, 'r', json(m.roles), 'c', m.created_at,
					'h', m.changed_at, 's', m.sequence) ORDER BY m.org_id)
				FROM members m WHERE m.user_id = p.user_id)
			FROM pats p LEFT JOIN users u ON u.id = p.user_id WHERE p.hash = ?`},

		// ON CONFLICT DO NOTHING turns any unique clash into "0 rows", which
		// needs no error parsing and never disturbs the surrounding transaction.
		{&s.insertInstance, `INSERT INTO instance (singleton, id, default_org_id, sequence, created_at)
			VALUES (1, ?, ?, ?, ?) ON CONFLICT DO NOTHING`},
		{&s.insertOrg, `INSERT INTO orgs (` + orgCols + `) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`},
		{&s.updateOrg, `UPDATE orgs SET name = ?, state = ?, sequence = ?, created_at = ?, changed_at = ?
			WHERE id = ? AND sequence = ?`},
		{&s.insertUser, `INSERT INTO users (` + userCols + `,
			user_name_lower, email, email_lower, first_name, last_name, nick_name, display_name)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`},
		{&s.updateUser, `UPDATE users SET org_id = ?, user_name = ?, type = ?, state = ?, state_before_lock = ?,
			sequence = ?, created_at = ?, changed_at = ?, credential_epoch = ?, human = ?, machine = ?,
			password_hash = ?, failed_password_attempts = ?, user_name_lower = ?, email = ?, email_lower = ?,
			first_name = ?, last_name = ?, nick_name = ?, display_name = ?
			WHERE id = ? AND sequence = ?`},
		{&s.putMember, `INSERT INTO members (` + memberCols + `) VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (org_id, user_id) DO UPDATE SET roles = excluded.roles,
			created_at = excluded.created_at, changed_at = excluded.changed_at, sequence = excluded.sequence`},
		{&s.deleteMember, `DELETE FROM members WHERE org_id = ? AND user_id = ?`},
		{&s.insertPAT, `INSERT INTO pats (` + patCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`},
		{&s.deletePAT, `DELETE FROM pats WHERE user_id = ? AND id = ?`},
		{&s.insertEvent, `INSERT INTO events (` + eventCols + `) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`},

		{&s.artifact, sqlArtifact},
		{&s.artifactByKey, sqlArtifactByKey},
		{&s.putArtifact, sqlPutArtifact},
		{&s.deleteArtifact, sqlDeleteArtifact},
		{&s.purgeExpired, sqlPurgeExpired},
	} {
		st, err := p.PrepareContext(ctx, q.sql)
		if err != nil {
			s.close()
			return nil, fmt.Errorf("sqlite: prepare %q: %w", q.sql, err)
		}
		*q.dst = st
		s.all = append(s.all, st)
	}
	return &s, nil
}

func (s *stmts) close() {
	for _, st := range s.all {
		st.Close()
	}
}

// reader implements store.Reader over either the read pool or the writer's
// connection (inside a Write, so fn sees its own writes).
type reader struct {
	q  querier
	st *stmts
}

type scanner interface{ Scan(dest ...any) error }

// Times are unix microseconds; NULL is the zero time.
func encTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMicro()
}

func decTime(n sql.NullInt64) time.Time {
	if !n.Valid {
		return time.Time{}
	}
	return time.UnixMicro(n.Int64).UTC()
}

func notFound(what string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlite: %s: %w", what, store.ErrNotFound)
	}
	return classify(what, err)
}

func (r *reader) Instance(ctx context.Context) (*org.Instance, error) {
	var i org.Instance
	var seq int64
	var created sql.NullInt64
	if err := r.st.instance.QueryRowContext(ctx).Scan(&i.ID, &i.DefaultOrgID, &seq, &created); err != nil {
		return nil, notFound("instance", err)
	}
	i.Sequence, i.CreatedAt = uint64(seq), decTime(created)
	return &i, nil
}

func scanOrg(sc scanner) (*org.Org, error) {
	var o org.Org
	var state, seq int64
	var created, changed sql.NullInt64
	if err := sc.Scan(&o.ID, &o.Name, &state, &seq, &created, &changed); err != nil {
		return nil, err
	}
	o.State, o.Sequence, o.CreatedAt, o.ChangedAt = org.State(state), uint64(seq), decTime(created), decTime(changed)
	return &o, nil
}

func (r *reader) Org(ctx context.Context, id string) (*org.Org, error) {
	o, err := scanOrg(r.st.org.QueryRowContext(ctx, id))
	if err != nil {
		return nil, notFound("org "+id, err)
	}
	return o, nil
}

func (r *reader) OrgByName(ctx context.Context, name string) (*org.Org, error) {
	o, err := scanOrg(r.st.orgByName.QueryRowContext(ctx, name))
	if err != nil {
		return nil, notFound("org by name "+name, err)
	}
	return o, nil
}

func (r *reader) ListOrgs(ctx context.Context, p store.Page) ([]*org.Org, uint64, error) {
	dir := " DESC"
	if p.Asc {
		dir = " ASC"
	}
	rows, err := r.q.QueryContext(ctx, "SELECT "+orgCols+" FROM orgs ORDER BY name"+dir+", id"+dir+" LIMIT ? OFFSET ?", store.ClampLimit(p.Limit), max(p.Offset, 0))
	if err != nil {
		return nil, 0, classify("list orgs", err)
	}
	defer rows.Close()
	var out []*org.Org
	for rows.Next() {
		o, err := scanOrg(rows)
		if err != nil {
			return nil, 0, classify("list orgs", err)
		}
		out = append(out, o)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, classify("list orgs", err)
	}
	// Organisations are few: a second count beats a window over every row.
	var total int64
	if err := r.q.QueryRowContext(ctx, "SELECT count(*) FROM orgs").Scan(&total); err != nil {
		return nil, 0, classify("count orgs", err)
	}
	return out, uint64(total), nil
}

func scanUser(sc scanner, extra ...any) (*user.User, error) {
	var u user.User
	var typ, state, sbl, seq, epoch, failed int64
	var created, changed sql.NullInt64
	var human, machine []byte
	var pw sql.NullString
	dest := append([]any{&u.ID, &u.OrgID, &u.UserName, &typ, &state, &sbl, &seq, &created, &changed,
		&epoch, &human, &machine, &pw, &failed}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return nil, err
	}
	u.Type, u.State, u.StateBeforeLock = user.Type(typ), user.State(state), user.State(sbl)
	u.Sequence, u.CredentialEpoch = uint64(seq), uint64(epoch)
	u.CreatedAt, u.ChangedAt = decTime(created), decTime(changed)
	if human != nil {
		u.Human = new(user.Human)
		if err := json.Unmarshal(human, u.Human); err != nil {
			return nil, fmt.Errorf("user %s: decode human: %w", u.ID, err)
		}
		u.Human.PasswordHash = pw.String
		u.Human.FailedPasswordAttempts = int(failed)
	}
	if machine != nil {
		u.Machine = new(user.Machine)
		if err := json.Unmarshal(machine, u.Machine); err != nil {
			return nil, fmt.Errorf("user %s: decode machine: %w", u.ID, err)
		}
	}
	return &u, nil
}

func (r *reader) User(ctx context.Context, id string) (*user.User, error) {
	u, err := scanUser(r.st.user.QueryRowContext(ctx, id))
	if err != nil {
		return nil, notFound("user "+id, err)
	}
	return u, nil
}

func (r *reader) UserByName(ctx context.Context, orgID, userName string) (*user.User, error) {
	u, err := scanUser(r.st.userByName.QueryRowContext(ctx, orgID, userName))
	if err != nil {
		return nil, notFound("user by name "+userName, err)
	}
	return u, nil
}

var userSortCols = map[store.UserSort]string{
	store.SortUserName:     "user_name",
	store.SortFirstName:    "first_name",
	store.SortLastName:     "last_name",
	store.SortNickName:     "nick_name",
	store.SortDisplayName:  "display_name",
	store.SortEmail:        "email",
	store.SortState:        "state",
	store.SortType:         "type",
	store.SortCreationDate: "created_at",
}

// textCond builds the condition for one text filter. Case-sensitive methods use
// instr/substr because SQLite's LIKE ignores ASCII case; the ignore-case ones
// compare the lowered column with the lowered value the same way. Neither
// interprets % or _, so user input needs no escaping.
func textCond(col, lowerCol string, m store.TextMatch) (string, []any, error) {
	v := m.Value
	switch m.Method {
	case store.TextEqualsIgnoreCase, store.TextStartsWithIgnoreCase, store.TextContainsIgnoreCase, store.TextEndsWithIgnoreCase:
		col, v = lowerCol, strings.ToLower(v)
	}
	n := utf8.RuneCountInString(v)
	switch m.Method {
	case store.TextEquals, store.TextEqualsIgnoreCase:
		return col + " = ?", []any{v}, nil
	case store.TextStartsWith, store.TextStartsWithIgnoreCase:
		if n == 0 {
			return "", nil, nil
		}
		return "substr(" + col + ", 1, ?) = ?", []any{n, v}, nil
	case store.TextContains, store.TextContainsIgnoreCase:
		if n == 0 {
			return "", nil, nil
		}
		return "instr(" + col + ", ?) > 0", []any{v}, nil
	case store.TextEndsWith, store.TextEndsWithIgnoreCase:
		if n == 0 {
			return "", nil, nil
		}
		return "(length(" + col + ") >= ? AND substr(" + col + ", -?) = ?)", []any{n, n, v}, nil
	}
	return "", nil, fmt.Errorf("sqlite: unknown text method %d", m.Method)
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}

func (r *reader) ListUsers(ctx context.Context, q store.UserQuery) (*store.UserPage, error) {
	if q.IDs != nil && len(q.IDs) == 0 {
		return &store.UserPage{}, nil
	}
	where := []string{"state <> 3"}
	var args []any
	if q.OrgID != "" {
		where = append(where, "org_id = ?")
		args = append(args, q.OrgID)
	}
	for _, f := range []struct {
		col, lower string
		ms         []store.TextMatch
	}{{"user_name", "user_name_lower", q.UserNames}, {"email", "email_lower", q.Emails}} {
		for _, m := range f.ms {
			c, a, err := textCond(f.col, f.lower, m)
			if err != nil {
				return nil, err
			}
			if c != "" {
				where = append(where, c)
				args = append(args, a...)
			}
		}
	}
	if len(q.States) > 0 {
		where = append(where, "state IN ("+placeholders(len(q.States))+")")
		for _, s := range q.States {
			args = append(args, int64(s))
		}
	}
	if len(q.Types) > 0 {
		where = append(where, "type IN ("+placeholders(len(q.Types))+")")
		for _, t := range q.Types {
			args = append(args, int64(t))
		}
	}
	if len(q.IDs) > 0 {
		where = append(where, "id IN ("+placeholders(len(q.IDs))+")")
		for _, id := range q.IDs {
			args = append(args, id)
		}
	}
	dir := " DESC"
	if q.Asc {
		dir = " ASC"
	}
	// Ids are time-ordered decimals of varying length: length first gives numeric order.
	order := "length(id)" + dir + ", id" + dir
	if c, ok := userSortCols[q.Sort]; ok {
		order = c + dir + ", " + order
	}
	cond := strings.Join(where, " AND ")
	offset := max(q.Offset, 0)
	// count(*) OVER () gives the total with the page in one statement and one snapshot.
	query := "SELECT " + userCols + ", count(*) OVER () FROM users WHERE " + cond +
		" ORDER BY " + order + " LIMIT ? OFFSET ?"
	rows, err := r.q.QueryContext(ctx, query, append(args, store.ClampLimit(q.Limit), offset)...)
	if err != nil {
		return nil, classify("list users", err)
	}
	defer rows.Close()
	page := &store.UserPage{}
	for rows.Next() {
		var total int64
		u, err := scanUser(rows, &total)
		if err != nil {
			return nil, classify("list users", err)
		}
		page.Users = append(page.Users, u)
		page.Total = uint64(total)
	}
	if err := rows.Err(); err != nil {
		return nil, classify("list users", err)
	}
	if len(page.Users) == 0 && offset > 0 {
		var total int64
		if err := r.q.QueryRowContext(ctx, "SELECT count(*) FROM users WHERE "+cond, args...).Scan(&total); err != nil {
			return nil, classify("count users", err)
		}
		page.Total = uint64(total)
	}
	return page, nil
}

func (r *reader) Events(ctx context.Context, q store.EventQuery) ([]event.Event, error) {
	query := "SELECT " + eventCols + " FROM events WHERE aggregate_id = ?"
	args := []any{q.AggregateID}
	if q.AggregateType != "" {
		query += " AND aggregate_type = ?"
		args = append(args, q.AggregateType)
	}
	if q.AfterSequence != 0 {
		if q.Asc {
			query += " AND sequence > ?"
		} else {
			query += " AND sequence < ?"
		}
		args = append(args, int64(q.AfterSequence))
	}
	if q.Asc {
		query += " ORDER BY sequence ASC LIMIT ?"
	} else {
		query += " ORDER BY sequence DESC LIMIT ?"
	}
	args = append(args, store.ClampLimit(q.Limit))
	rows, err := r.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, classify("events", err)
	}
	defer rows.Close()
	var out []event.Event
	for rows.Next() {
		var e event.Event
		var seq int64
		var created sql.NullInt64
		if err := rows.Scan(&e.AggregateType, &e.AggregateID, &seq, &e.Type, &created, &e.CreatorID, &e.ResourceOwner, &e.Payload); err != nil {
			return nil, classify("events", err)
		}
		e.Sequence, e.CreatedAt = uint64(seq), decTime(created)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, classify("events", err)
	}
	return out, nil
}

func scanMember(sc scanner, extra ...any) (*org.Member, error) {
	var m org.Member
	var roles []byte
	var seq int64
	var created, changed sql.NullInt64
	if err := sc.Scan(append([]any{&m.OrgID, &m.UserID, &roles, &created, &changed, &seq}, extra...)...); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(roles, &m.Roles); err != nil {
		return nil, fmt.Errorf("member %s/%s: decode roles: %w", m.OrgID, m.UserID, err)
	}
	m.Sequence, m.CreatedAt, m.ChangedAt = uint64(seq), decTime(created), decTime(changed)
	return &m, nil
}

func (r *reader) Member(ctx context.Context, orgID, userID string) (*org.Member, error) {
	m, err := scanMember(r.st.member.QueryRowContext(ctx, orgID, userID))
	if err != nil {
		return nil, notFound("member "+orgID+"/"+userID, err)
	}
	return m, nil
}

func (r *reader) ListMembers(ctx context.Context, orgID string, p store.Page) ([]*org.Member, uint64, error) {
	dir := " DESC"
	if p.Asc {
		dir = " ASC"
	}
	offset := max(p.Offset, 0)
	rows, err := r.q.QueryContext(ctx, "SELECT "+memberCols+", count(*) OVER () FROM members WHERE org_id = ? ORDER BY length(user_id)"+dir+", user_id"+dir+" LIMIT ? OFFSET ?",
		orgID, store.ClampLimit(p.Limit), offset)
	if err != nil {
		return nil, 0, classify("list members", err)
	}
	defer rows.Close()
	var out []*org.Member
	var total int64
	for rows.Next() {
		m, err := scanMember(rows, &total)
		if err != nil {
			return nil, 0, classify("list members", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, classify("list members", err)
	}
	if len(out) == 0 && offset > 0 {
		if err := r.q.QueryRowContext(ctx, "SELECT count(*) FROM members WHERE org_id = ?", orgID).Scan(&total); err != nil {
			return nil, 0, classify("count members", err)
		}
	}
	return out, uint64(total), nil
}

func (r *reader) MembershipsOf(ctx context.Context, userID string) ([]*org.Member, error) {
	rows, err := r.st.membershipsOf.QueryContext(ctx, userID)
	if err != nil {
		return nil, classify("memberships", err)
	}
	defer rows.Close()
	var out []*org.Member
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, classify("memberships", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, classify("memberships", err)
	}
	return out, nil
}

func scanPAT(sc scanner, extra ...any) (*credential.PAT, error) {
	var p credential.PAT
	var epoch, seq int64
	var exp, created sql.NullInt64
	if err := sc.Scan(append([]any{&p.ID, &p.UserID, &p.OrgID, &p.Hash, &exp, &created, &epoch, &seq}, extra...)...); err != nil {
		return nil, err
	}
	p.Expiration, p.CreatedAt, p.Epoch, p.Sequence = decTime(exp), decTime(created), uint64(epoch), uint64(seq)
	return &p, nil
}

func (r *reader) PAT(ctx context.Context, userID, patID string) (*credential.PAT, error) {
	p, err := scanPAT(r.st.pat.QueryRowContext(ctx, userID, patID))
	if err != nil {
		return nil, notFound("pat "+patID, err)
	}
	return p, nil
}

func (r *reader) PATByHash(ctx context.Context, hash []byte) (*credential.PAT, error) {
	p, err := scanPAT(r.st.patByHash.QueryRowContext(ctx, hash))
	if err != nil {
		return nil, notFound("pat by hash", err)
	}
	return p, nil
}

// scanFunc adapts a function to scanner, so scanPAT and scanUser can decode
// one row that holds both.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

func (r *reader) Principal(ctx context.Context, hash []byte) (*credential.PAT, *user.User, []*org.Member, error) {
	row := r.st.principal.QueryRowContext(ctx, hash)
	var u *user.User
	var msJSON []byte
	// scanPAT hands its destinations to the outer function, scanUser its own to
	// the inner one, which scans the whole row; each then decodes its part.
	p, err := scanPAT(scanFunc(func(patDest ...any) error {
		var err error
		u, err = scanUser(scanFunc(func(userDest ...any) error {
			return row.Scan(append(append(patDest, userDest...), &msJSON)...)
		}))
		return err
	}))
	if err != nil {
		return nil, nil, nil, notFound("principal", err)
	}
	if u.ID == "" {
		u = nil // the PAT outlived its user row
	}
	out, err := store.DecodePrincipalMembers(p.UserID, msJSON)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("sqlite: %w", err)
	}
	return p, u, out, nil
}

func (r *reader) ListPATs(ctx context.Context, userID string, p store.Page) ([]*credential.PAT, uint64, error) {
	dir := " DESC"
	if p.Asc {
		dir = " ASC"
	}
	offset := max(p.Offset, 0)
	rows, err := r.q.QueryContext(ctx, "SELECT "+patCols+", count(*) OVER () FROM pats WHERE user_id = ? ORDER BY created_at"+dir+", length(id)"+dir+", id"+dir+" LIMIT ? OFFSET ?",
		userID, store.ClampLimit(p.Limit), offset)
	if err != nil {
		return nil, 0, classify("list pats", err)
	}
	defer rows.Close()
	var out []*credential.PAT
	var total int64
	for rows.Next() {
		pt, err := scanPAT(rows, &total)
		if err != nil {
			return nil, 0, classify("list pats", err)
		}
		out = append(out, pt)
	}
	if err := rows.Err(); err != nil {
		return nil, 0, classify("list pats", err)
	}
	if len(out) == 0 && offset > 0 {
		if err := r.q.QueryRowContext(ctx, "SELECT count(*) FROM pats WHERE user_id = ?", userID).Scan(&total); err != nil {
			return nil, 0, classify("count pats", err)
		}
	}
	return out, uint64(total), nil
}

// tx is the store.Tx a write function gets: the writer's connection, inside the
// batch transaction and the request's savepoint.
type tx struct {
	reader
	st *stmts
	// touched collects the users whose Principal answer a write may change
	// (kept even if the savepoint rolls back: a spare invalidation is harmless).
	touched *[]string
}

func (t *tx) touch(userID string) {
	if t.touched != nil {
		*t.touched = append(*t.touched, userID)
	}
}

var _ store.Tx = (*tx)(nil)

// affected turns "0 rows" into sentinel.
func affected(res sql.Result, err error, op string, sentinel error) error {
	if err != nil {
		return classify(op, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return classify(op, err)
	}
	if n == 0 {
		return fmt.Errorf("sqlite: %s: %w", op, sentinel)
	}
	return nil
}

func (t *tx) InsertInstance(ctx context.Context, i *org.Instance) error {
	res, err := t.st.insertInstance.ExecContext(ctx, i.ID, i.DefaultOrgID, int64(i.Sequence), encTime(i.CreatedAt))
	return affected(res, err, "insert instance "+i.ID, store.ErrDuplicate)
}

func (t *tx) InsertOrg(ctx context.Context, o *org.Org) error {
	res, err := t.st.insertOrg.ExecContext(ctx, o.ID, o.Name, int64(o.State), int64(o.Sequence), encTime(o.CreatedAt), encTime(o.ChangedAt))
	return affected(res, err, "insert org "+o.ID, store.ErrDuplicate)
}

func (t *tx) UpdateOrg(ctx context.Context, o *org.Org, prevSequence uint64) error {
	res, err := t.st.updateOrg.ExecContext(ctx, o.Name, int64(o.State), int64(o.Sequence), encTime(o.CreatedAt), encTime(o.ChangedAt),
		o.ID, int64(prevSequence))
	return affected(res, err, "update org "+o.ID, store.ErrConflict)
}

// userArgs are the values of userCols followed by the derived filter columns.
func userArgs(u *user.User) ([]any, error) {
	var human, machine, pw any
	var failed int64
	var email, first, last, nick, display string
	if h := u.Human; h != nil {
		b, err := json.Marshal(h)
		if err != nil {
			return nil, fmt.Errorf("sqlite: user %s: encode human: %w", u.ID, err)
		}
		human, pw, failed = string(b), h.PasswordHash, int64(h.FailedPasswordAttempts)
		email, first, last, nick, display = h.Email, h.FirstName, h.LastName, h.NickName, h.DisplayName
	}
	if m := u.Machine; m != nil {
		b, err := json.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("sqlite: user %s: encode machine: %w", u.ID, err)
		}
		machine = string(b)
	}
	return []any{u.ID, u.OrgID, u.UserName, int64(u.Type), int64(u.State), int64(u.StateBeforeLock), int64(u.Sequence),
		encTime(u.CreatedAt), encTime(u.ChangedAt), int64(u.CredentialEpoch), human, machine, pw, failed,
		strings.ToLower(u.UserName), email, strings.ToLower(email), first, last, nick, display}, nil
}

func (t *tx) InsertUser(ctx context.Context, u *user.User) error {
	args, err := userArgs(u)
	if err != nil {
		return err
	}
	res, err := t.st.insertUser.ExecContext(ctx, args...)
	return affected(res, err, "insert user "+u.ID, store.ErrDuplicate)
}

func (t *tx) UpdateUser(ctx context.Context, u *user.User, prevSequence uint64) error {
	args, err := userArgs(u)
	if err != nil {
		return err
	}
	// SET takes every column but id; WHERE takes id and the expected sequence.
	args = append(args[1:], u.ID, int64(prevSequence))
	t.touch(u.ID)
	res, err := t.st.updateUser.ExecContext(ctx, args...)
	return affected(res, err, "update user "+u.ID, store.ErrConflict)
}

func (t *tx) PutMember(ctx context.Context, m *org.Member) error {
	roles, err := json.Marshal(m.Roles)
	if err != nil {
		return fmt.Errorf("sqlite: member %s/%s: encode roles: %w", m.OrgID, m.UserID, err)
	}
	t.touch(m.UserID)
	_, err = t.st.putMember.ExecContext(ctx, m.OrgID, m.UserID, string(roles), encTime(m.CreatedAt), encTime(m.ChangedAt), int64(m.Sequence))
	return classify("put member "+m.OrgID+"/"+m.UserID, err)
}

func (t *tx) DeleteMember(ctx context.Context, orgID, userID string) error {
	t.touch(userID)
	res, err := t.st.deleteMember.ExecContext(ctx, orgID, userID)
	return affected(res, err, "delete member "+orgID+"/"+userID, store.ErrNotFound)
}

func (t *tx) InsertPAT(ctx context.Context, p *credential.PAT) error {
	t.touch(p.UserID)
	res, err := t.st.insertPAT.ExecContext(ctx, p.ID, p.UserID, p.OrgID, p.Hash, encTime(p.Expiration), encTime(p.CreatedAt),
		int64(p.Epoch), int64(p.Sequence))
	return affected(res, err, "insert pat "+p.ID, store.ErrDuplicate)
}

func (t *tx) DeletePAT(ctx context.Context, userID, patID string) error {
	t.touch(userID)
	res, err := t.st.deletePAT.ExecContext(ctx, userID, patID)
	return affected(res, err, "delete pat "+patID, store.ErrNotFound)
}

func (t *tx) Append(ctx context.Context, events ...event.Event) error {
	for i := range events {
		e := &events[i]
		res, err := t.st.insertEvent.ExecContext(ctx, e.AggregateType, e.AggregateID, int64(e.Sequence), e.Type,
			encTime(e.CreatedAt), e.CreatorID, e.ResourceOwner, e.Payload)
		if err := affected(res, err, fmt.Sprintf("append event %s/%d", e.AggregateID, e.Sequence), store.ErrConflict); err != nil {
			return err
		}
	}
	return nil
}
