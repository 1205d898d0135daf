// Package postgres is Warden's PostgreSQL storage engine, for several nodes
// sharing one database.
//
// Writes are group-committed, as in the SQLite engine: a writer goroutine takes
// every queued Write, runs each function in its own SAVEPOINT inside one READ
// COMMITTED transaction and commits once, so one WAL flush serves the batch. The
// sequence guard on every state update (and the events primary key) turns a
// concurrent writer, on this node or another, into ErrConflict; the function
// then rolls back to its savepoint and runs again on fresh state.
//
// Round trips, not SQL, are what a small machine pays for (a context switch on
// each side per statement), so the engine sends as few as it can: transaction
// control (BEGIN, SAVEPOINT, RELEASE) travels in the same pipeline as the next
// real statement; guarded writes (UpdateUser, Append, ...) are sent together
// when the function returns; and reads outside a transaction from concurrent
// requests share pipelines too (see coalescer).
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/migration"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// maxAttempts bounds how often Write runs a function that keeps conflicting.
const maxAttempts = 10

type config struct {
	maxConns         int32
	minConns         int32
	statementTimeout time.Duration
	commits          int
	readers          int
	maxBatch         int
}

// Option tunes Open.
type Option func(*config)

// MaxConns caps the pool (default: pool_max_conns from the DSN, else max(8, 4×GOMAXPROCS)).
func MaxConns(n int32) Option { return func(c *config) { c.maxConns = n } }

// MinConns keeps that many connections open (default: pool_min_conns from the DSN, else 0).
func MinConns(n int32) Option { return func(c *config) { c.minConns = n } }

// StatementTimeout bounds every statement server-side (default 5s, unless the
// DSN sets statement_timeout); 0 keeps the default.
func StatementTimeout(d time.Duration) Option { return func(c *config) { c.statementTimeout = d } }

// Commits sets how many batches may be committing (waiting for their WAL
// flush) while the writer runs the next one (default 2). One writer runs the
// statements of one batch at a time, so batches never wait on each other's
// row locks in a cycle; a committing batch waits for nothing but the disk.
func Commits(n int) Option { return func(c *config) { c.commits = n } }

// Readers sets how many pipelines of coalesced reads run at once (default 4).
func Readers(n int) Option { return func(c *config) { c.readers = n } }

// MaxBatch caps the writes in one transaction and the reads in one pipeline
// (default 32). It stays well under 64, the subtransactions PostgreSQL tracks
// per transaction before other sessions' snapshots slow down.
func MaxBatch(n int) Option { return func(c *config) { c.maxBatch = n } }

// Store is the PostgreSQL engine. It implements store.Store.
type Store struct {
	reader
	pool *pgxpool.Pool
	cfg  config

	writes     chan *writeReq
	reads      chan *readReq
	committing chan struct{} // a slot per batch whose COMMIT is in flight
	mu         sync.RWMutex  // held (shared) while queueing, so Close knows no one still is
	closed     bool
	closing    chan struct{}
	done       sync.WaitGroup
}

// errClosed answers calls after Close.
var errClosed = errors.New("postgres: store closed")

// batchTimeout bounds one batch (all its statements and the commit) and one
// read pipeline: past it pgx closes the connection and every caller in it gets
// ErrUnavailable, instead of all of them hanging on a dead peer.
const batchTimeout = 15 * time.Second

var _ store.Store = (*Store)(nil)

// Open connects, migrates and returns the store. dsn is a libpq URL or
// key=value string; pool_max_conns, search_path and other run-time parameters
// in it are honoured.
func Open(ctx context.Context, dsn string, opts ...Option) (*Store, error) {
	var c config
	for _, o := range opts {
		o(&c)
	}
	pc, err := pgxpool.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("postgres: parse dsn: %w", err)
	}
	if c.maxConns > 0 {
		pc.MaxConns = c.maxConns
	} else if !strings.Contains(dsn, "pool_max_conns") {
		// The writer, its committing batches and the read pipelines hold one
		// each (1 + 2 + 4 by default); the rest serve pings, dumps and purges.
		pc.MaxConns = int32(max(8, 4*runtime.GOMAXPROCS(0)))
	}
	if c.minConns > 0 {
		pc.MinConns = min(c.minConns, pc.MaxConns)
	}
	if c.commits <= 0 {
		c.commits = 2
	}
	if c.readers <= 0 {
		c.readers = 4
	}
	if c.maxBatch <= 0 {
		c.maxBatch = 32
	}
	c.maxBatch = min(c.maxBatch, 60)
	if pc.ConnConfig.ConnectTimeout == 0 {
		// Without connect_timeout a database host that drops packets makes
		// every request wait for TCP to give up (minutes); fail within seconds.
		pc.ConnConfig.ConnectTimeout = 5 * time.Second
	}
	rp := pc.ConnConfig.RuntimeParams
	if c.statementTimeout > 0 {
		rp["statement_timeout"] = strconv.FormatInt(c.statementTimeout.Milliseconds(), 10)
	} else if _, ok := rp["statement_timeout"]; !ok {
		// A stuck statement must not hold a connection (and row locks) forever.
		rp["statement_timeout"] = "5000"
	}
	if _, ok := rp["application_name"]; !ok {
		rp["application_name"] = "warden"
	}

	pool, err := pgxpool.NewWithConfig(ctx, pc)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", classify("connect", err))
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: open: %w", classify("ping", err))
	}
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: migrate: %w", err)
	}
	s := &Store{pool: pool, cfg: c,
		writes:  make(chan *writeReq, 4*c.maxBatch),
		reads:   make(chan *readReq, 4*c.maxBatch),
		closing: make(chan struct{})}
	s.reader = reader{q: &coalescer{s: s}}
	s.committing = make(chan struct{}, c.commits)
	s.done.Go(s.writeLoop)
	for range c.readers {
		s.done.Go(s.readLoop)
	}
	return s, nil
}

// Pool exposes the connection pool, e.g. for LISTEN/NOTIFY or metrics.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Write queues fn for a writer goroutine and waits for the batch it joined to
// commit; see store.Store. With synchronous_commit on (PostgreSQL's default) a
// nil return means the commit is on disk.
func (s *Store) Write(ctx context.Context, fn func(context.Context, store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	r := &writeReq{ctx: ctx, fn: fn, done: make(chan error, 1)}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return errClosed
	}
	select {
	case s.writes <- r:
		s.mu.RUnlock()
	case <-ctx.Done():
		s.mu.RUnlock()
		return ctx.Err()
	}
	select {
	case err := <-r.done:
		return err
	case <-ctx.Done():
		if r.state.CompareAndSwap(reqPending, reqAbandoned) {
			return ctx.Err() // the writer will skip it
		}
		// fn is running or ran: its outcome, commit included, is the answer.
		return <-r.done
	}
}

// Request states: a caller may abandon its request only before a writer took it.
const (
	reqPending int32 = iota
	reqRunning
	reqAbandoned
)

type writeReq struct {
	ctx   context.Context
	fn    func(context.Context, store.Tx) error
	state atomic.Int32
	done  chan error // buffered: the writer never waits for the caller
}

// writeLoop takes whatever requests are waiting, up to maxBatch, and commits
// them in one transaction. While it commits, new requests queue up and form the
// next batch, so the batch size follows the load.
func (s *Store) writeLoop() { batchLoop(s.writes, s.closing, s.cfg.maxBatch, s.commitBatch) }

// batchLoop hands run whatever waits in in, up to max at a time, until closing;
// then it finishes what is still queued one by one. Close holds mu while it
// closes, so no sender is mid-send by then.
func batchLoop[T any](in <-chan T, closing <-chan struct{}, max int, run func([]T)) {
	batch := make([]T, 0, max)
	for {
		var first T
		select {
		case first = <-in:
		case <-closing:
			for {
				select {
				case r := <-in:
					run([]T{r})
				default:
					return
				}
			}
		}
		batch = append(batch[:0], first)
	fill:
		for len(batch) < max {
			select {
			case r := <-in:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		run(batch)
		clear(batch) // drop references for the GC
	}
}

// commitBatch runs every live request of batch in its own savepoint inside one
// transaction, then hands the COMMIT to a goroutine of its own, so the writer
// can run the next batch while this one's WAL flush is under way. Answers go
// out only after COMMIT returned, so a nil answer means durable.
func (s *Store) commitBatch(batch []*writeReq) {
	live := make([]*writeReq, 0, len(batch))
	for _, r := range batch {
		if r.state.CompareAndSwap(reqPending, reqRunning) {
			live = append(live, r)
		}
	}
	if len(live) == 0 {
		return
	}
	answerAll := func(err error) {
		for _, r := range live {
			r.done <- err
		}
	}
	// The batch's statements ignore the callers' cancellation: a cancelled
	// statement would abort the transaction the others share.
	ctx, cancel := context.WithTimeout(context.Background(), batchTimeout)
	pc, err := s.pool.Acquire(ctx)
	if err != nil {
		cancel()
		answerAll(classify("acquire", err))
		return
	}
	b := &batchConn{conn: pc.Conn(), ctx: ctx, rewind: -1}
	fail := func(err error) {
		b.rollback()
		// Release destroys the connection if it is broken or still in a transaction.
		pc.Release()
		cancel()
		// The refusals too: they may have been decided on writes now lost.
		answerAll(err)
	}
	b.control("BEGIN")
	results := make([]error, len(live))
	strict := make([]bool, len(live))
	// Each rewind makes one more request strict, and strict requests defer
	// nothing, so this loop ends after at most len(live) rewinds.
	for i := 0; i <= len(live); {
		var err error
		if i < len(live) {
			results[i], err = b.runOne(live[i], i, strict[i])
		} else if slices.ContainsFunc(b.queue, func(q queued) bool { return !q.control }) {
			// The last deferred writes go now, not with the COMMIT: a refusal
			// must be known before the batch leaves the writer.
			b.roundTrip("", nil)
			err = b.fatal
		}
		if err != nil {
			fail(err)
			return
		}
		if b.rewind >= 0 {
			// The deferred writes of request b.rewind were refused: run it again,
			// strictly, and every request after it, whose reads may have seen them.
			i, b.rewind = b.rewind, -1
			strict[i] = true
			continue
		}
		i++
	}
	// Wait for a commit slot: bounds the connections and batches in flight.
	s.committing <- struct{}{}
	s.done.Go(func() {
		defer func() { <-s.committing }()
		if err := b.commit(); err != nil {
			fail(err)
			return
		}
		pc.Release()
		cancel()
		for i, r := range live {
			r.done <- results[i]
		}
	})
}

func retryable(err error) bool {
	if errors.Is(err, store.ErrConflict) {
		return true
	}
	var pe *pgconn.PgError
	return errors.As(err, &pe) && (pe.Code == "40001" || pe.Code == "40P01")
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.pool.Ping(ctx); err != nil {
		return classify("ping", err)
	}
	return nil
}

// Close finishes the queued writes and reads, then closes the pool.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	close(s.closing)
	s.done.Wait()
	s.pool.Close()
	return nil
}

// classify wraps an error with the operation and maps it to a store sentinel.
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "23505":
			return fmt.Errorf("postgres: %s: %w: %w", op, store.ErrDuplicate, err)
		case strings.HasPrefix(pe.Code, "08"), // connection exception
			pe.Code == "53300",                                         // too many connections
			pe.Code == "57P01", pe.Code == "57P02", pe.Code == "57P03": // shutting down, starting up
			return fmt.Errorf("postgres: %s: %w: %w", op, store.ErrUnavailable, err)
		}
		return fmt.Errorf("postgres: %s: %w", op, err)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("postgres: %s: %w", op, err)
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	if errors.As(err, &ce) || errors.As(err, &ne) || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, pgx.ErrTxClosed) || pgconn.SafeToRetry(err) {
		return fmt.Errorf("postgres: %s: %w: %w", op, store.ErrUnavailable, err)
	}
	return fmt.Errorf("postgres: %s: %w", op, err)
}

// migrate applies the embedded migrations the database lacks, each in its own
// transaction, under an advisory lock so that nodes starting together take
// turns instead of racing on CREATE TABLE.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	migs, err := migration.Load(migrationFS, "migrations")
	if err != nil {
		return err
	}
	known := migration.Latest(migs)

	conn, err := pool.Acquire(ctx)
	if err != nil {
		return classify("acquire", err)
	}
	defer conn.Release()
	// One lock per schema, so databases shared by several schemas (tests, tenants)
	// do not serialise each other. A session lock dies with its connection.
	const key = `hashtext('warden.migrate.' || coalesce(current_schema(), ''))`
	if _, err := conn.Exec(ctx, "SELECT pg_advisory_lock("+key+")"); err != nil {
		return classify("advisory lock", err)
	}
	defer func() {
		_, _ = conn.Exec(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock("+key+")")
	}()

	if _, err := conn.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`); err != nil {
		return classify("create schema_migrations", err)
	}
	var cur int
	if err := conn.QueryRow(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&cur); err != nil {
		return classify("read schema version", err)
	}
	if err := migration.CheckNotNewer(cur, known); err != nil {
		return err
	}
	for _, m := range migs {
		if m.Version <= cur {
			continue
		}
		err = pgx.BeginFunc(ctx, conn, func(t pgx.Tx) error {
			// No arguments: pgx sends it with the simple protocol, which runs
			// several statements.
			if _, err := t.Exec(ctx, m.SQL); err != nil {
				return err
			}
			_, err := t.Exec(ctx, "INSERT INTO schema_migrations (version) VALUES ($1)", m.Version)
			return err
		})
		if err != nil {
			return fmt.Errorf("%s: %w", m.Name, classify("apply", err))
		}
	}
	return nil
}

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

// guardedSQL is a guarded write in its two forms: plain reports a refusal as
// "0 rows"; asserting (for deferral) fails with division by zero instead, which
// aborts the pipeline it travels in.
type guardedSQL struct{ plain, asserting string }

func guard(sql string) guardedSQL {
	return guardedSQL{plain: sql, asserting: "WITH g AS (" + sql + " RETURNING 1) SELECT 1 / count(*) FROM g"}
}

func (b *batchConn) control(sql string) { b.queue = append(b.queue, queued{sql: sql, control: true}) }

// runOne runs request i's fn inside a savepoint, retrying on conflicts, and
// returns fn's result, or fatal when the transaction itself is broken. After a
// successful deferring attempt its writes may still be queued: their fate is
// known at a later round trip, which sets b.rewind if they failed.
func (b *batchConn) runOne(r *writeReq, i int, strict bool) (result, fatal error) {
	// fn gets the caller's values but not its cancellation (see commitBatch).
	ctx := context.WithoutCancel(r.ctx)
	t := &tx{reader: reader{q: b}, t: b}
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

// guardedExec runs or defers a guarded write; see tx.guardedExec.
func (b *batchConn) guardedExec(g guardedSQL, op string, sentinel error, args []any) error {
	if b.deferOK {
		b.queue = append(b.queue, queued{sql: g.asserting, args: args, owner: b.owner})
		return nil
	}
	tag, err := b.Exec(b.ctx, g.plain, args...)
	return affected(tag, err, op, sentinel)
}

// callFn runs fn, turning a panic into an error: the writer goroutine serves
// every request and must survive one bad function.
func callFn(ctx context.Context, fn func(context.Context, store.Tx) error, t store.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("postgres: write function panicked: %v", p)
		}
	}()
	return fn(ctx, t)
}

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

func (b *batchConn) Exec(_ context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	res := b.roundTrip(sql, args)
	return res.tag, res.err
}

func (b *batchConn) Query(_ context.Context, sql string, args ...any) (pgx.Rows, error) {
	res := b.roundTrip(sql, args)
	return newBufRows(res), res.err
}

func (b *batchConn) QueryRow(_ context.Context, sql string, args ...any) pgx.Row {
	return bufRow{b.roundTrip(sql, args)}
}

// coalescer is the querier of reads outside a transaction. Concurrent requests'
// reads (a PAT, its user, the user's memberships, ...) queue up and reader
// goroutines send whatever is waiting in one pipeline on one connection, so
// under load many reads share one round trip. Each statement still runs on its
// own snapshot (READ COMMITTED), taken after it was queued: a read sees every
// write acknowledged before it was asked for.
type coalescer struct{ s *Store }

type readReq struct {
	sql  string
	args []any
	res  *result
	done chan struct{} // closed once res is set
}

func (c *coalescer) do(ctx context.Context, sql string, args []any) *result {
	if err := ctx.Err(); err != nil {
		return &result{err: err}
	}
	s := c.s
	r := &readReq{sql: sql, args: args, done: make(chan struct{})}
	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		return &result{err: errClosed}
	}
	select {
	case s.reads <- r:
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

func (c *coalescer) Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error) {
	return c.s.pool.Exec(ctx, sql, args...)
}

func (c *coalescer) Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error) {
	res := c.do(ctx, sql, args)
	return newBufRows(res), res.err
}

func (c *coalescer) QueryRow(ctx context.Context, sql string, args ...any) pgx.Row {
	return bufRow{c.do(ctx, sql, args)}
}

// readLoop sends the queued reads, up to maxBatch per pipeline.
func (s *Store) readLoop() { batchLoop(s.reads, s.closing, s.cfg.maxBatch, s.runReads) }

func (s *Store) runReads(batch []*readReq) {
	answer := func(r *readReq, res *result) {
		r.res = res
		close(r.done)
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

// result is one statement's complete answer, copied off the connection so the
// connection can serve the next statement while the caller scans.
type result struct {
	fields []pgconn.FieldDescription
	rows   [][][]byte
	tag    pgconn.CommandTag
	err    error
}

func bufferRows(rows pgx.Rows, err error) *result {
	if err != nil {
		if rows != nil {
			rows.Close()
		}
		return &result{err: err}
	}
	res := &result{}
	for rows.Next() {
		if res.fields == nil {
			res.fields = slices.Clone(rows.FieldDescriptions())
		}
		raw := rows.RawValues()
		n := 0
		for _, v := range raw {
			n += len(v)
		}
		// One allocation for the row's bytes; NULL stays nil, '' stays non-nil.
		slab := make([]byte, 0, n)
		row := make([][]byte, len(raw))
		for i, v := range raw {
			if v != nil {
				start := len(slab)
				slab = append(slab, v...)
				row[i] = slab[start:len(slab):len(slab)]
			}
		}
		res.rows = append(res.rows, row)
	}
	rows.Close()
	res.tag, res.err = rows.CommandTag(), rows.Err()
	return res
}

// typeMaps lend scanners a pgtype.Map, which is not safe for concurrent use
// and costly to build per row.
var typeMaps = sync.Pool{New: func() any { return pgtype.NewMap() }}

// bufRow is pgx.Row over a buffered result.
type bufRow struct{ res *result }

func (r bufRow) Scan(dest ...any) error {
	if r.res.err != nil {
		return r.res.err
	}
	if len(r.res.rows) == 0 {
		return pgx.ErrNoRows
	}
	m := typeMaps.Get().(*pgtype.Map)
	defer typeMaps.Put(m)
	return pgx.ScanRow(m, r.res.fields, r.res.rows[0], dest...)
}

// bufRows is pgx.Rows over a buffered result.
type bufRows struct {
	res *result
	i   int
	m   *pgtype.Map
	err error
}

func newBufRows(res *result) *bufRows {
	return &bufRows{res: res, i: -1, m: typeMaps.Get().(*pgtype.Map)}
}

func (r *bufRows) Close() {
	if r.m != nil {
		typeMaps.Put(r.m)
		r.m = nil
	}
}

func (r *bufRows) Err() error {
	if r.res.err != nil {
		return r.res.err
	}
	return r.err
}

func (r *bufRows) CommandTag() pgconn.CommandTag                { return r.res.tag }
func (r *bufRows) FieldDescriptions() []pgconn.FieldDescription { return r.res.fields }
func (r *bufRows) Conn() *pgx.Conn                              { return nil }
func (r *bufRows) TypeMap() *pgtype.Map                         { return r.m }

func (r *bufRows) Next() bool {
	if r.Err() != nil || r.m == nil || r.i+1 >= len(r.res.rows) {
		r.Close()
		return false
	}
	r.i++
	return true
}

func (r *bufRows) RawValues() [][]byte { return r.res.rows[r.i] }

func (r *bufRows) Scan(dest ...any) error {
	if r.m == nil {
		return errors.New("postgres: scan on closed rows")
	}
	err := pgx.ScanRow(r.m, r.res.fields, r.res.rows[r.i], dest...)
	if err != nil {
		r.err = err
		r.Close()
	}
	return err
}

func (r *bufRows) Values() ([]any, error) {
	if r.m == nil {
		return nil, errors.New("postgres: values of closed rows")
	}
	vals := make([]any, len(r.res.fields))
	for i, fd := range r.res.fields {
		raw := r.res.rows[r.i][i]
		if raw == nil {
			continue
		}
		t, ok := r.m.TypeForOID(fd.DataTypeOID)
		if !ok {
			vals[i] = string(raw)
			continue
		}
		v, err := t.Codec.DecodeValue(r.m, fd.DataTypeOID, fd.Format, raw)
		if err != nil {
			return nil, err
		}
		vals[i] = v
	}
	return vals, nil
}
