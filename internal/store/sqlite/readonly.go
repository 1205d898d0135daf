package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"

	"github.com/warden-id/warden/internal/store/migration"
	"github.com/warden-id/warden/internal/store/sqlstore"
)

// ErrReadOnly answers every write to a store opened with OpenReadOnly.
var ErrReadOnly = errors.New("sqlite: store opened read-only")

// OpenReadOnly opens the existing database at path for reading only, e.g. as
// the source of a copy: every connection is opened read-only by SQLite itself
// (mode=ro, so a write fails with SQLITE_READONLY whatever is sent) and
// query_only. Nothing is created, migrated, chmod-ed or checkpointed, and
// Write, Load and PurgeExpired answer ErrReadOnly, so it may be used on a file
// another process is serving: in WAL mode its readers see committed data and
// block no writer. The file's schema must be the one this binary writes (it
// cannot migrate it); Principal reads the database every time (the cache is
// exact only for the process that writes).
func OpenReadOnly(ctx context.Context, path string, opts ...Option) (*Store, error) {
	cfg := newConfig(opts)
	if err := prepareExisting(path); err != nil {
		return nil, err
	}
	s := &Store{path: path, readOnly: true, closing: make(chan struct{}), stopped: make(chan struct{})}
	busy := strconv.FormatInt(cfg.busyTimeout.Milliseconds(), 10)
	var err error
	s.rdb, err = sql.Open("sqlite", dsn(path, "busy_timeout("+busy+")", "query_only(1)", "cache_size(-8000)", "temp_store(MEMORY)")+"&mode=ro")
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s read-only: %w", path, err)
	}
	s.rdb.SetMaxOpenConns(cfg.readConns)
	s.rdb.SetMaxIdleConns(cfg.readConns)
	s.rdb.SetConnMaxLifetime(0)
	s.rdb.SetConnMaxIdleTime(0)
	fail := func(err error) (*Store, error) {
		s.closeDBs()
		return nil, err
	}
	if err := checkSchema(ctx, s.rdb); err != nil {
		return fail(fmt.Errorf("sqlite: open %s read-only: %w", path, err))
	}
	if s.rst, err = prepareStmts(ctx, s.rdb); err != nil {
		return fail(err)
	}
	r := sqlstore.NewReader(dialect, &conn{q: s.rdb, st: s.rst})
	s.reader = &r
	return s, nil
}

// checkSchema refuses a file whose schema is not the latest this binary knows.
func checkSchema(ctx context.Context, db *sql.DB) error {
	migs, err := migration.Load(migrationFS, "migrations")
	if err != nil {
		return err
	}
	known := migration.Latest(migs)
	var cur int
	if err := db.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&cur); err != nil {
		return classify("read schema version (is this a Warden database?)", err)
	}
	if err := migration.CheckNotNewer(cur, known); err != nil {
		return err
	}
	if cur < known {
		return fmt.Errorf("database schema version %d is older than this binary's (%d), and a read-only store cannot migrate it: start this version of warden on it once", cur, known)
	}
	return nil
}
