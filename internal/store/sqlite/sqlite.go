// Package sqlite is Warden's embedded storage engine: one SQLite file in WAL mode,
// written by a single goroutine that group-commits many commands per fsync, and
// read through a pool of read-only connections.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	msqlite "modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/migration"
	"github.com/warden-id/warden/internal/store/sqlstore"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// ErrClosed is returned by Write after Close.
var ErrClosed = errors.New("sqlite: store closed")

// maxRetries bounds how often Write re-runs a function that saw ErrConflict.
const maxRetries = 10

type config struct {
	readConns   int
	maxBatch    int
	busyTimeout time.Duration
	queueLen    int
}

// Option tunes Open.
type Option func(*config)

// ReadConns sets the size of the read-only connection pool (default 2×GOMAXPROCS, at least 4).
func ReadConns(n int) Option { return func(c *config) { c.readConns = n } }

// MaxBatch caps how many Write calls share one transaction and fsync (default 256).
func MaxBatch(n int) Option { return func(c *config) { c.maxBatch = n } }

// BusyTimeout is how long a connection waits for a lock held by another process
// on the same file (default 5s).
func BusyTimeout(d time.Duration) Option { return func(c *config) { c.busyTimeout = d } }

// Store is the SQLite engine. It implements store.Store.
type Store struct {
	*reader // reads through the read-only pool

	path  string
	rdb   *sql.DB // read-only pool
	wdb   *sql.DB // exactly one connection, owned by the writer goroutine
	wconn *sql.Conn
	wst   *stmts
	rst   *stmts
	ctl   *control

	maxBatch int

	mu      sync.RWMutex // guards closed against concurrent queue sends
	closed  bool
	queue   chan *writeReq
	closing chan struct{}
	stopped chan struct{}

	cdb       *sql.DB       // the checkpointer's connection
	walFrames chan struct{} // writer → checkpointer: "committed something"
	ckptDone  chan struct{}

	reqPool sync.Pool

	nBatches, nWrites atomic.Uint64

	auth *authCache // Principal answers, dropped per user by the writer; nil if read-only

	readOnly bool // opened by OpenReadOnly: no writer, no checkpointer
}

// Path is the database file, for tools and tests that read it directly.
func (s *Store) Path() string { return s.path }

// Stats counts the writer's work since Open.
type Stats struct {
	Batches uint64 // transactions committed (one fsync each)
	Writes  uint64 // Write calls answered from those batches, refusals included
}

// Stats reports how well group commit batches: Writes/Batches is the mean batch size.
func (s *Store) Stats() Stats {
	return Stats{Batches: s.nBatches.Load(), Writes: s.nWrites.Load()}
}

var _ store.Store = (*Store)(nil)

// writeReq is one Write call waiting for the writer goroutine.
type writeReq struct {
	ctx   context.Context
	fn    func(context.Context, store.Tx) error
	state atomic.Int32 // reqPending → reqRunning (writer) or reqAbandoned (caller gave up)
	done  chan error   // buffered: the writer never blocks answering
}

const (
	reqPending int32 = iota
	reqRunning
	reqAbandoned
)

func newConfig(opts []Option) config {
	cfg := config{
		readConns:   max(4, 2*runtime.GOMAXPROCS(0)),
		maxBatch:    256,
		busyTimeout: 5 * time.Second,
		queueLen:    4096,
	}
	for _, o := range opts {
		o(&cfg)
	}
	if cfg.maxBatch < 1 {
		cfg.maxBatch = 1
	}
	if cfg.readConns < 1 {
		cfg.readConns = 1
	}
	return cfg
}

// Open opens (creating if needed) the database at path and migrates it.
func Open(ctx context.Context, path string, opts ...Option) (*Store, error) {
	cfg := newConfig(opts)
	if err := prepareFile(path); err != nil {
		return nil, err
	}

	s := &Store{
		path:     path,
		maxBatch: cfg.maxBatch,
		queue:    make(chan *writeReq, cfg.queueLen),
		closing:  make(chan struct{}),
		stopped:  make(chan struct{}),
		auth:     newAuthCache(),
	}
	s.reqPool.New = func() any { return &writeReq{done: make(chan error, 1)} }

	busy := strconv.FormatInt(cfg.busyTimeout.Milliseconds(), 10)
	// synchronous=FULL: in WAL mode NORMAL may lose the last commits on power
	// loss; an acknowledged write must survive it, and group commit pays for it.
	wdsn := dsn(path, "busy_timeout("+busy+")", "journal_mode(WAL)", "synchronous(FULL)",
		"foreign_keys(0)", "cache_size(-16000)", "temp_store(MEMORY)", "journal_size_limit(67108864)",
		// Checkpoints run on their own connection (checkpointer), not inside the
		// writer's COMMIT, so copying pages back and fsyncing the main file
		// does not stall the batches.
		"wal_autocheckpoint(0)")
	var err error
	if s.wdb, err = sql.Open("sqlite", wdsn); err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	s.wdb.SetMaxOpenConns(1)
	s.wdb.SetMaxIdleConns(1)
	s.wdb.SetConnMaxLifetime(0)
	s.wdb.SetConnMaxIdleTime(0)
	fail := func(err error) (*Store, error) {
		s.closeDBs()
		return nil, err
	}
	if s.wconn, err = s.wdb.Conn(ctx); err != nil {
		return fail(fmt.Errorf("sqlite: open %s: %w", path, err))
	}
	if err := migrate(ctx, s.wconn); err != nil {
		return fail(fmt.Errorf("sqlite: migrate %s: %w", path, err))
	}
	if s.wst, err = prepareStmts(ctx, s.wconn); err != nil {
		return fail(err)
	}
	if s.ctl, err = prepareControl(ctx, s.wconn); err != nil {
		return fail(err)
	}

	// Readers open after the writer set WAL mode (persistent in the file), so
	// they never block it; query_only makes a stray write through them fail.
	rdsn := dsn(path, "busy_timeout("+busy+")", "query_only(1)", "cache_size(-8000)", "temp_store(MEMORY)")
	if s.rdb, err = sql.Open("sqlite", rdsn); err != nil {
		return fail(fmt.Errorf("sqlite: open %s: %w", path, err))
	}
	// Idle connections are kept (default is 2) so their prepared statements stay warm.
	s.rdb.SetMaxOpenConns(cfg.readConns)
	s.rdb.SetMaxIdleConns(cfg.readConns)
	s.rdb.SetConnMaxLifetime(0)
	s.rdb.SetConnMaxIdleTime(0)
	if err := s.rdb.PingContext(ctx); err != nil {
		return fail(fmt.Errorf("sqlite: open %s: %w", path, err))
	}
	if s.rst, err = prepareStmts(ctx, s.rdb); err != nil {
		return fail(err)
	}
	r := sqlstore.NewReader(dialect, &conn{q: s.rdb, st: s.rst})
	s.reader = &r

	if s.cdb, err = sql.Open("sqlite", dsn(path, "busy_timeout("+busy+")", "synchronous(FULL)")); err != nil {
		return fail(fmt.Errorf("sqlite: open %s: %w", path, err))
	}
	s.cdb.SetMaxOpenConns(1)
	s.cdb.SetMaxIdleConns(1)
	s.cdb.SetConnMaxLifetime(0)
	s.cdb.SetConnMaxIdleTime(0)
	s.walFrames = make(chan struct{}, 1)
	s.ckptDone = make(chan struct{})

	go s.run()
	go s.checkpointer()
	return s, nil
}

// prepareFile creates the parent directory (0700) and the file (0600) before
// SQLite does, so the password hashes inside are never readable by others.
// SQLite gives its -wal and -shm files the database file's mode.
func prepareFile(path string) error {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return fmt.Errorf("sqlite: path must be a plain file name, got %q", path)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("sqlite: create directory: %w", err)
		}
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("sqlite: create %s: %w", path, err)
	}
	defer f.Close()
	fi, err := f.Stat()
	if err != nil {
		return fmt.Errorf("sqlite: stat %s: %w", path, err)
	}
	if fi.Mode().Perm()&0o077 != 0 {
		if err := f.Chmod(0o600); err != nil {
			return fmt.Errorf("sqlite: chmod %s: %w", path, err)
		}
	}
	return nil
}

func dsn(path string, pragmas ...string) string {
	v := url.Values{}
	for _, p := range pragmas {
		v.Add("_pragma", p)
	}
	u := url.URL{Scheme: "file", Opaque: (&url.URL{Path: path}).EscapedPath(), RawQuery: v.Encode()}
	return u.String()
}

// control holds the writer's transaction-control statements, prepared once.
type control struct {
	begin, commit, rollback, savepoint, release, rollbackTo *sql.Stmt
}

func prepareControl(ctx context.Context, c *sql.Conn) (*control, error) {
	var ct control
	for _, p := range []struct {
		dst **sql.Stmt
		sql string
	}{
		// IMMEDIATE takes the write lock up front: another process on the same
		// file waits in busy_timeout instead of failing halfway through a batch.
		{&ct.begin, "BEGIN IMMEDIATE"},
		{&ct.commit, "COMMIT"},
		{&ct.rollback, "ROLLBACK"},
		{&ct.savepoint, "SAVEPOINT w"},
		{&ct.release, "RELEASE w"},
		{&ct.rollbackTo, "ROLLBACK TO w"},
	} {
		st, err := c.PrepareContext(ctx, p.sql)
		if err != nil {
			return nil, fmt.Errorf("sqlite: prepare %q: %w", p.sql, err)
		}
		*p.dst = st
	}
	return &ct, nil
}

// Write queues fn for the writer goroutine and waits for the batch it joined to
// commit. See store.Store.
func (s *Store) Write(ctx context.Context, fn func(context.Context, store.Tx) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.readOnly {
		return ErrReadOnly
	}
	r := s.reqPool.Get().(*writeReq)
	r.ctx, r.fn = ctx, fn
	r.state.Store(reqPending)

	s.mu.RLock()
	if s.closed {
		s.mu.RUnlock()
		s.recycle(r)
		return ErrClosed
	}
	select {
	case s.queue <- r:
		s.mu.RUnlock()
	case <-ctx.Done():
		s.mu.RUnlock()
		s.recycle(r)
		return ctx.Err()
	}

	select {
	case err := <-r.done:
		s.recycle(r)
		return err
	case <-ctx.Done():
		if r.state.CompareAndSwap(reqPending, reqAbandoned) {
			// The writer will skip it; it still holds r, so r is not recycled.
			return ctx.Err()
		}
		// fn is running or ran: its outcome, commit included, is the answer.
		err := <-r.done
		s.recycle(r)
		return err
	}
}

func (s *Store) recycle(r *writeReq) {
	r.ctx, r.fn = nil, nil
	s.reqPool.Put(r)
}

// run is the writer goroutine: it takes whatever requests are waiting, up to
// maxBatch, and commits them in one transaction. While it commits (fsync) new
// requests queue up and form the next batch, so the batch size follows the load.
func (s *Store) run() {
	defer close(s.stopped)
	batch := make([]*writeReq, 0, s.maxBatch)
	for {
		var first *writeReq
		select {
		case first = <-s.queue:
		case <-s.closing:
			// No sender can be mid-send now (Close holds mu); finish what is queued.
			for {
				batch = batch[:0]
			drain:
				for len(batch) < s.maxBatch {
					select {
					case r := <-s.queue:
						batch = append(batch, r)
					default:
						break drain
					}
				}
				if len(batch) == 0 {
					return
				}
				s.commitBatch(batch)
			}
		}
		batch = append(batch[:0], first)
	fill:
		for len(batch) < s.maxBatch {
			select {
			case r := <-s.queue:
				batch = append(batch, r)
			default:
				break fill
			}
		}
		s.commitBatch(batch)
		clear(batch) // drop references for the GC
	}
}

// commitBatch runs every live request of batch in its own savepoint inside one
// transaction and commits once. Answers go out only after COMMIT returned, so a
// nil answer means fsynced.
func (s *Store) commitBatch(batch []*writeReq) {
	live := batch[:0:0]
	for _, r := range batch {
		if r.state.CompareAndSwap(reqPending, reqRunning) {
			live = append(live, r)
		} else {
			// Abandoned by its caller, who already returned; recycle it here.
			s.recycle(r)
		}
	}
	if len(live) == 0 {
		return
	}
	bg := context.Background() // never interrupt the shared transaction
	answerAll := func(err error) {
		for _, r := range live {
			r.done <- err
		}
	}
	if _, err := s.ctl.begin.ExecContext(bg); err != nil {
		answerAll(classify("begin", err))
		return
	}
	results := make([]error, len(live))
	var touched touches // users whose credentials or roles, orgs whose state, the batch changed
	for i, r := range live {
		res, fatal := s.runOne(r, &touched)
		if fatal != nil {
			_, _ = s.ctl.rollback.ExecContext(bg)
			answerAll(fatal)
			return
		}
		results[i] = res
	}
	if _, err := s.ctl.commit.ExecContext(bg); err != nil {
		_, _ = s.ctl.rollback.ExecContext(bg)
		// The refusals too: they may have been decided on writes now lost.
		answerAll(classify("commit", err))
		return
	}
	s.nBatches.Add(1)
	s.nWrites.Add(uint64(len(live)))
	// Before anyone hears "done": the next request must not see a cached answer.
	s.auth.invalidate(touched.users, touched.orgs)
	for i, r := range live {
		r.done <- results[i]
	}
	select {
	case s.walFrames <- struct{}{}:
	default:
	}
}

// checkpointer copies committed WAL pages back into the database file, at most
// every checkpointEvery while there are writes. PASSIVE never blocks the writer
// or readers; the WAL restarts from its beginning once a checkpoint caught up.
func (s *Store) checkpointer() {
	defer close(s.ckptDone)
	const checkpointEvery = 200 * time.Millisecond
	for {
		select {
		case <-s.walFrames:
		case <-s.stopped:
			return
		}
		if _, err := s.cdb.Exec("PRAGMA wal_checkpoint(PASSIVE)"); err != nil {
			slog.Warn("sqlite: checkpoint failed", "path", s.path, "err", err)
		}
		select {
		case <-time.After(checkpointEvery):
		case <-s.stopped:
			return
		}
	}
}

// runOne runs one request's fn inside a savepoint, retrying on ErrConflict. It
// returns fn's result, or fatal when the transaction itself is broken.
func (s *Store) runOne(r *writeReq, touched *touches) (result, fatal error) {
	bg := context.Background()
	// fn gets the caller's values but not its cancellation: a cancelled statement
	// would make SQLite roll back the whole batch, not just this request.
	ctx := context.WithoutCancel(r.ctx)
	t := &tx{w: writeConn{conn: conn{q: s.wconn, st: s.wst}, touched: touched}}
	t.Tx = sqlstore.NewTx(dialect, &t.w)
	for attempt := 1; ; attempt++ {
		if _, err := s.ctl.savepoint.ExecContext(bg); err != nil {
			return nil, classify("savepoint", err)
		}
		err := callFn(ctx, r.fn, t)
		if err == nil {
			if _, err := s.ctl.release.ExecContext(bg); err != nil {
				return nil, classify("release savepoint", err)
			}
			return nil, nil
		}
		if _, rerr := s.ctl.rollbackTo.ExecContext(bg); rerr != nil {
			return nil, classify("rollback to savepoint", rerr)
		}
		if _, rerr := s.ctl.release.ExecContext(bg); rerr != nil {
			return nil, classify("release savepoint", rerr)
		}
		if errors.Is(err, store.ErrConflict) && attempt < maxRetries {
			continue
		}
		return err, nil
	}
}

// callFn runs fn, turning a panic into an error: the writer goroutine serves
// every request and must survive one bad function.
func callFn(ctx context.Context, fn func(context.Context, store.Tx) error, t store.Tx) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("sqlite: write function panicked: %v", p)
		}
	}()
	return fn(ctx, t)
}

// Ping reports whether the database answers.
func (s *Store) Ping(ctx context.Context) error {
	select {
	case <-s.stopped:
		return ErrClosed
	default:
	}
	if err := s.rdb.PingContext(ctx); err != nil {
		return classify("ping", err)
	}
	var one int
	if err := s.rdb.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
		return classify("ping", err)
	}
	return nil
}

// Close waits for queued writes to commit, then closes the database.
func (s *Store) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	close(s.closing)
	if s.readOnly {
		close(s.stopped) // nothing else runs
	} else {
		<-s.stopped
		<-s.ckptDone
	}
	return s.closeDBs()
}

func (s *Store) closeDBs() error {
	var errs []error
	for _, st := range []*stmts{s.rst, s.wst} {
		if st != nil {
			st.close()
		}
	}
	if s.ctl != nil {
		for _, st := range []*sql.Stmt{s.ctl.begin, s.ctl.commit, s.ctl.rollback, s.ctl.savepoint, s.ctl.release, s.ctl.rollbackTo} {
			if st != nil {
				st.Close()
			}
		}
	}
	if s.rdb != nil {
		errs = append(errs, s.rdb.Close())
	}
	if s.cdb != nil {
		errs = append(errs, s.cdb.Close())
	}
	if s.wconn != nil {
		errs = append(errs, s.wconn.Close())
	}
	if s.wdb != nil {
		errs = append(errs, s.wdb.Close())
	}
	if err := errors.Join(errs...); err != nil {
		return fmt.Errorf("sqlite: close: %w", err)
	}
	return nil
}

// migrate applies the embedded migrations the file lacks, each in its own
// transaction. BEGIN IMMEDIATE makes a second process opening the same file
// wait, then see the versions the first one applied.
func migrate(ctx context.Context, c *sql.Conn) error {
	migs, err := migration.Load(migrationFS, "migrations")
	if err != nil {
		return err
	}
	known := migration.Latest(migs)

	if _, err := c.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)`); err != nil {
		return err
	}
	apply := func(m migration.Step) (err error) {
		if _, err := c.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
			return err
		}
		defer func() {
			if err != nil {
				_, _ = c.ExecContext(context.Background(), "ROLLBACK")
			}
		}()
		var cur int
		if err := c.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&cur); err != nil {
			return err
		}
		if err := migration.CheckNotNewer(cur, known); err != nil {
			return err
		}
		var done int
		if err := c.QueryRowContext(ctx, "SELECT count(*) FROM schema_migrations WHERE version = ?", m.Version).Scan(&done); err != nil {
			return err
		}
		if done > 0 {
			_, err := c.ExecContext(ctx, "COMMIT")
			return err
		}
		if _, err := c.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("%s: %w", m.Name, err)
		}
		if _, err := c.ExecContext(ctx, "INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)",
			m.Version, time.Now().UnixMicro()); err != nil {
			return err
		}
		_, err = c.ExecContext(ctx, "COMMIT")
		return err
	}
	// Check for a newer schema even when there is nothing to apply.
	var cur int
	if err := c.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&cur); err != nil {
		return err
	}
	if err := migration.CheckNotNewer(cur, known); err != nil {
		return err
	}
	for _, m := range migs {
		if m.Version <= cur {
			continue
		}
		if err := apply(m); err != nil {
			return err
		}
	}
	return nil
}

// classify wraps a driver error with the operation and maps it to a store sentinel.
func classify(op string, err error) error {
	if err == nil {
		return nil
	}
	var se *msqlite.Error
	if errors.As(err, &se) {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return fmt.Errorf("sqlite: %s: %w: %w", op, store.ErrDuplicate, err)
		}
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED, sqlite3.SQLITE_IOERR, sqlite3.SQLITE_CANTOPEN,
			sqlite3.SQLITE_FULL, sqlite3.SQLITE_READONLY:
			return fmt.Errorf("sqlite: %s: %w: %w", op, store.ErrUnavailable, err)
		}
	}
	if errors.Is(err, sql.ErrConnDone) {
		return fmt.Errorf("sqlite: %s: %w: %w", op, store.ErrUnavailable, err)
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}
