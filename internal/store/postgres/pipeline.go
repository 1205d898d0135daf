package postgres

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/sqlstore"
)

// batchConn is one group-commit transaction on one connection, and the querier
// the functions in it use. Only the writer goroutine that owns it touches it.
//
// Nothing is sent on its own that can travel with something else: transaction
// control (BEGIN, SAVEPOINT, RELEASE) and the guarded writes a request deferred
// wait in queue and go in the same pipeline as the next statement, which is
// often the next request's first read, or the COMMIT. A deferred write is sent
// in an asserting form that fails (instead of touching 0 rows) when refused, so
// a refusal aborts the rest of its pipeline, COMMIT included; the engine then
// rolls back to the owner's savepoint and reruns it with immediate writes.
type batchConn struct {
	conn  *pgx.Conn
	ctx   context.Context // the batch's deadline; callers' contexts are not used
	queue []queued        // waiting for the next round trip, in order
	owner int             // the request whose writes are being queued
	// deferOK: the running attempt may defer guarded writes.
	deferOK bool
	// rewind >= 0: that request's deferred writes failed, and the transaction
	// is aborted back past them; commitBatch reruns from there.
	rewind int
	fatal  error // the transaction is lost; every request in it fails
	trips  int   // round trips sent in this transaction
}

type queued struct {
	sql     string
	args    []any
	control bool // transaction control, else a guarded write of owner
	owner   int
}

// errDeferred is what statements report after an earlier deferred write
// failed; the attempt that sees it is discarded and run again.
var errDeferred = errors.New("postgres: an earlier deferred write failed")

// guard returns the asserting form of a guarded write, in which it is
// deferred: where the plain form reports a refusal as "0 rows", this one fails
// with division by zero, which aborts the pipeline it travels in.
func guard(sql string) string {
	return "WITH g AS (" + sql + " RETURNING 1) SELECT 1 / count(*) FROM g"
}

func (b *batchConn) control(sql string) { b.queue = append(b.queue, queued{sql: sql, control: true}) }

// runOne runs request i's fn inside a savepoint, retrying on conflicts, and
// returns fn's result, or fatal when the transaction itself is broken. After a
// successful deferring attempt its writes may still be queued: their fate is
// known at a later round trip, which sets b.rewind if they failed.
func (b *batchConn) runOne(r *writeReq, i int, strict bool) (result, fatal error) {
	// fn gets the caller's values but not its cancellation (see commitBatch).
	ctx := context.WithoutCancel(r.ctx)
	t := &tx{Tx: sqlstore.NewTx(dialect, b), t: b}
	for attempt := 1; ; attempt++ {
		mark, trips := len(b.queue), b.trips
		b.control("SAVEPOINT w")
		b.owner = i
		// Only a first attempt defers: a retry must meet refusals where they occur.
		b.deferOK = !strict && attempt == 1
		err := callFn(ctx, r.fn, t)
		b.deferOK = false
		if b.fatal == nil && b.conn.IsClosed() {
			b.fatal = fmt.Errorf("postgres: connection lost: %w (%w)", store.ErrUnavailable, err)
		}
		if b.fatal != nil {
			return nil, b.fatal
		}
		if b.rewind >= 0 {
			if b.rewind == i {
				strict = true // its own deferred writes failed mid-function
				b.rewind = -1
				continue
			}
			return nil, nil // an earlier request's writes failed: commitBatch reruns
		}
		switch {
		case err == nil:
			// Its deferred writes (if any) are queued; RELEASE runs after them
			// only if they all succeed.
			b.control("RELEASE SAVEPOINT w")
			return nil, nil
		case b.trips == trips:
			// Nothing reached the server since the savepoint was queued: drop it
			// and the request's deferred writes.
			b.queue = b.queue[:mark]
		default:
			// Everything queued since the last round trip is this request's.
			b.queue = b.queue[:0]
			b.control("ROLLBACK TO SAVEPOINT w")
			b.control("RELEASE SAVEPOINT w")
		}
		if retryable(err) && attempt < maxAttempts {
			continue
		}
		return err, nil
	}
}

// ExecGuarded runs a write whose only expected refusal is "0 rows": a
// sequence-guarded update or an event append. On a function's first attempt it
// is deferred and sent with whatever goes to the server next (a later read, the
// next request's first read, or the COMMIT), so it costs no round trip of its
// own; if it is then refused or fails, the function's attempt is rolled back
// and it runs again with immediate writes, meeting the refusal where it
// happens. Statements the function sends meanwhile are pipelined after the
// deferred writes, so it reads its own writes as usual.
func (b *batchConn) ExecGuarded(ctx context.Context, s sqlstore.Stmt, args ...any) (int64, bool, error) {
	if b.deferOK && asserting[s] != "" {
		b.queue = append(b.queue, queued{sql: asserting[s], args: args, owner: b.owner})
		return 0, true, nil
	}
	n, err := b.Exec(ctx, s, args...)
	return n, false, err
}

// Touched: this engine caches nothing (other nodes write too).
func (b *batchConn) Touched(string) {}

func (b *batchConn) TouchedOrg(string) {}

// commit sends COMMIT after whatever is queued. A transaction with nothing
// but control statements queued and nothing sent has nothing to commit.
func (b *batchConn) commit() error {
	if b.trips == 0 && !slices.ContainsFunc(b.queue, func(q queued) bool { return !q.control }) {
		return nil
	}
	res := b.roundTrip("COMMIT", nil)
	if res.err != nil {
		return classify("commit", res.err)
	}
	if res.tag.String() != "COMMIT" {
		// COMMIT of a failed transaction answers ROLLBACK, without an error.
		return fmt.Errorf("postgres: commit: transaction rolled back (%s)", res.tag)
	}
	return nil
}

// rollback ends a failed batch if the connection still works, so the pool can
// keep it; Release destroys it otherwise.
func (b *batchConn) rollback() {
	if b.trips == 0 || b.conn.IsClosed() {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, _ = b.conn.Exec(ctx, "ROLLBACK")
}

// roundTrip sends everything queued and then sql (if not empty) in one
// pipeline, and returns sql's result.
func (b *batchConn) roundTrip(sql string, args []any) *result {
	if b.fatal != nil {
		return &result{err: b.fatal}
	}
	if b.rewind >= 0 {
		return &result{err: errDeferred}
	}
	if b.conn.PgConn().TxStatus() == 'E' {
		// A failed transaction refuses even to prepare statements, and pgx
		// prepares a pipeline's new statements before running any of it. So the
		// leading control statements (ROLLBACK TO first) go alone, in the simple
		// protocol: an extra round trip, only after a statement failed.
		n := 0
		for n < len(b.queue) && b.queue[n].control {
			n++
		}
		if n > 0 {
			stmts := make([]string, n)
			for i, q := range b.queue[:n] {
				stmts[i] = q.sql
			}
			b.queue = b.queue[n:]
			b.trips++
			if _, err := b.conn.Exec(b.ctx, strings.Join(stmts, "; ")); err != nil {
				b.fatal = classify("transaction control", err)
				return &result{err: b.fatal}
			}
		}
	}
	var bt pgx.Batch
	for _, q := range b.queue {
		bt.Queue(q.sql, q.args...)
	}
	if sql != "" {
		bt.Queue(sql, args...)
	}
	sent := b.queue
	b.queue = b.queue[len(b.queue):] // keeps sent intact until read below
	b.trips++
	br := b.conn.SendBatch(b.ctx, &bt)
	for _, q := range sent {
		_, err := br.Exec()
		if err == nil {
			continue
		}
		_ = br.Close()
		switch {
		case b.conn.IsClosed():
			b.fatal = classify("pipeline", err)
		case q.control:
			b.fatal = classify("transaction control", err)
		default:
			// The rest of the pipeline was skipped and the transaction is
			// aborted; the owner's savepoint, queued before its writes, is the
			// newest one standing.
			b.rewind = q.owner
			b.queue = b.queue[:0]
			b.control("ROLLBACK TO SAVEPOINT w")
			b.control("RELEASE SAVEPOINT w")
			return &result{err: errDeferred}
		}
		return &result{err: b.fatal}
	}
	res := &result{}
	if sql != "" {
		res = bufferRows(br.Query())
	}
	if err := br.Close(); err != nil && res.err == nil {
		res.err = err
	}
	b.queue = make([]queued, 0, 8)
	return res
}

// The querier of a write function: every statement is a round trip on the
// batch's connection (carrying whatever is queued), whatever the caller's
// context says (see commitBatch).

func (b *batchConn) Exec(_ context.Context, s sqlstore.Stmt, args ...any) (int64, error) {
	res := b.roundTrip(texts[s], args)
	return res.tag.RowsAffected(), res.err
}

func (b *batchConn) QueryRow(_ context.Context, s sqlstore.Stmt, args ...any) sqlstore.Row {
	return bufRow{b.roundTrip(texts[s], args)}
}

func (b *batchConn) Query(_ context.Context, s sqlstore.Stmt, args ...any) (sqlstore.Rows, error) {
	return b.QuerySQL(b.ctx, texts[s], args...)
}

func (b *batchConn) QueryRowSQL(_ context.Context, sql string, args ...any) sqlstore.Row {
	return bufRow{b.roundTrip(sql, args)}
}

func (b *batchConn) QuerySQL(_ context.Context, sql string, args ...any) (sqlstore.Rows, error) {
	res := b.roundTrip(sql, args)
	return newBufRows(res), res.err
}
