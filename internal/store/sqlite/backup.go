package sqlite

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"github.com/warden-id/warden/internal/store"
)

// ErrExists: a backup would overwrite a file.
var ErrExists = errors.New("sqlite: file exists")

// Backup writes a consistent snapshot of the database at path into the new
// file dst and returns its size. It runs VACUUM INTO on a connection of its
// own, so it works while the store is open and serving, in this process or
// another: the snapshot is one read transaction, which in WAL mode neither
// blocks the writer nor sees its later commits, and it holds every commit
// acknowledged before it began. The result is written under a temporary name,
// fsynced, given mode 0600 and linked into place; an existing dst is never
// overwritten.
func Backup(ctx context.Context, path, dst string) (size int64, err error) {
	if err := prepareExisting(path); err != nil {
		return 0, err
	}
	if _, err := os.Lstat(dst); err == nil {
		return 0, fmt.Errorf("sqlite: backup to %s: %w; refusing to overwrite it", dst, ErrExists)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return 0, fmt.Errorf("sqlite: backup to %s: %w", dst, err)
	}
	var rnd [6]byte
	_, _ = rand.Read(rnd[:])
	tmp := dst + ".partial-" + hex.EncodeToString(rnd[:])
	// An empty file is what VACUUM INTO accepts besides none; creating it
	// first fixes the mode before a single byte of the snapshot is written.
	f, err := os.OpenFile(tmp, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
	if err != nil {
		return 0, fmt.Errorf("sqlite: backup: %w", err)
	}
	f.Close()
	defer func() {
		if err != nil {
			os.Remove(tmp)
		}
	}()

	db, err := sql.Open("sqlite", dsn(path, "busy_timeout(10000)")+"&mode=rw")
	if err != nil {
		return 0, fmt.Errorf("sqlite: backup: open %s: %w", path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	if _, err := db.ExecContext(ctx, "VACUUM INTO ?", tmp); err != nil {
		return 0, classify("backup: vacuum into "+tmp, err)
	}
	if err := db.Close(); err != nil {
		return 0, classify("backup: close", err)
	}

	f, err = os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		return 0, fmt.Errorf("sqlite: backup: %w", err)
	}
	fi, err := f.Stat()
	if err == nil {
		size = fi.Size()
		if fi.Mode().Perm() != 0o600 {
			err = f.Chmod(0o600)
		}
	}
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return 0, fmt.Errorf("sqlite: backup: sync %s: %w", tmp, err)
	}
	// link, unlike rename, fails when dst appeared meanwhile.
	if err := os.Link(tmp, dst); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return 0, fmt.Errorf("sqlite: backup to %s: %w; refusing to overwrite it", dst, ErrExists)
		}
		return 0, fmt.Errorf("sqlite: backup: %w", err)
	}
	if err := os.Remove(tmp); err != nil {
		return 0, fmt.Errorf("sqlite: backup: %w", err)
	}
	if err := syncDir(filepath.Dir(dst)); err != nil {
		return 0, fmt.Errorf("sqlite: backup: %w", err)
	}
	return size, nil
}

// prepareExisting checks that path is an existing file: a backup or check must
// never create an empty database where the real one was expected.
func prepareExisting(path string) error {
	if path == "" || path == ":memory:" || strings.HasPrefix(path, "file:") {
		return fmt.Errorf("sqlite: path must be a plain file name, got %q", path)
	}
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("sqlite: %w", err)
	}
	if !fi.Mode().IsRegular() {
		return fmt.Errorf("sqlite: %s is not a regular file", path)
	}
	return nil
}

func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	return d.Sync()
}

// CheckReport is what Check found.
type CheckReport struct {
	SchemaVersion int
	Rows          map[string]int64 // per store.Tables entry the snapshot's schema has
}

// tableSince names the schema version (migration) that created each table of
// store.Tables newer than the first schema, so Check of an older snapshot
// reports such a table as absent instead of failing.
var tableSince = map[string]int{store.TableOutbox: 3}

// Check opens the database file at path read-only, runs PRAGMA
// integrity_check and counts the rows of every table. A file that is not a
// Warden database, or not a sound one, is an error.
func Check(ctx context.Context, path string) (*CheckReport, error) {
	if err := prepareExisting(path); err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn(path, "busy_timeout(10000)", "query_only(1)")+"&mode=ro")
	if err != nil {
		return nil, fmt.Errorf("sqlite: check %s: %w", path, err)
	}
	defer db.Close()
	db.SetMaxOpenConns(1)
	rows, err := db.QueryContext(ctx, "PRAGMA integrity_check")
	if err != nil {
		return nil, classify("check "+path, err)
	}
	var problems []string
	for rows.Next() {
		var msg string
		if err := rows.Scan(&msg); err != nil {
			rows.Close()
			return nil, classify("check "+path, err)
		}
		if msg != "ok" {
			problems = append(problems, msg)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, classify("check "+path, err)
	}
	rows.Close()
	if len(problems) > 0 {
		return nil, fmt.Errorf("sqlite: %s fails integrity_check: %s", path, strings.Join(problems, "; "))
	}
	rep := &CheckReport{Rows: map[string]int64{}}
	if err := db.QueryRowContext(ctx, "SELECT coalesce(max(version), 0) FROM schema_migrations").Scan(&rep.SchemaVersion); err != nil {
		return nil, fmt.Errorf("sqlite: %s is not a Warden database: %w", path, classify("schema version", err))
	}
	for _, t := range store.Tables {
		if rep.SchemaVersion < tableSince[t] {
			continue
		}
		var n int64
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM "+t).Scan(&n); err != nil {
			return nil, fmt.Errorf("sqlite: %s (schema version %d): %w", path, rep.SchemaVersion, classify("count "+t, err))
		}
		rep.Rows[t] = n
	}
	return rep, nil
}
