package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/user"
)

// querier is what reads and writes go through: the read coalescer outside a
// transaction, the batch connection inside one. pgx prepares and caches every
// statement per connection, so the fixed texts below are parsed once per
// connection.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

const (
	userCols = `id, org_id, user_name, type, state, state_before_lock, sequence, created_at, changed_at,
		credential_epoch, human, machine, password_hash, failed_password_attempts`
	orgCols    = `id, name, state, sequence, created_at, changed_at`
	memberCols = `org_id, user_id, roles, created_at, changed_at, sequence`
	patCols    = `id, user_id, org_id, hash, expiration, created_at, epoch, sequence`
	eventCols  = `aggregate_type, aggregate_id, sequence, type, created_at, creator_id, resource_owner, payload`

	sqlInstance      = `SELECT id, default_org_id, sequence, created_at FROM instance`
	sqlOrg           = `SELECT ` + orgCols + ` FROM orgs WHERE id = $1`
	sqlOrgByName     = `SELECT ` + orgCols + ` FROM orgs WHERE name = $1`
	sqlUser          = `SELECT ` + userCols + ` FROM users WHERE id = $1`
	sqlUserByName    = `SELECT ` + userCols + ` FROM users WHERE org_id = $1 AND user_name = $2 AND state <> 3`
	sqlMember        = `SELECT ` + memberCols + ` FROM members WHERE org_id = $1 AND user_id = $2`
	sqlMembershipsOf = `SELECT ` + memberCols + ` FROM members WHERE user_id = $1 ORDER BY org_id`
	sqlPAT           = `SELECT ` + patCols + ` FROM pats WHERE user_id = $1 AND id = $2`
	sqlPATByHash     = `SELECT ` + patCols + ` FROM pats WHERE hash = $1`
	// sqlPrincipal is PATByHash, User and MembershipsOf in one statement: the
	// user's columns in userCols order (coalesced, so a missing user row scans
	// as id ''), then the memberships as one JSON array (NULL if none) with
	// times in unix microseconds, as store.DecodePrincipalMembers decodes them.
	sqlPrincipal = `SELECT p.id, p.user_id, p.org_id, p.hash, p.expiration, p.created_at, p.epoch, p.sequence,
		coalesce(u.id, ''), coalesce(u.org_id, ''), coalesce(u.user_name, ''), coalesce(u.type, 0), coalesce(u.state, 0),
		coalesce(u.state_before_lock, 0), coalesce(u.sequence, 0), u.created_at, u.changed_at,
		coalesce(u.credential_epoch, 0), u.human, u.machine, u.password_hash, coalesce(u.failed_password_attempts, 0),
		(SELECT json_agg(json_build_object('o', m.org_id, 'r', m.roles,
				'c', (extract(epoch FROM m.created_at) * 1000000)::bigint,
				'h', (extract(epoch FROM m.changed_at) * 1000000)::bigint, 's', m.sequence) ORDER BY m.org_id)
			FROM members m WHERE m.user_id = p.user_id)
		FROM pats p LEFT JOIN users u ON u.id = p.user_id WHERE p.hash = $1`

	// ON CONFLICT DO NOTHING reports a unique clash as "0 rows" instead of an
	// error that would abort the whole transaction: fn may go on after a refusal.
	sqlInsertInstance = `INSERT INTO instance (id, default_org_id, sequence, created_at)
		VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`
	sqlInsertOrg = `INSERT INTO orgs (` + orgCols + `) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`
	sqlUpdateOrg = `UPDATE orgs SET name = $2, state = $3, sequence = $4, created_at = $5, changed_at = $6
		WHERE id = $1 AND sequence = $7`
	sqlInsertUser = `INSERT INTO users (` + userCols + `,
		user_name_lower, email, email_lower, first_name, last_name, nick_name, display_name)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)
		ON CONFLICT DO NOTHING`
	sqlUpdateUser = `UPDATE users SET org_id = $2, user_name = $3, type = $4, state = $5, state_before_lock = $6,
		sequence = $7, created_at = $8, changed_at = $9, credential_epoch = $10, human = $11, machine = $12,
		password_hash = $13, failed_password_attempts = $14, user_name_lower = $15, email = $16, email_lower = $17,
		first_name = $18, last_name = $19, nick_name = $20, display_name = $21
		WHERE id = $1 AND sequence = $22`
	sqlPutMember = `INSERT INTO members (` + memberCols + `) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (org_id, user_id) DO UPDATE SET roles = excluded.roles,
		created_at = excluded.created_at, changed_at = excluded.changed_at, sequence = excluded.sequence`
	sqlDeleteMember = `DELETE FROM members WHERE org_id = $1 AND user_id = $2`
	sqlInsertPAT    = `INSERT INTO pats (` + patCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`
	sqlDeletePAT    = `DELETE FROM pats WHERE user_id = $1 AND id = $2`
	sqlInsertEvent  = `INSERT INTO events (` + eventCols + `) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING`
)

// reader implements store.Reader over the pool or, inside Write, the transaction.
type reader struct {
	q querier
}

// Zero times are stored as NULL, so they come back as zero, not year 1 in some zone.
func encTime(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func decTime(t pgtype.Timestamptz) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}

func notFound(what string, err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("postgres: %s: %w", what, store.ErrNotFound)
	}
	return classify(what, err)
}

func (r *reader) Instance(ctx context.Context) (*org.Instance, error) {
	var i org.Instance
	var seq int64
	var created pgtype.Timestamptz
	if err := r.q.QueryRow(ctx, sqlInstance).Scan(&i.ID, &i.DefaultOrgID, &seq, &created); err != nil {
		return nil, notFound("instance", err)
	}
	i.Sequence, i.CreatedAt = uint64(seq), decTime(created)
	return &i, nil
}

func scanOrg(row pgx.Row) (*org.Org, error) {
	var o org.Org
	var state int32
	var seq int64
	var created, changed pgtype.Timestamptz
	if err := row.Scan(&o.ID, &o.Name, &state, &seq, &created, &changed); err != nil {
		return nil, err
	}
	o.State, o.Sequence, o.CreatedAt, o.ChangedAt = org.State(state), uint64(seq), decTime(created), decTime(changed)
	return &o, nil
}

func (r *reader) Org(ctx context.Context, id string) (*org.Org, error) {
	o, err := scanOrg(r.q.QueryRow(ctx, sqlOrg, id))
	if err != nil {
		return nil, notFound("org "+id, err)
	}
	return o, nil
}

func (r *reader) OrgByName(ctx context.Context, name string) (*org.Org, error) {
	o, err := scanOrg(r.q.QueryRow(ctx, sqlOrgByName, name))
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
	rows, err := r.q.Query(ctx, "SELECT "+orgCols+" FROM orgs ORDER BY name COLLATE \"C\""+dir+", id"+dir+" LIMIT $1 OFFSET $2", store.ClampLimit(p.Limit), max(p.Offset, 0))
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
	if err := r.q.QueryRow(ctx, "SELECT count(*) FROM orgs").Scan(&total); err != nil {
		return nil, 0, classify("count orgs", err)
	}
	return out, uint64(total), nil
}

func scanUser(row pgx.Row, extra ...any) (*user.User, error) {
	var u user.User
	var typ, state, sbl, failed int32
	var seq, epoch int64
	var created, changed pgtype.Timestamptz
	var human, machine []byte
	var pw pgtype.Text
	dest := append([]any{&u.ID, &u.OrgID, &u.UserName, &typ, &state, &sbl, &seq, &created, &changed,
		&epoch, &human, &machine, &pw, &failed}, extra...)
	if err := row.Scan(dest...); err != nil {
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
	u, err := scanUser(r.q.QueryRow(ctx, sqlUser, id))
	if err != nil {
		return nil, notFound("user "+id, err)
	}
	return u, nil
}

func (r *reader) UserByName(ctx context.Context, orgID, userName string) (*user.User, error) {
	u, err := scanUser(r.q.QueryRow(ctx, sqlUserByName, orgID, userName))
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

// likeEscape makes user input match literally inside a LIKE pattern.
var likeEscape = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// args collects query arguments and hands out their placeholders.
type args []any

func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// textCond builds the condition for one text filter. Ignore-case methods
// compare the lowered column with the lowered value (Go's lowering on both
// sides, as in the SQLite engine).
func textCond(a *args, col, lowerCol string, m store.TextMatch) (string, error) {
	v := m.Value
	switch m.Method {
	case store.TextEqualsIgnoreCase, store.TextStartsWithIgnoreCase, store.TextContainsIgnoreCase, store.TextEndsWithIgnoreCase:
		col, v = lowerCol, strings.ToLower(v)
	}
	e := likeEscape.Replace(v)
	switch m.Method {
	case store.TextEquals, store.TextEqualsIgnoreCase:
		return col + " = " + a.add(v), nil
	case store.TextStartsWith, store.TextStartsWithIgnoreCase:
		return col + " LIKE " + a.add(e+"%") + ` ESCAPE '\'`, nil
	case store.TextContains, store.TextContainsIgnoreCase:
		return col + " LIKE " + a.add("%"+e+"%") + ` ESCAPE '\'`, nil
	case store.TextEndsWith, store.TextEndsWithIgnoreCase:
		return col + " LIKE " + a.add("%"+e) + ` ESCAPE '\'`, nil
	}
	return "", fmt.Errorf("postgres: unknown text method %d", m.Method)
}

func (r *reader) ListUsers(ctx context.Context, q store.UserQuery) (*store.UserPage, error) {
	if q.IDs != nil && len(q.IDs) == 0 {
		return &store.UserPage{}, nil
	}
	where := []string{"state <> 3"}
	var a args
	if q.OrgID != "" {
		where = append(where, "org_id = "+a.add(q.OrgID))
	}
	for _, f := range []struct {
		col, lower string
		ms         []store.TextMatch
	}{{"user_name", "user_name_lower", q.UserNames}, {"email", "email_lower", q.Emails}} {
		for _, m := range f.ms {
			c, err := textCond(&a, f.col, f.lower, m)
			if err != nil {
				return nil, err
			}
			where = append(where, c)
		}
	}
	if len(q.States) > 0 {
		st := make([]int32, len(q.States))
		for i, s := range q.States {
			st[i] = int32(s)
		}
		where = append(where, "state = ANY("+a.add(st)+")")
	}
	if len(q.Types) > 0 {
		ty := make([]int32, len(q.Types))
		for i, t := range q.Types {
			ty[i] = int32(t)
		}
		where = append(where, "type = ANY("+a.add(ty)+")")
	}
	if len(q.IDs) > 0 {
		where = append(where, "id = ANY("+a.add(q.IDs)+")")
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
	nFilter := len(a)
	// count(*) OVER () gives the total with the page in one statement and one snapshot.
	query := "SELECT " + userCols + ", count(*) OVER () FROM users WHERE " + cond +
		" ORDER BY " + order + " LIMIT " + a.add(store.ClampLimit(q.Limit)) + " OFFSET " + a.add(offset)
	rows, err := r.q.Query(ctx, query, a...)
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
		if err := r.q.QueryRow(ctx, "SELECT count(*) FROM users WHERE "+cond, a[:nFilter]...).Scan(&total); err != nil {
			return nil, classify("count users", err)
		}
		page.Total = uint64(total)
	}
	return page, nil
}

func (r *reader) Events(ctx context.Context, q store.EventQuery) ([]event.Event, error) {
	var a args
	query := "SELECT " + eventCols + " FROM events WHERE aggregate_id = " + a.add(q.AggregateID)
	if q.AggregateType != "" {
		query += " AND aggregate_type = " + a.add(q.AggregateType)
	}
	if q.AfterSequence != 0 {
		if q.Asc {
			query += " AND sequence > " + a.add(int64(q.AfterSequence))
		} else {
			query += " AND sequence < " + a.add(int64(q.AfterSequence))
		}
	}
	if q.Asc {
		query += " ORDER BY sequence ASC"
	} else {
		query += " ORDER BY sequence DESC"
	}
	query += " LIMIT " + a.add(store.ClampLimit(q.Limit))
	rows, err := r.q.Query(ctx, query, a...)
	if err != nil {
		return nil, classify("events", err)
	}
	defer rows.Close()
	var out []event.Event
	for rows.Next() {
		var e event.Event
		var seq int64
		var created pgtype.Timestamptz
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

func scanMember(row pgx.Row, extra ...any) (*org.Member, error) {
	var m org.Member
	var roles []byte
	var seq int64
	var created, changed pgtype.Timestamptz
	if err := row.Scan(append([]any{&m.OrgID, &m.UserID, &roles, &created, &changed, &seq}, extra...)...); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(roles, &m.Roles); err != nil {
		return nil, fmt.Errorf("member %s/%s: decode roles: %w", m.OrgID, m.UserID, err)
	}
	m.Sequence, m.CreatedAt, m.ChangedAt = uint64(seq), decTime(created), decTime(changed)
	return &m, nil
}

func (r *reader) Member(ctx context.Context, orgID, userID string) (*org.Member, error) {
	m, err := scanMember(r.q.QueryRow(ctx, sqlMember, orgID, userID))
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
	rows, err := r.q.Query(ctx, "SELECT "+memberCols+", count(*) OVER () FROM members WHERE org_id = $1 ORDER BY length(user_id)"+dir+", user_id"+dir+" LIMIT $2 OFFSET $3",
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
		if err := r.q.QueryRow(ctx, "SELECT count(*) FROM members WHERE org_id = $1", orgID).Scan(&total); err != nil {
			return nil, 0, classify("count members", err)
		}
	}
	return out, uint64(total), nil
}

func (r *reader) MembershipsOf(ctx context.Context, userID string) ([]*org.Member, error) {
	rows, err := r.q.Query(ctx, sqlMembershipsOf, userID)
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

func scanPAT(row pgx.Row, extra ...any) (*credential.PAT, error) {
	var p credential.PAT
	var epoch, seq int64
	var exp, created pgtype.Timestamptz
	if err := row.Scan(append([]any{&p.ID, &p.UserID, &p.OrgID, &p.Hash, &exp, &created, &epoch, &seq}, extra...)...); err != nil {
		return nil, err
	}
	p.Expiration, p.CreatedAt, p.Epoch, p.Sequence = decTime(exp), decTime(created), uint64(epoch), uint64(seq)
	return &p, nil
}

func (r *reader) PAT(ctx context.Context, userID, patID string) (*credential.PAT, error) {
	p, err := scanPAT(r.q.QueryRow(ctx, sqlPAT, userID, patID))
	if err != nil {
		return nil, notFound("pat "+patID, err)
	}
	return p, nil
}

func (r *reader) PATByHash(ctx context.Context, hash []byte) (*credential.PAT, error) {
	p, err := scanPAT(r.q.QueryRow(ctx, sqlPATByHash, hash))
	if err != nil {
		return nil, notFound("pat by hash", err)
	}
	return p, nil
}

// scanFunc adapts a function to pgx.Row, so scanPAT and scanUser can decode
// one row that holds both.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

func (r *reader) Principal(ctx context.Context, hash []byte) (*credential.PAT, *user.User, []*org.Member, error) {
	row := r.q.QueryRow(ctx, sqlPrincipal, hash)
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
		return nil, nil, nil, fmt.Errorf("postgres: %w", err)
	}
	return p, u, out, nil
}

func (r *reader) ListPATs(ctx context.Context, userID string, p store.Page) ([]*credential.PAT, uint64, error) {
	dir := " DESC"
	if p.Asc {
		dir = " ASC"
	}
	offset := max(p.Offset, 0)
	rows, err := r.q.Query(ctx, "SELECT "+patCols+", count(*) OVER () FROM pats WHERE user_id = $1 ORDER BY created_at"+dir+", length(id)"+dir+", id"+dir+" LIMIT $2 OFFSET $3",
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
		if err := r.q.QueryRow(ctx, "SELECT count(*) FROM pats WHERE user_id = $1", userID).Scan(&total); err != nil {
			return nil, 0, classify("count pats", err)
		}
	}
	return out, uint64(total), nil
}

// tx is the store.Tx a write function gets.
type tx struct {
	reader
	t *batchConn
}

// guardedExec runs a write whose only expected refusal is "0 rows" (sentinel):
// a sequence-guarded update or an event append. On a function's first attempt
// it is deferred and sent with whatever goes to the server next (a later read,
// the next request's first read, or the COMMIT), so it costs no round trip of
// its own; if it is then refused or fails, the function's attempt is rolled
// back and it runs again with immediate writes, meeting the refusal where it
// happens. Statements the function sends meanwhile are pipelined after the
// deferred writes, so it reads its own writes as usual.
func (t *tx) guardedExec(_ context.Context, g guardedSQL, op string, sentinel error, args ...any) error {
	return t.t.guardedExec(g, op, sentinel, args)
}

var (
	guardUpdateOrg   = guard(sqlUpdateOrg)
	guardUpdateUser  = guard(sqlUpdateUser)
	guardInsertEvent = guard(sqlInsertEvent)
)

var _ store.Tx = (*tx)(nil)

// affected turns "0 rows" into sentinel.
func affected(tag pgconn.CommandTag, err error, op string, sentinel error) error {
	if err != nil {
		return classify(op, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("postgres: %s: %w", op, sentinel)
	}
	return nil
}

func (t *tx) InsertInstance(ctx context.Context, i *org.Instance) error {
	tag, err := t.t.Exec(ctx, sqlInsertInstance, i.ID, i.DefaultOrgID, int64(i.Sequence), encTime(i.CreatedAt))
	return affected(tag, err, "insert instance "+i.ID, store.ErrDuplicate)
}

func (t *tx) InsertOrg(ctx context.Context, o *org.Org) error {
	tag, err := t.t.Exec(ctx, sqlInsertOrg, o.ID, o.Name, int32(o.State), int64(o.Sequence), encTime(o.CreatedAt), encTime(o.ChangedAt))
	return affected(tag, err, "insert org "+o.ID, store.ErrDuplicate)
}

func (t *tx) UpdateOrg(ctx context.Context, o *org.Org, prevSequence uint64) error {
	return t.guardedExec(ctx, guardUpdateOrg, "update org "+o.ID, store.ErrConflict, o.ID, o.Name, int32(o.State), int64(o.Sequence),
		encTime(o.CreatedAt), encTime(o.ChangedAt), int64(prevSequence))
}

// userArgs are the values of userCols followed by the derived filter columns.
func userArgs(u *user.User) ([]any, error) {
	var human, machine, pw any
	var failed int32
	var email, first, last, nick, display string
	if h := u.Human; h != nil {
		b, err := json.Marshal(h)
		if err != nil {
			return nil, fmt.Errorf("postgres: user %s: encode human: %w", u.ID, err)
		}
		human, pw, failed = string(b), h.PasswordHash, int32(h.FailedPasswordAttempts)
		email, first, last, nick, display = h.Email, h.FirstName, h.LastName, h.NickName, h.DisplayName
	}
	if m := u.Machine; m != nil {
		b, err := json.Marshal(m)
		if err != nil {
			return nil, fmt.Errorf("postgres: user %s: encode machine: %w", u.ID, err)
		}
		machine = string(b)
	}
	return []any{u.ID, u.OrgID, u.UserName, int32(u.Type), int32(u.State), int32(u.StateBeforeLock), int64(u.Sequence),
		encTime(u.CreatedAt), encTime(u.ChangedAt), int64(u.CredentialEpoch), human, machine, pw, failed,
		strings.ToLower(u.UserName), email, strings.ToLower(email), first, last, nick, display}, nil
}

func (t *tx) InsertUser(ctx context.Context, u *user.User) error {
	a, err := userArgs(u)
	if err != nil {
		return err
	}
	tag, err := t.t.Exec(ctx, sqlInsertUser, a...)
	return affected(tag, err, "insert user "+u.ID, store.ErrDuplicate)
}

func (t *tx) UpdateUser(ctx context.Context, u *user.User, prevSequence uint64) error {
	a, err := userArgs(u)
	if err != nil {
		return err
	}
	// A rename onto a taken name is a unique violation; the savepoint confines
	// it to this function, which has to give up on ErrDuplicate anyway.
	return t.guardedExec(ctx, guardUpdateUser, "update user "+u.ID, store.ErrConflict, append(a, int64(prevSequence))...)
}

func (t *tx) PutMember(ctx context.Context, m *org.Member) error {
	roles, err := json.Marshal(m.Roles)
	if err != nil {
		return fmt.Errorf("postgres: member %s/%s: encode roles: %w", m.OrgID, m.UserID, err)
	}
	_, err = t.t.Exec(ctx, sqlPutMember, m.OrgID, m.UserID, string(roles), encTime(m.CreatedAt), encTime(m.ChangedAt), int64(m.Sequence))
	if err != nil {
		return classify("put member "+m.OrgID+"/"+m.UserID, err)
	}
	return nil
}

func (t *tx) DeleteMember(ctx context.Context, orgID, userID string) error {
	tag, err := t.t.Exec(ctx, sqlDeleteMember, orgID, userID)
	return affected(tag, err, "delete member "+orgID+"/"+userID, store.ErrNotFound)
}

func (t *tx) InsertPAT(ctx context.Context, p *credential.PAT) error {
	tag, err := t.t.Exec(ctx, sqlInsertPAT, p.ID, p.UserID, p.OrgID, p.Hash, encTime(p.Expiration), encTime(p.CreatedAt),
		int64(p.Epoch), int64(p.Sequence))
	return affected(tag, err, "insert pat "+p.ID, store.ErrDuplicate)
}

func (t *tx) DeletePAT(ctx context.Context, userID, patID string) error {
	tag, err := t.t.Exec(ctx, sqlDeletePAT, userID, patID)
	return affected(tag, err, "delete pat "+patID, store.ErrNotFound)
}

func (t *tx) Append(ctx context.Context, events ...event.Event) error {
	for i := range events {
		e := &events[i]
		// A concurrent insert of the same key makes this wait for the other
		// transaction, then report "0 rows" if it committed: ErrConflict, retry.
		if err := t.guardedExec(ctx, guardInsertEvent, fmt.Sprintf("append event %s/%d", e.AggregateID, e.Sequence),
			store.ErrConflict, e.AggregateType, e.AggregateID, int64(e.Sequence), e.Type,
			encTime(e.CreatedAt), e.CreatorID, e.ResourceOwner, e.Payload); err != nil {
			return err
		}
	}
	return nil
}
