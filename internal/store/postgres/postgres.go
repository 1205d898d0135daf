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
//
// The parts, a file each: writer.go queues Writes and group-commits them
// (commitBatch); pipeline.go is one batch's transaction on one connection, with
// its deferred writes and their rewind (batchConn); coalescer.go shares
// pipelines among concurrent reads; bufrows.go holds the buffered results both
// hand to scanners. The statements and row shapes are shared with the SQLite
// engine (internal/store/sqlstore); queries.go holds this engine's dialect of
// them, artifacts.go its purge and dump.go its snapshot and COPY.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/migration"
	"github.com/warden-id/warden/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

type config struct {
	maxConns         int32
	minConns         int32
	statementTimeout time.Duration
	commits          int
	readers          int
	listReaders      int
	maxBatch         int
}

// Option tunes Open.
type Option func(*config)

// MaxConns caps the pool (default: pool_max_conns from the DSN, else max(10, 4×GOMAXPROCS)).
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

// Readers sets how many pipelines of coalesced lookups (tokens, users,
// artifacts by key: the fixed statements) run at once (default 4).
func Readers(n int) Option { return func(c *config) { c.readers = n } }

// ListReaders sets how many pipelines of coalesced lists and counts run at
// once (default 2). They hold at most that many connections, so lookups keep
// theirs however slow the lists are.
func ListReaders(n int) Option { return func(c *config) { c.listReaders = n } }

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
	lookups    chan *readReq // the coalescer's lanes (see coalescer)
	lists      chan *readReq
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
		// The writer, its committing batches and the lookup and list pipelines
		// hold one each (1 + 2 + 4 + 2 by default); the rest serve pings, dumps,
		// purges and job leases.
		pc.MaxConns = int32(max(10, 4*runtime.GOMAXPROCS(0)))
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
	if c.listReaders <= 0 {
		c.listReaders = 2
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
		lookups: make(chan *readReq, 4*c.maxBatch),
		lists:   make(chan *readReq, 4*c.maxBatch),
		closing: make(chan struct{})}
	s.reader = sqlstore.NewReader(dialect, &coalescer{s: s})
	s.committing = make(chan struct{}, c.commits)
	s.done.Go(s.writeLoop)
	for range c.readers {
		s.done.Go(s.readLoop(s.lookups))
	}
	for range c.listReaders {
		s.done.Go(s.readLoop(s.lists))
	}
	return s, nil
}

// Pool exposes the connection pool, e.g. for LISTEN/NOTIFY or metrics.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

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
