package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/postgres"
	"github.com/warden-id/warden/internal/store/sqlite"
)

const storeUsage = `Usage:
  warden store copy --from DIR_OR_FILE_OR_DSN --to DSN [flags]

Copies a whole store — instance, organisations, users (password hashes, counters
and credential epochs included), memberships, personal access tokens, artifacts
and the full event history, with the same ids, sequences and times — into an
empty database, then reads source and target back and compares row counts and
SHA-256 checksums per table. Run "warden store copy --help" for the flags.
`

// storeCommand runs "warden store ...".
func storeCommand(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, storeUsage)
		return errors.New("store: missing subcommand")
	}
	switch args[0] {
	case "copy":
		return storeCopyCommand(args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, storeUsage)
		return nil
	}
	fmt.Fprint(stderr, storeUsage)
	return fmt.Errorf("store: unknown subcommand %q", args[0])
}

func storeCopyCommand(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("store copy", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: warden store copy --from SOURCE --to TARGET

SOURCE is a data directory holding warden.db, a SQLite file, or a PostgreSQL DSN
(postgres://...). TARGET is a PostgreSQL DSN (or a SQLite file or directory); its
schema is created if needed, and it must hold no rows: the copy refuses to merge
into existing data. The copy runs in one transaction on the target, so it ends
complete or not at all, and reads the source in one consistent snapshot. A
SQLite source is opened read-only, so it may keep serving while it is copied
(its schema must be this version's). Afterwards both sides are read back and their
per-table row counts and SHA-256 checksums compared; a mismatch exits non-zero.

Keys are copied sealed, as they are: start the target with the source's master
key (data-dir/masterkey of an embedded store) via --masterkey-file or
WARDEN_MASTERKEY. The copy does not contain it.

Flags:
`)
		fs.PrintDefaults()
	}
	from := fs.String("from", "", "source: data directory, SQLite file or postgres:// DSN (required)")
	to := fs.String("to", "", "target: postgres:// DSN of an empty database or schema (or a SQLite file/directory) (required)")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	logJSON := fs.Bool("log-json", false, "log JSON lines instead of text")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("store copy: unexpected argument %q", fs.Arg(0))
	}
	if *from == "" || *to == "" {
		fs.Usage()
		return errors.New("store copy: --from and --to are required")
	}
	log, err := newLogger(stderr, *logLevel, *logJSON)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	return storeCopy(ctx, *from, *to, stdout, log)
}

// storeLocation is where a store lives: a PostgreSQL DSN or a SQLite file.
type storeLocation struct {
	dsn  string // postgres
	path string // sqlite
}

func (l storeLocation) String() string {
	if l.dsn != "" {
		return "postgres " + redact(l.dsn)
	}
	return "sqlite " + l.path
}

func isPostgresDSN(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// locate interprets a --from/--to value. A directory means its warden.db. A
// source must already exist, so that a typo does not silently copy a new, empty
// store.
func locate(spec string, source bool) (storeLocation, error) {
	if isPostgresDSN(spec) {
		return storeLocation{dsn: spec}, nil
	}
	if strings.Contains(spec, "host=") || strings.Contains(spec, "dbname=") {
		return storeLocation{}, fmt.Errorf("%q: PostgreSQL locations must be postgres:// or postgresql:// URLs", spec)
	}
	path := spec
	if fi, err := os.Stat(spec); err == nil && fi.IsDir() {
		path = filepath.Join(spec, "warden.db")
	}
	if source {
		fi, err := os.Stat(path)
		if err != nil {
			return storeLocation{}, fmt.Errorf("source %s: %w", path, err)
		}
		if fi.IsDir() || fi.Size() == 0 {
			return storeLocation{}, fmt.Errorf("source %s is not a Warden database", path)
		}
	}
	return storeLocation{path: path}, nil
}

// dumpStore is what both ends of a copy need.
type dumpStore interface {
	store.Store
	store.Dumper
	store.Loader
}

// open opens the store at l. A SQLite source is opened read-only: the copy
// must never write the store it reads, which another process may be serving.
func (l storeLocation) open(ctx context.Context, source bool) (dumpStore, error) {
	octx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	switch {
	case l.dsn != "":
		return postgres.Open(octx, l.dsn)
	case source:
		return sqlite.OpenReadOnly(octx, l.path)
	}
	return sqlite.Open(octx, l.path)
}

// progressDumper logs how far a long dump got, every few seconds.
type progressDumper struct {
	store.Dumper
	log   *slog.Logger
	every time.Duration
}

func (p progressDumper) Dump(ctx context.Context, put func(store.Record) error) error {
	var n uint64
	table := ""
	last := time.Now()
	return p.Dumper.Dump(ctx, func(r store.Record) error {
		n++
		if t := r.Table(); t != table {
			table = t
			p.log.Debug("copying table", "table", t, "records_so_far", n-1)
		}
		if time.Since(last) >= p.every {
			last = time.Now()
			p.log.Info("copying", "table", table, "records", n)
		}
		return put(r)
	})
}

// storeCopy copies from into to and verifies the result. The summary goes to
// stdout; a mismatch is an error.
func storeCopy(ctx context.Context, fromSpec, toSpec string, stdout io.Writer, log *slog.Logger) error {
	from, err := locate(fromSpec, true)
	if err != nil {
		return fmt.Errorf("store copy: %w", err)
	}
	to, err := locate(toSpec, false)
	if err != nil {
		return fmt.Errorf("store copy: %w", err)
	}
	if from == to {
		return errors.New("store copy: source and target are the same store")
	}
	if to.dsn == "" {
		log.Warn("the target is a SQLite file; store copy is meant for moving to PostgreSQL", "target", to.path)
	}

	src, err := from.open(ctx, true)
	if err != nil {
		return fmt.Errorf("store copy: open source %s: %w", from, err)
	}
	defer src.Close()
	log.Info("source open", "store", from.String())
	if _, err := src.Instance(ctx); errors.Is(err, store.ErrNotFound) {
		log.Warn("the source has no instance (never started?); copying whatever it holds", "store", from.String())
	} else if err != nil {
		return fmt.Errorf("store copy: read source: %w", err)
	}

	// Open runs the target's migrations, so the schema exists before the load.
	dst, err := to.open(ctx, false)
	if err != nil {
		return fmt.Errorf("store copy: open target %s: %w", to, err)
	}
	defer dst.Close()
	log.Info("target open and migrated", "store", to.String())

	began := time.Now()
	srcSum, err := store.Copy(ctx, progressDumper{Dumper: src, log: log, every: 5 * time.Second}, dst)
	if err != nil {
		if errors.Is(err, store.ErrNotEmpty) {
			return fmt.Errorf("store copy: refusing to write into %s: %w", to, err)
		}
		return fmt.Errorf("store copy: nothing was written to the target: %w", err)
	}
	log.Info("copied and committed", "records", srcSum.Total(), "elapsed", time.Since(began).Round(time.Millisecond))
	log.Info("keys were copied sealed: start the target with the source's master key (--masterkey-file or WARDEN_MASTERKEY)")

	// The source's sums come from the snapshot that was copied (a live source
	// may have moved on since); the target's from reading it back now.
	dstSum, err := store.Summarize(ctx, dst)
	if err != nil {
		return fmt.Errorf("store copy: committed, but reading the target back failed: %w", err)
	}
	fmt.Fprintf(stdout, "copied %s\n    to %s in %s\n\n", from, to, time.Since(began).Round(time.Millisecond))
	ok := printSums(stdout, srcSum, dstSum)
	if !ok {
		fmt.Fprintln(stdout, "\nMISMATCH: the target does not hold what was read from the source")
		return errors.New("store copy: verification failed: source and target differ (see the table above)")
	}
	fmt.Fprintf(stdout, "\nverified: %d tables, %d rows, counts and checksums equal\n", len(store.Tables), dstSum.Total())
	return nil
}

// printSums writes the per-table comparison and reports whether all matched.
func printSums(w io.Writer, src, dst store.Summary) bool {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "table\tsource rows\ttarget rows\tsha256 (source)\tsha256 (target)\tcheck\t")
	ok := true
	for _, t := range store.Tables {
		s, d := src[t], dst[t]
		verdict := "ok"
		if s != d {
			verdict, ok = "MISMATCH", false
		}
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s\t%s\t%s\t\n", t, s.Rows, d.Rows, s.HashHex()[:16], d.HashHex()[:16], verdict)
	}
	tw.Flush()
	return ok
}

const backupUsage = `Usage:
  warden backup --data-dir DIR --to FILE    snapshot DIR/warden.db into FILE
  warden backup --from DIR_OR_FILE --to FILE
  warden backup --verify FILE               check a snapshot (PRAGMA integrity_check)

The snapshot is taken with SQLite's VACUUM INTO on a connection of its own, while
Warden keeps serving: it is one consistent point in time that includes every
write acknowledged before the backup started. The file is written with mode
0600, fsynced, and never overwrites an existing file. See docs/operations.md
("Backup and restore") for restoring, and pg_dump for PostgreSQL stores.

The snapshot does not contain the master key (data-dir/masterkey): keep a copy
of that file apart from the backups; without it a restored store cannot start.

Flags:
`

// backupCommand runs "warden backup".
func backupCommand(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), backupUsage)
		fs.PrintDefaults()
	}
	dataDir := fs.String("data-dir", "", "data directory of the embedded store (its warden.db is backed up) (env WARDEN_DATA_DIR)")
	from := fs.String("from", "", "data directory or SQLite file to back up (instead of --data-dir)")
	to := fs.String("to", "", "file to write the snapshot to; must not exist")
	verify := fs.String("verify", "", "check this snapshot file instead of taking one")
	logLevel := fs.String("log-level", "info", "debug, info, warn or error")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("backup: unexpected argument %q", fs.Arg(0))
	}
	log, err := newLogger(stderr, *logLevel, false)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()

	if *verify != "" {
		if *to != "" || *from != "" || *dataDir != "" {
			return errors.New("backup: --verify takes no other source or target")
		}
		return backupVerify(ctx, *verify, stdout)
	}
	if *to == "" {
		fs.Usage()
		return errors.New("backup: --to is required")
	}
	if *from != "" && *dataDir != "" {
		return errors.New("backup: give --from or --data-dir, not both")
	}
	src := *from
	if src == "" {
		src = *dataDir
	}
	if src == "" {
		src = os.Getenv("WARDEN_DATA_DIR")
	}
	if src == "" {
		fs.Usage()
		return errors.New("backup: --data-dir (or --from) is required")
	}
	if isPostgresDSN(src) {
		return errors.New("backup: this backs up the embedded store; for PostgreSQL use pg_dump (see docs/operations.md)")
	}
	loc, err := locate(src, true)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	began := time.Now()
	log.Info("backup started", "source", loc.path, "target", *to)
	size, err := sqlite.Backup(ctx, loc.path, *to)
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	log.Info("snapshot written and fsynced", "target", *to, "bytes", size, "elapsed", time.Since(began).Round(time.Millisecond))
	// A snapshot that does not open is no backup: check it before saying so.
	rep, err := sqlite.Check(ctx, *to)
	if err != nil {
		return fmt.Errorf("backup: snapshot %s written, but its check failed: %w", *to, err)
	}
	fmt.Fprintf(stdout, "backup of %s written to %s (%d bytes, %s)\n", loc.path, *to, size, time.Since(began).Round(time.Millisecond))
	printCheck(stdout, rep)
	return nil
}

func backupVerify(ctx context.Context, path string, stdout io.Writer) error {
	rep, err := sqlite.Check(ctx, path)
	if err != nil {
		return fmt.Errorf("backup --verify: %w", err)
	}
	fmt.Fprintf(stdout, "%s:\n", path)
	printCheck(stdout, rep)
	return nil
}

func printCheck(w io.Writer, rep *sqlite.CheckReport) {
	fmt.Fprintf(w, "integrity_check: ok, schema version %d\n", rep.SchemaVersion)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	for _, t := range store.Tables {
		if n, ok := rep.Rows[t]; ok {
			fmt.Fprintf(tw, "%s\t%d\t\n", t, n)
		} else {
			fmt.Fprintf(tw, "%s\t-\t\n", t) // the snapshot's schema predates the table
		}
	}
	tw.Flush()
}
