package sqlite

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"

	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/sqlstore"
)

var (
	_ store.Dumper = (*Store)(nil)
	_ store.Loader = (*Store)(nil)
)

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
	return dialect.Dump(ctx, func(ctx context.Context, sql string) (sqlstore.Rows, error) {
		return wrapRows(c.QueryContext(ctx, sql))
	}, put)
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
		if err := dialect.CheckEmpty(wctx, func(ctx context.Context, sql string) sqlstore.Row { return t.w.QueryRowSQL(ctx, sql) }); err != nil {
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
	case r.Message != nil:
		err = t.LoadMessage(ctx, r.Message)
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
