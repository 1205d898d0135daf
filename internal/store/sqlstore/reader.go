package sqlstore

import (
	"context"
	"database/sql"
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

// Reader implements store.Reader over an engine's Querier.
type Reader struct {
	d *Dialect
	q Querier
}

// NewReader reads through q.
func NewReader(d *Dialect, q Querier) Reader { return Reader{d: d, q: q} }

var _ store.Reader = (*Reader)(nil)

// notFound maps "no rows" (sql.ErrNoRows, which pgx.ErrNoRows also is) to
// store.ErrNotFound.
func (r *Reader) notFound(what string, err error) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%s: %s: %w", r.d.Name, what, store.ErrNotFound)
	}
	return r.d.Classify(what, err)
}

// collect scans every row with scan, handing it extra destinations too (a
// window count), and closes rows.
func collect[T any](d *Dialect, op string, rows Rows, err error, scan func(*Dialect, Row, ...any) (T, error), extra ...any) ([]T, error) {
	if err != nil {
		return nil, d.Classify(op, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(d, rows, extra...)
		if err != nil {
			return nil, d.Classify(op, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, d.Classify(op, err)
	}
	return out, nil
}

// direction is the ORDER BY keyword for asc.
func direction(asc bool) string {
	if asc {
		return " ASC"
	}
	return " DESC"
}

func (r *Reader) Instance(ctx context.Context) (*org.Instance, error) {
	i, err := r.d.scanInstance(r.q.QueryRow(ctx, StmtInstance))
	if err != nil {
		return nil, r.notFound("instance", err)
	}
	return i, nil
}

func (r *Reader) Org(ctx context.Context, id string) (*org.Org, error) {
	o, err := r.d.scanOrgRead(r.q.QueryRow(ctx, StmtOrg, id))
	if err != nil {
		return nil, r.notFound("org "+id, err)
	}
	return o, nil
}

func (r *Reader) OrgByName(ctx context.Context, name string) (*org.Org, error) {
	o, err := r.d.scanOrgRead(r.q.QueryRow(ctx, StmtOrgByName, name))
	if err != nil {
		return nil, r.notFound("org by name "+name, err)
	}
	return o, nil
}

func (r *Reader) ListOrgs(ctx context.Context, p store.Page) ([]*org.Org, uint64, error) {
	dir := direction(p.Asc)
	a := r.d.NewArgs()
	// Names sort in byte order on both engines (PostgreSQL's columns are COLLATE "C").
	query := "SELECT " + orgRead + " FROM orgs ORDER BY name" + dir + ", id" + dir +
		" LIMIT " + a.Add(store.ClampLimit(p.Limit)) + " OFFSET " + a.Add(max(p.Offset, 0))
	rows, err := r.q.QuerySQL(ctx, query, a.Values()...)
	out, err := collect(r.d, "list orgs", rows, err, (*Dialect).scanOrgRead)
	if err != nil {
		return nil, 0, err
	}
	// Organisations are few: a second count beats a window over every row.
	var total int64
	if err := r.q.QueryRowSQL(ctx, "SELECT count(*) FROM orgs").Scan(&total); err != nil {
		return nil, 0, r.d.Classify("count orgs", err)
	}
	return out, uint64(total), nil
}

func (r *Reader) User(ctx context.Context, id string) (*user.User, error) {
	var orgState int64
	u, err := r.d.scanUser(r.q.QueryRow(ctx, StmtUser, id), &orgState)
	if err != nil {
		return nil, r.notFound("user "+id, err)
	}
	u.OrgInactive = orgInactive(orgState)
	return u, nil
}

func (r *Reader) UserByName(ctx context.Context, orgID, userName string) (*user.User, error) {
	var orgState int64
	u, err := r.d.scanUser(r.q.QueryRow(ctx, StmtUserByName, orgID, userName), &orgState)
	if err != nil {
		return nil, r.notFound("user by name "+userName, err)
	}
	u.OrgInactive = orgInactive(orgState)
	return u, nil
}

// orgInactive reads userOrgState: a deactivated or removed org. A user
// without an org row (only in storage tests) is judged by its own state.
func orgInactive(state int64) bool {
	return state == int64(org.StateInactive) || state == int64(org.StateRemoved)
}

// textCond builds the condition for one text filter on col. Ignore-case
// methods compare lowerCol, Go's strings.ToLower of col kept beside it, with the
// lowered value: the same Unicode-aware lowering on both engines.
func (d *Dialect) textCond(a *Args, col, lowerCol string, m store.TextMatch) (string, error) {
	v := m.Value
	switch m.Method {
	case store.TextEqualsIgnoreCase, store.TextStartsWithIgnoreCase, store.TextContainsIgnoreCase, store.TextEndsWithIgnoreCase:
		col, v = lowerCol, strings.ToLower(v)
	}
	switch m.Method {
	case store.TextEquals, store.TextEqualsIgnoreCase:
		return d.TextCond(a, col, TextEquals, v), nil
	case store.TextStartsWith, store.TextStartsWithIgnoreCase:
		return d.TextCond(a, col, TextStartsWith, v), nil
	case store.TextContains, store.TextContainsIgnoreCase:
		return d.TextCond(a, col, TextContains, v), nil
	case store.TextEndsWith, store.TextEndsWithIgnoreCase:
		return d.TextCond(a, col, TextEndsWith, v), nil
	}
	return "", fmt.Errorf("%s: unknown text method %d", d.Name, m.Method)
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

func (r *Reader) ListUsers(ctx context.Context, q store.UserQuery) (*store.UserPage, error) {
	if q.IDs != nil && len(q.IDs) == 0 {
		return &store.UserPage{}, nil
	}
	where := []string{"state <> 3"}
	a := r.d.NewArgs()
	if q.OrgID != "" {
		where = append(where, "org_id = "+a.Add(q.OrgID))
	}
	for _, f := range []struct {
		col, lower string
		ms         []store.TextMatch
	}{{"user_name", "user_name_lower", q.UserNames}, {"email", "email_lower", q.Emails}} {
		for _, m := range f.ms {
			c, err := r.d.textCond(a, f.col, f.lower, m)
			if err != nil {
				return nil, err
			}
			if c != "" {
				where = append(where, c)
			}
		}
	}
	if len(q.States) > 0 {
		st := make([]int64, len(q.States))
		for i, s := range q.States {
			st[i] = int64(s)
		}
		where = append(where, r.d.In(a, "state", st))
	}
	if len(q.Types) > 0 {
		ty := make([]int64, len(q.Types))
		for i, t := range q.Types {
			ty[i] = int64(t)
		}
		where = append(where, r.d.In(a, "type", ty))
	}
	if len(q.IDs) > 0 {
		where = append(where, r.d.In(a, "id", q.IDs))
	}
	dir := direction(q.Asc)
	// Ids are time-ordered decimals of varying length: length first gives numeric order.
	order := "length(id)" + dir + ", id" + dir
	if c, ok := userSortCols[q.Sort]; ok {
		order = c + dir + ", " + order
	}
	cond := strings.Join(where, " AND ")
	offset := max(q.Offset, 0)
	nFilter := len(a.Values())
	// count(*) OVER () gives the total with the page in one statement and one snapshot.
	query := "SELECT " + userSelect + ", count(*) OVER () FROM users WHERE " + cond +
		" ORDER BY " + order + " LIMIT " + a.Add(store.ClampLimit(q.Limit)) + " OFFSET " + a.Add(offset)
	rows, err := r.q.QuerySQL(ctx, query, a.Values()...)
	var total int64
	users, err := collect(r.d, "list users", rows, err, (*Dialect).scanUser, &total)
	if err != nil {
		return nil, err
	}
	page := &store.UserPage{Users: users, Total: uint64(total)}
	if len(page.Users) == 0 && offset > 0 {
		if err := r.q.QueryRowSQL(ctx, "SELECT count(*) FROM users WHERE "+cond, a.Values()[:nFilter]...).Scan(&total); err != nil {
			return nil, r.d.Classify("count users", err)
		}
		page.Total = uint64(total)
	}
	return page, nil
}

func (r *Reader) Events(ctx context.Context, q store.EventQuery) ([]event.Event, error) {
	a := r.d.NewArgs()
	query := "SELECT " + EventCols + " FROM events WHERE aggregate_id = " + a.Add(q.AggregateID)
	if q.AggregateType != "" {
		query += " AND aggregate_type = " + a.Add(q.AggregateType)
	}
	if q.AfterSequence != 0 {
		if q.Asc {
			query += " AND sequence > " + a.Add(int64(q.AfterSequence))
		} else {
			query += " AND sequence < " + a.Add(int64(q.AfterSequence))
		}
	}
	query += " ORDER BY sequence" + direction(q.Asc) + " LIMIT " + a.Add(store.ClampLimit(q.Limit))
	rows, err := r.q.QuerySQL(ctx, query, a.Values()...)
	return collect(r.d, "events", rows, err, (*Dialect).scanEvent)
}

func (r *Reader) Member(ctx context.Context, orgID, userID string) (*org.Member, error) {
	m, err := r.d.scanMember(r.q.QueryRow(ctx, StmtMember, orgID, userID))
	if err != nil {
		return nil, r.notFound("member "+orgID+"/"+userID, err)
	}
	return m, nil
}

func (r *Reader) ListMembers(ctx context.Context, orgID string, p store.Page) ([]*org.Member, uint64, error) {
	dir := direction(p.Asc)
	offset := max(p.Offset, 0)
	a := r.d.NewArgs()
	query := "SELECT " + MemberCols + ", count(*) OVER () FROM members WHERE org_id = " + a.Add(orgID) +
		" ORDER BY length(user_id)" + dir + ", user_id" + dir +
		" LIMIT " + a.Add(store.ClampLimit(p.Limit)) + " OFFSET " + a.Add(offset)
	rows, err := r.q.QuerySQL(ctx, query, a.Values()...)
	var total int64
	out, err := collect(r.d, "list members", rows, err, (*Dialect).scanMember, &total)
	if err != nil {
		return nil, 0, err
	}
	if len(out) == 0 && offset > 0 {
		if err := r.q.QueryRowSQL(ctx, "SELECT count(*) FROM members WHERE org_id = "+r.d.Placeholder(), orgID).Scan(&total); err != nil {
			return nil, 0, r.d.Classify("count members", err)
		}
	}
	return out, uint64(total), nil
}

func (r *Reader) MembershipsOf(ctx context.Context, userID string) ([]*org.Member, error) {
	rows, err := r.q.Query(ctx, StmtMembershipsOf, userID)
	return collect(r.d, "memberships", rows, err, (*Dialect).scanMember)
}

func (r *Reader) PAT(ctx context.Context, userID, patID string) (*credential.PAT, error) {
	p, err := r.d.scanPAT(r.q.QueryRow(ctx, StmtPAT, userID, patID))
	if err != nil {
		return nil, r.notFound("pat "+patID, err)
	}
	return p, nil
}

func (r *Reader) PATByHash(ctx context.Context, hash []byte) (*credential.PAT, error) {
	p, err := r.d.scanPAT(r.q.QueryRow(ctx, StmtPATByHash, hash))
	if err != nil {
		return nil, r.notFound("pat by hash", err)
	}
	return p, nil
}

func (r *Reader) Principal(ctx context.Context, hash []byte) (*credential.PAT, *user.User, []*org.Member, error) {
	row := r.q.QueryRow(ctx, StmtPrincipal, hash)
	var u *user.User
	var msJSON []byte
	var orgState int64
	// scanPAT hands its destinations to the outer function, scanUser its own to
	// the inner one, which scans the whole row; each then decodes its part.
	p, err := r.d.scanPAT(scanFunc(func(patDest ...any) error {
		var err error
		u, err = r.d.scanUser(scanFunc(func(userDest ...any) error {
			return row.Scan(append(append(patDest, userDest...), &msJSON, &orgState)...)
		}))
		return err
	}))
	if err != nil {
		return nil, nil, nil, r.notFound("principal", err)
	}
	if u.ID == "" {
		u = nil // the PAT outlived its user row
	} else {
		u.OrgInactive = orgInactive(orgState)
	}
	out, err := store.DecodePrincipalMembers(p.UserID, msJSON)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("%s: %w", r.d.Name, err)
	}
	return p, u, out, nil
}

func (r *Reader) ListPATs(ctx context.Context, userID string, p store.Page) ([]*credential.PAT, uint64, error) {
	dir := direction(p.Asc)
	offset := max(p.Offset, 0)
	a := r.d.NewArgs()
	query := "SELECT " + PATCols + ", count(*) OVER () FROM pats WHERE user_id = " + a.Add(userID) +
		" ORDER BY created_at" + dir + ", length(id)" + dir + ", id" + dir +
		" LIMIT " + a.Add(store.ClampLimit(p.Limit)) + " OFFSET " + a.Add(offset)
	rows, err := r.q.QuerySQL(ctx, query, a.Values()...)
	var total int64
	out, err := collect(r.d, "list pats", rows, err, (*Dialect).scanPAT, &total)
	if err != nil {
		return nil, 0, err
	}
	if len(out) == 0 && offset > 0 {
		if err := r.q.QueryRowSQL(ctx, "SELECT count(*) FROM pats WHERE user_id = "+r.d.Placeholder(), userID).Scan(&total); err != nil {
			return nil, 0, r.d.Classify("count pats", err)
		}
	}
	return out, uint64(total), nil
}

func (r *Reader) Artifact(ctx context.Context, kind, id string) (*store.Artifact, error) {
	a, err := r.d.scanArtifact(r.q.QueryRow(ctx, StmtArtifact, kind, id))
	if err != nil {
		return nil, r.notFound("artifact "+kind+"/"+id, err)
	}
	return a, nil
}

func (r *Reader) ArtifactByKey(ctx context.Context, kind, key string) (*store.Artifact, error) {
	if key == "" {
		// "" means "no key": it never identifies an artifact.
		return nil, fmt.Errorf("%s: artifact %s by empty key: %w", r.d.Name, kind, store.ErrNotFound)
	}
	a, err := r.d.scanArtifact(r.q.QueryRow(ctx, StmtArtifactByKey, kind, key))
	if err != nil {
		return nil, r.notFound("artifact "+kind+" by key", err)
	}
	return a, nil
}

func (r *Reader) ListArtifacts(ctx context.Context, q store.ArtifactQuery) ([]*store.Artifact, uint64, error) {
	if q.Kind == "" {
		return nil, 0, fmt.Errorf("%s: list artifacts: kind is required", r.d.Name)
	}
	a := r.d.NewArgs()
	where := []string{"kind = " + a.Add(q.Kind)}
	if q.UserID != "" {
		where = append(where, "user_id = "+a.Add(q.UserID))
	}
	if q.OrgID != "" {
		where = append(where, "org_id = "+a.Add(q.OrgID))
	}
	cond := strings.Join(where, " AND ")
	nFilter := len(a.Values())
	dir := direction(q.Page.Asc)
	offset := max(q.Page.Offset, 0)
	// Ids are decimals of varying length: length first gives numeric order.
	query := "SELECT " + ArtifactCols + ", count(*) OVER () FROM artifacts WHERE " + cond +
		" ORDER BY length(id)" + dir + ", id" + dir +
		" LIMIT " + a.Add(store.ClampLimit(q.Page.Limit)) + " OFFSET " + a.Add(offset)
	rows, err := r.q.QuerySQL(ctx, query, a.Values()...)
	var total int64
	out, err := collect(r.d, "list artifacts", rows, err, (*Dialect).scanArtifact, &total)
	if err != nil {
		return nil, 0, err
	}
	if len(out) == 0 && offset > 0 {
		if err := r.q.QueryRowSQL(ctx, "SELECT count(*) FROM artifacts WHERE "+cond, a.Values()[:nFilter]...).Scan(&total); err != nil {
			return nil, 0, r.d.Classify("count artifacts", err)
		}
	}
	return out, uint64(total), nil
}

// credentialCond builds the condition of a PAT or machine-key search over a
// table whose columns are id, user_id, org_id, created_at and the expiry
// column exp (NULL: never, compared as store.NoExpiry).
func (r *Reader) credentialCond(a *Args, q store.CredentialQuery, exp string) []string {
	var where []string
	ids := func(col string, vs []string) {
		for _, v := range vs {
			where = append(where, col+" = "+a.Add(v))
		}
	}
	ids("id", q.IDs)
	ids("user_id", q.UserIDs)
	ids("org_id", q.OrgIDs)
	if q.InOrgs != nil {
		if len(q.InOrgs) == 0 {
			where = append(where, "1 = 0")
		} else {
			where = append(where, r.d.In(a, "org_id", q.InOrgs))
		}
	}
	// Times are stored to the microsecond.
	ops := [...]string{"=", ">", ">=", "<", "<="}
	for _, c := range q.Created {
		where = append(where, "created_at "+ops[c.Op]+" "+a.Add(r.d.Time(c.At.Truncate(time.Microsecond))))
	}
	for _, c := range q.Expires {
		// Placeholders in textual order: SQLite's bare ? are positional.
		col := "COALESCE(" + exp + ", " + a.Add(r.d.Time(store.NoExpiry)) + ")"
		where = append(where, col+" "+ops[c.Op]+" "+a.Add(r.d.Time(c.At.Truncate(time.Microsecond))))
	}
	return where
}

// credentialOrder is the ORDER BY of a credential search (no placeholders).
func credentialOrder(q store.CredentialQuery, exp string) string {
	dir := direction(q.Page.Asc)
	// Ids are decimals of varying length: length first gives numeric order;
	// the credential's id breaks ties.
	byID := func(col string) string { return "length(" + col + ")" + dir + ", " + col + dir }
	switch q.Sort {
	case store.SortCredID:
		return byID("id")
	case store.SortCredUserID:
		return byID("user_id") + ", " + byID("id")
	case store.SortCredOrgID:
		return byID("org_id") + ", " + byID("id")
	case store.SortCredExpiration:
		// Never expiring (NULL) sorts last ascending, first descending.
		return "(" + exp + " IS NULL)" + dir + ", " + exp + dir + ", " + byID("id")
	}
	return "created_at" + dir + ", " + byID("id")
}

func (r *Reader) SearchPATs(ctx context.Context, q store.CredentialQuery) ([]*credential.PAT, uint64, error) {
	a := r.d.NewArgs()
	where := r.credentialCond(a, q, "expiration")
	cond := "1 = 1"
	if len(where) > 0 {
		cond = strings.Join(where, " AND ")
	}
	nFilter := len(a.Values())
	offset := max(q.Page.Offset, 0)
	query := "SELECT " + PATCols + ", count(*) OVER () FROM pats WHERE " + cond + " ORDER BY " + credentialOrder(q, "expiration") +
		" LIMIT " + a.Add(store.ClampLimit(q.Page.Limit)) + " OFFSET " + a.Add(offset)
	rows, err := r.q.QuerySQL(ctx, query, a.Values()...)
	var total int64
	out, err := collect(r.d, "search pats", rows, err, (*Dialect).scanPAT, &total)
	if err != nil {
		return nil, 0, err
	}
	if len(out) == 0 && offset > 0 {
		if err := r.q.QueryRowSQL(ctx, "SELECT count(*) FROM pats WHERE "+cond, a.Values()[:nFilter]...).Scan(&total); err != nil {
			return nil, 0, r.d.Classify("count pats", err)
		}
	}
	return out, uint64(total), nil
}

func (r *Reader) SearchMachineKeys(ctx context.Context, q store.CredentialQuery) ([]*store.Artifact, uint64, error) {
	a := r.d.NewArgs()
	where := []string{"kind = " + a.Add(credential.KindMachineKey)}
	more := r.credentialCond(a, q, "expires_at")
	cond := strings.Join(append(where, more...), " AND ")
	nFilter := len(a.Values())
	offset := max(q.Page.Offset, 0)
	query := "SELECT " + ArtifactCols + ", count(*) OVER () FROM artifacts WHERE " + cond + " ORDER BY " + credentialOrder(q, "expires_at") +
		" LIMIT " + a.Add(store.ClampLimit(q.Page.Limit)) + " OFFSET " + a.Add(offset)
	rows, err := r.q.QuerySQL(ctx, query, a.Values()...)
	var total int64
	out, err := collect(r.d, "search machine keys", rows, err, (*Dialect).scanArtifact, &total)
	if err != nil {
		return nil, 0, err
	}
	if len(out) == 0 && offset > 0 {
		if err := r.q.QueryRowSQL(ctx, "SELECT count(*) FROM artifacts WHERE "+cond, a.Values()[:nFilter]...).Scan(&total); err != nil {
			return nil, 0, r.d.Classify("count machine keys", err)
		}
	}
	return out, uint64(total), nil
}

func (r *Reader) Message(ctx context.Context, id string) (*store.Message, error) {
	m, err := r.d.scanMessage(r.q.QueryRow(ctx, StmtMessage, id))
	if err != nil {
		return nil, r.notFound("outbox message "+id, err)
	}
	return m, nil
}

func (r *Reader) CountMessages(ctx context.Context, state store.MessageState) (int64, error) {
	var n int64
	if err := r.q.QueryRow(ctx, StmtCountMessages, int64(state)).Scan(&n); err != nil {
		return 0, r.d.Classify("count outbox messages", err)
	}
	return n, nil
}
