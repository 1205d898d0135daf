package postgres

import (
	"context"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/warden-id/warden/internal/store/sqlstore"
)

// coalescer is the querier of reads outside a transaction. Concurrent requests'
// reads (a PAT, its user, the user's memberships, ...) queue up and reader
// goroutines send whatever is waiting in one pipeline on one connection, so
// under load many reads share one round trip. Each statement still runs on its
// own snapshot (READ COMMITTED), taken after it was queued: a read sees every
// write acknowledged before it was asked for.
//
// A pipeline answers in order, so a slow statement delays every one behind it,
// and a reader stuck on one takes no new work. Reads therefore travel in two
// lanes, each with readers of its own: lookups (the fixed statements: a token,
// a user, an artifact by key — what every request's authentication needs) and
// lists and counts (statements built at run time, whose cost grows with the
// data). However many lists are slow, lookups neither queue behind them nor
// wait for their readers.
//
// Each caller waits only while its context lives: a cancelled one returns at
// once with its context's error, and a request whose caller left before its
// pipeline was sent is not sent at all.
type coalescer struct{ s *Store }

type readReq struct {
	ctx  context.Context // the caller's, checked before sending
	sql  string
	args []any
	res  *result
	done chan struct{} // closed once res is set
}

func (c *coalescer) do(ctx context.Context, lane chan *readReq, sql string, args []any) *result {
	if err := ctx.Err(); err != nil {
		return &result{err: err}
	}
	s := c.s
	r := &readReq{ctx: ctx, sql: sql, args: args, done: make(chan struct{})}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return &result{err: errClosed}
	}
	select {
	case lane <- r:
		s.mu.RUnlock()
	case <-ctx.Done():
		s.mu.RUnlock()
		return &result{err: ctx.Err()}
	}
	select {
	case <-r.done:
		return r.res
	case <-ctx.Done():
		return &result{err: ctx.Err()}
	}
}

// Fixed statements take the lookup lane.

func (c *coalescer) QueryRow(ctx context.Context, s sqlstore.Stmt, args ...any) sqlstore.Row {
	return bufRow{c.do(ctx, c.s.lookups, texts[s], args)}
}

func (c *coalescer) Query(ctx context.Context, s sqlstore.Stmt, args ...any) (sqlstore.Rows, error) {
	res := c.do(ctx, c.s.lookups, texts[s], args)
	return newBufRows(res), res.err
}

// Statements built at run time take the list lane.

func (c *coalescer) QueryRowSQL(ctx context.Context, sql string, args ...any) sqlstore.Row {
	return bufRow{c.do(ctx, c.s.lists, sql, args)}
}

func (c *coalescer) QuerySQL(ctx context.Context, sql string, args ...any) (sqlstore.Rows, error) {
	res := c.do(ctx, c.s.lists, sql, args)
	return newBufRows(res), res.err
}

// readLoop sends the reads queued in lane, up to maxBatch per pipeline.
func (s *Store) readLoop(lane chan *readReq) func() {
	return func() { batchLoop(lane, s.closing, s.cfg.maxBatch, s.runReads) }
}

func (s *Store) runReads(batch []*readReq) {
	answer := func(r *readReq, res *result) {
		r.res = res
		close(r.done)
	}
	// Whoever gave up meanwhile has its answer (its context's error) already.
	batch = slices.DeleteFunc(batch, func(r *readReq) bool { return r.ctx.Err() != nil })
	if len(batch) == 0 {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	defer cancel()
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		for _, r := range batch {
			answer(r, &result{err: err})
		}
		return
	}
	defer pc.Release()
	conn := pc.Conn()
	var bt pgx.Batch
	for _, r := range batch {
		bt.Queue(r.sql, r.args...)
	}
	br := conn.SendBatch(ctx, &bt)
	rest := len(batch)
	for i, r := range batch {
		res := bufferRows(br.Query())
		answer(r, res)
		if res.err != nil {
			rest = i + 1
			break
		}
	}
	_ = br.Close()
	// A failed statement voids the rest of its pipeline: run those alone.
	for _, r := range batch[rest:] {
		answer(r, bufferRows(conn.Query(ctx, r.sql, r.args...)))
	}
}
