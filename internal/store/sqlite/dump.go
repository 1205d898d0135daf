package sqlite

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
)

var (
	_ store.Dumper = (*Store)(nil)
	_ store.Loader = (*Store)(nil)
)

// dumpQueries read each table in primary-key order (BINARY collation: byte
// order, as PostgreSQL's "C").
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

// Dump reads every table inside one read transaction on a read-only
// connection: in WAL mode that is one snapshot, unaffected by writes that
// commit meanwhile (from this process or another), and it blocks none of them.
func (s *Store) Dump(ctx context.Context, put func(store.Record) error) (err error) {
	c, err := s.rdb.Conn(ctx)
	if err != nil {
		return classify("dump", err)
	}
	defer c.Close()
	if _, err := c.ExecContext(ctx, "BEGIN"); err != nil {
		return classify("dump: begin", err)
	}
	defer func() {
		if _, rerr := c.ExecContext(context.WithoutCancel(ctx), "ROLLBACK"); rerr != nil {
			// Never hand a connection still inside a transaction back to the
			// pool: its snapshot would pin the WAL and go stale.
			_ = c.Raw(func(any) error { return driver.ErrBadConn })
			if err == nil {
				err = classify("dump: end", rerr)
			}
		}
	}()
	for _, q := range dumpQueries {
		if err := dumpTable(ctx, c, q.table, q.sql, put); err != nil {
			return err
		}
	}
	return nil
}

func dumpTable(ctx context.Context, c *sql.Conn, table, query string, put func(store.Record) error) error {
	rows, err := c.QueryContext(ctx, query)
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

func scanRecord(table string, rows *sql.Rows) (store.Record, error) {
	var r store.Record
	var err error
	switch table {
	case store.TableInstance:
		r.Instance, err = scanInstance(rows)
	case store.TableOrgs:
		r.Org, err = scanOrg(rows)
	case store.TableUsers:
		r.User, err = scanUser(rows)
	case store.TableMembers:
		r.Member, err = scanMember(rows)
	case store.TablePATs:
		r.PAT, err = scanPAT(rows)
	case store.TableArtifacts:
		r.Artifact, err = scanArtifact(rows)
	case store.TableEvents:
		r.Event, err = scanEvent(rows)
	default:
		err = fmt.Errorf("unknown table %q", table)
	}
	return r, err
}

func scanInstance(sc scanner) (*org.Instance, error) {
	var i org.Instance
	var seq int64
	var created sql.NullInt64
	if err := sc.Scan(&i.ID, &i.DefaultOrgID, &seq, &created); err != nil {
		return nil, err
	}
	i.Sequence, i.CreatedAt = uint64(seq), decTime(created)
	return &i, nil
}

func scanEvent(sc scanner) (*event.Event, error) {
	var e event.Event
	var seq int64
	var created sql.NullInt64
	if err := sc.Scan(&e.AggregateType, &e.AggregateID, &seq, &e.Type, &created, &e.CreatorID, &e.ResourceOwner, &e.Payload); err != nil {
		return nil, err
	}
	e.Sequence, e.CreatedAt = uint64(seq), decTime(created)
	return &e, nil
}

// Load writes the records through the writer goroutine as one Write: the
// emptiness check and every insert share one transaction and one fsync, and a
// failure anywhere leaves the store as empty as it was. The store must not be
// serving meanwhile (a load holds the writer for its whole length).
func (s *Store) Load(ctx context.Context, src func(put func(store.Record) error) error) error {
	return s.Write(ctx, func(wctx context.Context, stx store.Tx) error {
		t, ok := stx.(*tx)
		if !ok {
			return fmt.Errorf("sqlite: load: unexpected transaction type %T", stx)
		}
		if err := checkEmpty(wctx, t.q); err != nil {
			return err
		}
		// wctx, not ctx: a statement interrupted by cancellation would roll back
		// the writer's whole transaction. Cancelling ctx still stops src.
		err := src(func(r store.Record) error {
			if err := ctx.Err(); err != nil {
				return err
			}
			return loadRecord(wctx, t, r)
		})
		if err != nil {
			return err
		}
		// Given up on while the last rows went in: commit nothing.
		return ctx.Err()
	})
}

// errLoadDuplicate replaces ErrConflict, which would make Write run the whole
// load again; a duplicate in a dump is not worth re-reading the source for.
var errLoadDuplicate = errors.New("sqlite: load: duplicate row in the dump")

func loadRecord(ctx context.Context, t *tx, r store.Record) error {
	var err error
	switch {
	case r.Instance != nil:
		err = t.InsertInstance(ctx, r.Instance)
	case r.Org != nil:
		err = t.InsertOrg(ctx, r.Org)
	case r.User != nil:
		err = t.InsertUser(ctx, r.User)
	case r.Member != nil:
		err = t.PutMember(ctx, r.Member)
	case r.PAT != nil:
		err = t.InsertPAT(ctx, r.PAT)
	case r.Artifact != nil:
		err = t.PutArtifact(ctx, r.Artifact)
	case r.Event != nil:
		err = t.Append(ctx, *r.Event)
	default:
		return errors.New("sqlite: load: empty record")
	}
	if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrDuplicate) {
		return fmt.Errorf("%w: %s: %v", errLoadDuplicate, r.Table(), err)
	}
	return err
}

// checkEmpty refuses a store that holds any row.
func checkEmpty(ctx context.Context, q querier) error {
	counts := map[string]int64{}
	nonEmpty := false
	for _, t := range store.Tables {
		var n int64
		if err := q.QueryRowContext(ctx, "SELECT count(*) FROM "+t).Scan(&n); err != nil {
			return classify("load: count "+t, err)
		}
		counts[t] = n
		nonEmpty = nonEmpty || n > 0
	}
	if nonEmpty {
		return store.NotEmptyError(counts)
	}
	return nil
}
