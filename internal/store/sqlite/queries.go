package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/sqlstore"
)

// dialect is SQLite's form of the shared statements: ?n placeholders, times as
// INTEGER unix microseconds, text matched without LIKE.
var dialect = &sqlstore.Dialect{
	Name:     "sqlite",
	Classify: classify,
	Time:     func(t time.Time) any { return t.UnixMicro() },
	NewTimes: func() [2]sqlstore.TimeDest {
		t := new([2]liteTime)
		return [2]sqlstore.TimeDest{&t[0], &t[1]}
	},
	TextCond: textCond,
	In:       inList,
	Statements: map[sqlstore.Stmt]string{
		sqlstore.StmtPrincipal: sqlstore.PrincipalSQL("?", `SELECT json_group_array(json_object('o', m.org_id, 'r', json(m.roles),
			'c', m.created_at, 'h', m.changed_at, 's', m.sequence) ORDER BY m.org_id)`),
		// The NOT EXISTS guard turns a key taken by another artifact into "0 rows",
		// like ON CONFLICT DO NOTHING does for the inserts, instead of a constraint
		// error. The WHERE clause also resolves SQLite's INSERT…SELECT…ON CONFLICT
		// parsing ambiguity.
		sqlstore.StmtPutArtifact: `INSERT INTO artifacts (` + sqlstore.ArtifactCols + `)
			SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8
			WHERE ?3 = '' OR NOT EXISTS (SELECT 1 FROM artifacts WHERE kind = ?1 AND key = ?3 AND key <> '' AND id <> ?2)
			ON CONFLICT (kind, id) DO UPDATE SET key = excluded.key, user_id = excluded.user_id, org_id = excluded.org_id,
			created_at = excluded.created_at, expires_at = excluded.expires_at, data = excluded.data`,
	},
}

// texts are the fixed statements in SQLite's form, indexed by sqlstore.Stmt.
var texts = dialect.Texts()

// liteTime scans a time column: unix microseconds, NULL for the zero time.
type liteTime struct{ sql.NullInt64 }

func (t *liteTime) At() time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return time.UnixMicro(t.Int64).UTC()
}

// textCond compares with instr/substr because SQLite's LIKE ignores ASCII
// case; neither interprets % or _, so user input needs no escaping. An empty
// prefix, infix or suffix matches every row.
func textCond(a *sqlstore.Args, col string, op sqlstore.TextOp, v string) string {
	n := utf8.RuneCountInString(v)
	switch {
	case op == sqlstore.TextEquals:
		return col + " = " + a.Add(v)
	case n == 0:
		return ""
	case op == sqlstore.TextStartsWith:
		return "substr(" + col + ", 1, " + a.Add(n) + ") = " + a.Add(v)
	case op == sqlstore.TextContains:
		return "instr(" + col + ", " + a.Add(v) + ") > 0"
	default: // TextEndsWith
		return "(length(" + col + ") >= " + a.Add(n) + " AND substr(" + col + ", -" + a.Add(n) + ") = " + a.Add(v) + ")"
	}
}

// inList spells "one of" as IN (?, ?, …): SQLite has no array parameters.
func inList(a *sqlstore.Args, col string, list any) string {
	var ph []string
	switch l := list.(type) {
	case []int64:
		for _, v := range l {
			ph = append(ph, a.Add(v))
		}
	case []string:
		for _, v := range l {
			ph = append(ph, a.Add(v))
		}
	default:
		panic(fmt.Sprintf("sqlite: IN list of %T", list))
	}
	return col + " IN (" + strings.Join(ph, ", ") + ")"
}

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

// stmts are the fixed statements, prepared once per pool or connection.
type stmts struct {
	byID         []*sql.Stmt // by sqlstore.Stmt
	purgeExpired *sql.Stmt
}

func prepareStmts(ctx context.Context, p preparer) (*stmts, error) {
	s := &stmts{byID: make([]*sql.Stmt, 0, sqlstore.NumStmts)}
	prepare := func(q string) (*sql.Stmt, error) {
		st, err := p.PrepareContext(ctx, q)
		if err != nil {
			s.close()
			return nil, fmt.Errorf("sqlite: prepare %q: %w", q, err)
		}
		return st, nil
	}
	for _, q := range texts {
		st, err := prepare(q)
		if err != nil {
			return nil, err
		}
		s.byID = append(s.byID, st)
	}
	var err error
	if s.purgeExpired, err = prepare(sqlPurgeExpired); err != nil {
		return nil, err
	}
	return s, nil
}

func (s *stmts) close() {
	for _, st := range append(s.byID, s.purgeExpired) {
		if st != nil {
			st.Close()
		}
	}
}

// rows adapts *sql.Rows to sqlstore.Rows (whose Close, like pgx's, returns
// nothing: an error there is the same as Err's).
type rows struct{ *sql.Rows }

func (r rows) Close() { _ = r.Rows.Close() }

func wrapRows(r *sql.Rows, err error) (sqlstore.Rows, error) {
	if err != nil {
		return nil, err
	}
	return rows{r}, nil
}

// conn is the sqlstore querier over the read pool, or over the writer's
// connection inside a write (so a function reads its own writes).
type conn struct {
	q  querier
	st *stmts
}

func (c *conn) QueryRow(ctx context.Context, s sqlstore.Stmt, args ...any) sqlstore.Row {
	return c.st.byID[s].QueryRowContext(ctx, args...)
}

func (c *conn) Query(ctx context.Context, s sqlstore.Stmt, args ...any) (sqlstore.Rows, error) {
	return wrapRows(c.st.byID[s].QueryContext(ctx, args...))
}

func (c *conn) QueryRowSQL(ctx context.Context, sql string, args ...any) sqlstore.Row {
	return c.q.QueryRowContext(ctx, sql, args...)
}

func (c *conn) QuerySQL(ctx context.Context, sql string, args ...any) (sqlstore.Rows, error) {
	return wrapRows(c.q.QueryContext(ctx, sql, args...))
}

// writeConn is the writer's connection as a write function's Execer.
type writeConn struct {
	conn
	// touched collects the users whose Principal answer a write may change
	// (kept even if the savepoint rolls back: a spare invalidation is harmless).
	touched *touches
}

// touches are the users and orgs whose Principal answers a batch may change.
type touches struct{ users, orgs []string }

func (w *writeConn) Exec(ctx context.Context, s sqlstore.Stmt, args ...any) (int64, error) {
	res, err := w.st.byID[s].ExecContext(ctx, args...)
	if err != nil {
		return 0, err
	}
	return res.RowsAffected()
}

// ExecGuarded runs at once: a statement on the single writer's connection
// costs no round trip, so there is nothing to gain by deferring it.
func (w *writeConn) ExecGuarded(ctx context.Context, s sqlstore.Stmt, args ...any) (int64, bool, error) {
	n, err := w.Exec(ctx, s, args...)
	return n, false, err
}

func (w *writeConn) Touched(userID string) {
	if w.touched != nil {
		w.touched.users = append(w.touched.users, userID)
	}
}

func (w *writeConn) TouchedOrg(orgID string) {
	if w.touched != nil {
		w.touched.orgs = append(w.touched.orgs, orgID)
	}
}

// reader implements store.Reader; the alias keeps the embedded field unexported.
type reader = sqlstore.Reader

// tx is the store.Tx a write function gets: the writer's connection, inside the
// batch transaction and the request's savepoint.
type tx struct {
	sqlstore.Tx
	w writeConn
}

var _ store.Tx = (*tx)(nil)
