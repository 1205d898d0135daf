package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/sqlstore"
)

var (
	_ store.Dumper = (*Store)(nil)
	_ store.Loader = (*Store)(nil)
)

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
	return dialect.Dump(ctx, func(ctx context.Context, sql string) (sqlstore.Rows, error) { return ptx.Query(ctx, sql) }, put)
}

// loadBatch is how many rows one COPY carries.
const loadBatch = 2000

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
	if err := dialect.CheckEmpty(ctx, func(ctx context.Context, sql string) sqlstore.Row { return ptx.QueryRow(ctx, sql) }); err != nil {
		return err
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
	v, err := dialect.RecordValues(r)
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
	n, err := l.tx.CopyFrom(ctx, pgx.Identifier{l.table}, sqlstore.Columns(l.table), pgx.CopyFromRows(l.rows))
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
