package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
)

var (
	_ store.Dumper = (*Store)(nil)
	_ store.Loader = (*Store)(nil)
)

// dumpQueries read each table in primary-key order; text columns are COLLATE
// "C", byte order, as SQLite's BINARY.
var dumpQueries = []struct {
	table, sql string
}{
	{store.TableInstance, `SELECT id, default_org_id, sequence, created_at FROM instance`},
	{store.TableOrgs, `SELECT ` + orgCols + ` FROM orgs ORDER BY id`},
	{store.TableUsers, `SELECT ` + userCols + ` FROM users ORDER BY id`},
	{store.TableMembers, `SELECT ` + memberCols + ` FROM members ORDER BY org_id, user_id`},
	{store.TablePATs, `SELECT ` + patCols + ` FROM pats ORDER BY id`},
	{store.TableArtifacts, `SELECT ` + artifactCols + ` FROM artifacts ORDER BY kind, id`},
	{store.TableEvents, `SELECT ` + eventCols + ` FROM events ORDER BY aggregate_id, sequence`},
}

// Dump reads every table in one REPEATABLE READ, READ ONLY transaction: one
// snapshot, however long the dump takes and whatever commits meanwhile.
func (s *Store) Dump(ctx context.Context, put func(store.Record) error) (err error) {
	ptx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return classify("dump: begin", err)
	}
	defer func() {
		if rerr := ptx.Rollback(context.WithoutCancel(ctx)); rerr != nil && err == nil {
			err = classify("dump: end", rerr)
		}
	}()
	// The rows stream while the caller writes them elsewhere, so a table's
	// query may run far longer than a request's statement timeout allows.
	if _, err := ptx.Exec(ctx, "SET LOCAL statement_timeout = 0"); err != nil {
		return classify("dump: statement timeout", err)
	}
	for _, q := range dumpQueries {
		if err := dumpTable(ctx, ptx, q.table, q.sql, put); err != nil {
			return err
		}
	}
	return nil
}

func dumpTable(ctx context.Context, ptx pgx.Tx, table, query string, put func(store.Record) error) error {
	rows, err := ptx.Query(ctx, query)
	if err != nil {
		return classify("dump "+table, err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanRecord(table, rows)
		if err != nil {
			return classify("dump "+table, err)
		}
		if err := put(r); err != nil {
			return err
		}
	}
	if err := rows.Err(); err != nil {
		return classify("dump "+table, err)
	}
	return nil
}

func scanRecord(table string, row pgx.Row) (store.Record, error) {
	var r store.Record
	var err error
	switch table {
	case store.TableInstance:
		r.Instance, err = scanInstance(row)
	case store.TableOrgs:
		r.Org, err = scanOrg(row)
	case store.TableUsers:
		r.User, err = scanUser(row)
	case store.TableMembers:
		r.Member, err = scanMember(row)
	case store.TablePATs:
		r.PAT, err = scanPAT(row)
	case store.TableArtifacts:
		r.Artifact, err = scanArtifact(row)
	case store.TableEvents:
		r.Event, err = scanEvent(row)
	default:
		err = fmt.Errorf("unknown table %q", table)
	}
	return r, err
}

func scanInstance(row pgx.Row) (*org.Instance, error) {
	var i org.Instance
	var seq int64
	var created pgtype.Timestamptz
	if err := row.Scan(&i.ID, &i.DefaultOrgID, &seq, &created); err != nil {
		return nil, err
	}
	i.Sequence, i.CreatedAt = uint64(seq), decTime(created)
	return &i, nil
}

func scanEvent(row pgx.Row) (*event.Event, error) {
	var e event.Event
	var seq int64
	var created pgtype.Timestamptz
	if err := row.Scan(&e.AggregateType, &e.AggregateID, &seq, &e.Type, &created, &e.CreatorID, &e.ResourceOwner, &e.Payload); err != nil {
		return nil, err
	}
	e.Sequence, e.CreatedAt = uint64(seq), decTime(created)
	return &e, nil
}

// loadBatch is how many rows one COPY carries.
const loadBatch = 2000

// copyColumns lists the columns COPY fills per table, in the order of the
// values loadValues returns.
var copyColumns = map[string][]string{
	store.TableInstance:  {"id", "default_org_id", "sequence", "created_at"},
	store.TableOrgs:      splitCols(orgCols),
	store.TableUsers:     splitCols(userCols + `, user_name_lower, email, email_lower, first_name, last_name, nick_name, display_name`),
	store.TableMembers:   splitCols(memberCols),
	store.TablePATs:      splitCols(patCols),
	store.TableArtifacts: splitCols(artifactCols),
	store.TableEvents:    splitCols(eventCols),
}

func splitCols(cols string) []string {
	var out []string
	for _, c := range strings.Split(cols, ",") {
		out = append(out, strings.TrimSpace(c))
	}
	return out
}

// Load writes the records with COPY, loadBatch rows at a time, all inside one
// transaction that first locks every table against writers (readers go on)
// and checks that they are empty: the database ends with the whole dump or
// with nothing of it.
func (s *Store) Load(ctx context.Context, src func(put func(store.Record) error) error) (err error) {
	ptx, err := s.pool.Begin(ctx)
	if err != nil {
		return classify("load: begin", err)
	}
	defer func() {
		if err != nil {
			_ = ptx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if _, err := ptx.Exec(ctx, "SET LOCAL statement_timeout = 0"); err != nil {
		return classify("load: statement timeout", err)
	}
	if _, err := ptx.Exec(ctx, "LOCK TABLE "+strings.Join(store.Tables, ", ")+" IN EXCLUSIVE MODE"); err != nil {
		return classify("load: lock tables", err)
	}
	counts := map[string]int64{}
	nonEmpty := false
	for _, t := range store.Tables {
		var n int64
		if err := ptx.QueryRow(ctx, "SELECT count(*) FROM "+t).Scan(&n); err != nil {
			return classify("load: count "+t, err)
		}
		counts[t] = n
		nonEmpty = nonEmpty || n > 0
	}
	if nonEmpty {
		return store.NotEmptyError(counts)
	}

	l := &loader{tx: ptx}
	if err := src(func(r store.Record) error { return l.put(ctx, r) }); err != nil {
		return err
	}
	if err := l.flush(ctx); err != nil {
		return err
	}
	if err := ptx.Commit(ctx); err != nil {
		return classify("load: commit", err)
	}
	return nil
}

// loader buffers one table's rows and COPYs them in batches.
type loader struct {
	tx    pgx.Tx
	table string
	rows  [][]any
}

func (l *loader) put(ctx context.Context, r store.Record) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	t := r.Table()
	if t == "" {
		return errors.New("postgres: load: empty record")
	}
	if t != l.table || len(l.rows) >= loadBatch {
		if err := l.flush(ctx); err != nil {
			return err
		}
		l.table = t
	}
	v, err := loadValues(r)
	if err != nil {
		return err
	}
	l.rows = append(l.rows, v)
	return nil
}

func (l *loader) flush(ctx context.Context) error {
	if len(l.rows) == 0 {
		return nil
	}
	n, err := l.tx.CopyFrom(ctx, pgx.Identifier{l.table}, copyColumns[l.table], pgx.CopyFromRows(l.rows))
	if err != nil {
		return classify("load "+l.table, err)
	}
	if n != int64(len(l.rows)) {
		return fmt.Errorf("postgres: load %s: copied %d rows of %d", l.table, n, len(l.rows))
	}
	clear(l.rows)
	l.rows = l.rows[:0]
	return nil
}

// loadValues encodes a record exactly as the Tx methods do.
func loadValues(r store.Record) ([]any, error) {
	switch {
	case r.Instance != nil:
		i := r.Instance
		return []any{i.ID, i.DefaultOrgID, int64(i.Sequence), encTime(i.CreatedAt)}, nil
	case r.Org != nil:
		o := r.Org
		return []any{o.ID, o.Name, int32(o.State), int64(o.Sequence), encTime(o.CreatedAt), encTime(o.ChangedAt)}, nil
	case r.User != nil:
		return userArgs(r.User)
	case r.Member != nil:
		m := r.Member
		roles, err := json.Marshal(m.Roles)
		if err != nil {
			return nil, fmt.Errorf("postgres: member %s/%s: encode roles: %w", m.OrgID, m.UserID, err)
		}
		return []any{m.OrgID, m.UserID, string(roles), encTime(m.CreatedAt), encTime(m.ChangedAt), int64(m.Sequence)}, nil
	case r.PAT != nil:
		p := r.PAT
		return []any{p.ID, p.UserID, p.OrgID, p.Hash, encTime(p.Expiration), encTime(p.CreatedAt), int64(p.Epoch), int64(p.Sequence)}, nil
	case r.Artifact != nil:
		a := r.Artifact
		return []any{a.Kind, a.ID, a.Key, a.UserID, a.OrgID, encTime(a.CreatedAt), encTime(a.ExpiresAt), encData(a.Data)}, nil
	case r.Event != nil:
		e := r.Event
		return []any{e.AggregateType, e.AggregateID, int64(e.Sequence), e.Type, encTime(e.CreatedAt), e.CreatorID, e.ResourceOwner, e.Payload}, nil
	}
	return nil, errors.New("postgres: load: empty record")
}
