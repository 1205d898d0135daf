// Package postgres is Warden's PostgreSQL storage engine, for several nodes
// sharing one database. Each Write is one READ COMMITTED transaction; the
// sequence guard on every state update (and the events primary key) turns a
// concurrent writer into ErrConflict, and Write then reruns the function on
// fresh state.
package postgres

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math/rand/v2"
	"net"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/warden-id/warden/internal/store"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// maxAttempts bounds how often Write runs a function that keeps conflicting.
const maxAttempts = 10

type config struct {
	maxConns         int32
	minConns         int32
	statementTimeout time.Duration
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

// Store is the PostgreSQL engine. It implements store.Store.
type Store struct {
	reader
	pool *pgxpool.Pool
}

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
		// Commands hold a connection for a few round trips; more than the CPU
		// count keeps concurrent requests from queueing for one.
		pc.MaxConns = int32(max(8, 4*runtime.GOMAXPROCS(0)))
	}
	if c.minConns > 0 {
		pc.MinConns = min(c.minConns, pc.MaxConns)
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
	return &Store{reader: reader{q: pool}, pool: pool}, nil
}

// Pool exposes the connection pool, e.g. for LISTEN/NOTIFY or metrics.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Write runs fn in a transaction and commits; see store.Store. With
// synchronous_commit on (PostgreSQL's default) a nil return means the commit
// is on disk.
func (s *Store) Write(ctx context.Context, fn func(context.Context, store.Tx) error) error {
	for attempt := 1; ; attempt++ {
		err := s.writeOnce(ctx, fn)
		if err == nil || !retryable(err) || attempt >= maxAttempts {
			return err
		}
		// A short random pause keeps the losers of a race from colliding again.
		d := time.Duration(rand.Int64N(int64(time.Millisecond) << min(attempt-1, 4)))
		select {
		case <-time.After(d):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

func (s *Store) writeOnce(ctx context.Context, fn func(context.Context, store.Tx) error) (err error) {
	if err := ctx.Err(); err != nil {
		return err
	}
	ptx, err := s.pool.Begin(ctx)
	if err != nil {
		return classify("begin", err)
	}
	defer func() {
		if err != nil {
			// Rollback also runs on panic; on a broken connection pgx closes it.
			_ = ptx.Rollback(context.WithoutCancel(ctx))
		}
	}()
	if err := fn(ctx, &tx{reader: reader{q: ptx}, t: ptx}); err != nil {
		return err
	}
	if err := ptx.Commit(ctx); err != nil {
		return classify("commit", err)
	}
	return nil
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

// Close closes the pool, waiting for connections in use to be returned.
func (s *Store) Close() error {
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
	entries, err := fs.ReadDir(migrationFS, "migrations")
	if err != nil {
		return err
	}
	type mig struct {
		version int
		name    string
	}
	var migs []mig
	for _, e := range entries {
		n, _, ok := strings.Cut(e.Name(), "_")
		v, err := strconv.Atoi(n)
		if !ok || err != nil || !strings.HasSuffix(e.Name(), ".sql") {
			return fmt.Errorf("bad migration file name %q", e.Name())
		}
		migs = append(migs, mig{v, e.Name()})
	}
	sort.Slice(migs, func(i, j int) bool { return migs[i].version < migs[j].version })
	known := 0
	if len(migs) > 0 {
		known = migs[len(migs)-1].version
	}

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
	if cur > known {
		return fmt.Errorf("database schema version %d is newer than this binary knows (%d): upgrade warden", cur, known)
	}
	for _, m := range migs {
		if m.version <= cur {
			continue
		}
		body, err := migrationFS.ReadFile("migrations/" + m.name)
		if err != nil {
			return err
		}
		err = pgx.BeginFunc(ctx, conn, func(t pgx.Tx) error {
			// No arguments: pgx sends it with the simple protocol, which runs
			// several statements.
			if _, err := t.Exec(ctx, string(body)); err != nil {
				return err
			}
			_, err := t.Exec(ctx, "INSERT INTO schema_migrations (version) VALUES ($1)", m.version)
			return err
		})
		if err != nil {
			return fmt.Errorf("%s: %w", m.name, classify("apply", err))
		}
	}
	return nil
}
