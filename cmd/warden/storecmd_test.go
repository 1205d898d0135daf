package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"github.com/warden-id/warden/internal/store/testdb"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/event"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/postgres"
	"github.com/warden-id/warden/internal/store/sqlite"
	"github.com/warden-id/warden/internal/store/storetest"
)

// scFilledDataDir returns a data dir whose warden.db holds every kind of row,
// with the store closed (Warden stopped), and that content's summary.
func scFilledDataDir(t *testing.T) (string, store.Summary) {
	t.Helper()
	dir := t.TempDir()
	s, err := sqlite.Open(context.Background(), filepath.Join(dir, "warden.db"))
	if err != nil {
		t.Fatal(err)
	}
	storetest.Fill(t, s)
	// Some bulk, so the events cross a COPY batch.
	o := &org.Org{ID: "9000000000000001", Name: "Bulk", State: org.StateActive, Sequence: 2500, CreatedAt: store.Now()}
	if err := s.Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
		if err := tx.InsertOrg(ctx, o); err != nil {
			return err
		}
		evs := make([]event.Event, 0, o.Sequence)
		for i := range o.Sequence {
			evs = append(evs, event.Event{AggregateType: event.AggregateOrg, AggregateID: o.ID, Sequence: i + 1, Type: "org.changed",
				CreatedAt: o.CreatedAt.Add(time.Duration(i) * time.Microsecond), ResourceOwner: o.ID, Payload: []byte(`{"n":` + strconv.Itoa(int(i)) + `}`)})
		}
		return tx.Append(ctx, evs...)
	}); err != nil {
		t.Fatal(err)
	}
	sum, err := store.Summarize(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return dir, sum
}

func TestStoreCopySQLiteToPostgres(t *testing.T) {
	dsn := testdb.PostgresDSN(t)
	dir, want := scFilledDataDir(t)

	var stdout, stderr bytes.Buffer
	if err := run([]string{"store", "copy", "--from", dir, "--to", dsn}, &stdout, &stderr); err != nil {
		t.Fatalf("store copy: %v\nstdout:\n%s\nstderr:\n%s", err, &stdout, &stderr)
	}
	t.Logf("stdout:\n%s", &stdout)
	out := stdout.String()
	if !strings.Contains(out, fmt.Sprintf("verified: %d tables, %d rows", len(store.Tables), want.Total())) {
		t.Errorf("no verification line for %d rows", want.Total())
	}
	// Every table's line reports the source's count on both sides, the
	// source's checksum on both sides, and ok.
	for _, tbl := range store.Tables {
		h := want[tbl].HashHex()[:16]
		re := regexp.MustCompile(`(?m)^\s*` + tbl + `\s+` + strconv.FormatUint(want[tbl].Rows, 10) + `\s+` +
			strconv.FormatUint(want[tbl].Rows, 10) + `\s+` + h + `\s+` + h + `\s+ok\s*$`)
		if !re.MatchString(out) {
			t.Errorf("no line for table %s with %d rows and checksum %s", tbl, want[tbl].Rows, h)
		}
	}
	if u, err := url.Parse(dsn); err == nil {
		if pw, ok := u.User.Password(); ok && (strings.Contains(out, pw) || strings.Contains(stderr.String(), pw)) {
			t.Error("the DSN's password is printed")
		}
	}

	// A second copy into the now non-empty target is refused, naming what is there.
	stdout.Reset()
	err := run([]string{"store", "copy", "--from", dir, "--to", dsn}, &stdout, &stderr)
	if err == nil {
		t.Fatal("second copy into the same target succeeded")
	}
	for _, s := range []string{"refusing", "not empty", "instance: 1 rows", "users: " + strconv.FormatUint(want[store.TableUsers].Rows, 10) + " rows"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("refusal %q does not say %q", err, s)
		}
	}

	// What a warden started on the copy would read: the same users, tokens and histories.
	ctx := context.Background()
	src, err := sqlite.Open(ctx, filepath.Join(dir, "warden.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := postgres.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer dst.Close()
	got, err := store.Summarize(ctx, dst)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Equal(want) {
		t.Errorf("target summary differs from the source's")
	}
	inst, err := dst.Instance(ctx)
	if err != nil {
		t.Fatal(err)
	}
	srcUsers, err := src.ListUsers(ctx, store.UserQuery{Sort: store.SortUserName, Asc: true, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	dstUsers, err := dst.ListUsers(ctx, store.UserQuery{Sort: store.SortUserName, Asc: true, Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	if srcUsers.Total == 0 || srcUsers.Total != dstUsers.Total || len(srcUsers.Users) != len(dstUsers.Users) {
		t.Fatalf("users: source %d, target %d", srcUsers.Total, dstUsers.Total)
	}
	for i, su := range srcUsers.Users {
		du := dstUsers.Users[i]
		if su.ID != du.ID || su.UserName != du.UserName || su.State != du.State || su.StateBeforeLock != du.StateBeforeLock ||
			su.Sequence != du.Sequence || su.CredentialEpoch != du.CredentialEpoch || !su.ChangedAt.Equal(du.ChangedAt) {
			t.Errorf("user %d: source %+v, target %+v", i, su, du)
		}
		if (su.Human == nil) != (du.Human == nil) || su.Human != nil && (su.Human.PasswordHash != du.Human.PasswordHash ||
			su.Human.FailedPasswordAttempts != du.Human.FailedPasswordAttempts) {
			t.Errorf("user %s: password state differs", su.UserName)
		}
		se, err1 := src.Events(ctx, store.EventQuery{AggregateID: su.ID, Asc: true})
		de, err2 := dst.Events(ctx, store.EventQuery{AggregateID: du.ID, Asc: true})
		if err1 != nil || err2 != nil || len(se) != len(de) || len(se) == 0 && su.Sequence > 0 {
			t.Fatalf("events of %s: %d/%d (%v, %v)", su.UserName, len(se), len(de), err1, err2)
		}
		for j := range se {
			if se[j].Sequence != de[j].Sequence || se[j].Type != de[j].Type || !se[j].CreatedAt.Equal(de[j].CreatedAt) ||
				se[j].CreatedAt.UnixMicro() != de[j].CreatedAt.UnixMicro() || !bytes.Equal(se[j].Payload, de[j].Payload) {
				t.Errorf("event %s/%d: source %+v, target %+v", su.UserName, j, se[j], de[j])
			}
		}
	}
	bulk, err := dst.Events(ctx, store.EventQuery{AggregateID: "9000000000000001", Asc: true, Limit: 1000, AfterSequence: 2000})
	if err != nil || len(bulk) != 500 || bulk[0].Sequence != 2001 {
		t.Errorf("bulk events after 2000: %d (%v)", len(bulk), err)
	}
	if inst.DefaultOrgID == "" {
		t.Error("instance without default org")
	}
	storetest.CompareStores(t, src, dst)
}

func TestStoreCopyFlags(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if err := run([]string{"store", "copy", "--help"}, &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"-from", "-to", "-log-level"} {
		if !strings.Contains(stderr.String(), f) {
			t.Errorf("--help does not list %s:\n%s", f, &stderr)
		}
	}
	dir := t.TempDir()
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"store"}, "missing subcommand"},
		{[]string{"store", "move"}, "unknown subcommand"},
		{[]string{"store", "copy", "--to", "postgres://x/y"}, "--from and --to are required"},
		// A missing source is not silently created empty.
		{[]string{"store", "copy", "--from", filepath.Join(dir, "none"), "--to", "postgres://127.0.0.1:1/x"}, "no such file"},
		{[]string{"store", "copy", "--from", dir, "--to", "postgres://127.0.0.1:1/x"}, "no such file"}, // dir without warden.db
		{[]string{"store", "copy", "--from", "host=a dbname=b", "--to", "postgres://127.0.0.1:1/x"}, "postgres://"},
	} {
		stdout.Reset()
		stderr.Reset()
		err := run(tc.args, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want an error saying %q", tc.args, err, tc.want)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "warden.db")); err == nil {
		t.Error("a failed copy created a database in the source directory")
	}
}

// TestStoreCopySQLiteToSQLite: the same path works between two files, and a
// live source (open, being written) is copied as one snapshot.
func TestStoreCopySQLiteToSQLite(t *testing.T) {
	dir, _ := scFilledDataDir(t)
	ctx := context.Background()
	live, err := sqlite.Open(ctx, filepath.Join(dir, "warden.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			o := &org.Org{ID: strconv.Itoa(8_000_000 + i), Name: fmt.Sprintf("live %d", i), State: org.StateActive, Sequence: 1, CreatedAt: store.Now()}
			if err := live.Write(ctx, func(ctx context.Context, tx store.Tx) error { return tx.InsertOrg(ctx, o) }); err != nil {
				t.Error(err)
				return
			}
		}
	})
	target := filepath.Join(t.TempDir(), "copy.db")
	var stdout, stderr bytes.Buffer
	err = run([]string{"store", "copy", "--from", dir, "--to", target}, &stdout, &stderr)
	close(stop)
	wg.Wait()
	if err != nil {
		t.Fatalf("%v\n%s\n%s", err, &stdout, &stderr)
	}
	if !strings.Contains(stdout.String(), "verified:") {
		t.Errorf("no verification in:\n%s", &stdout)
	}
}

func TestBackupWhileWriting(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	s, err := sqlite.Open(ctx, filepath.Join(dir, "warden.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()

	// Writers add orgs (state and event together) and note what was acknowledged.
	var mu sync.Mutex
	var acked []string
	var n int
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				id := strconv.Itoa(1_000_000*(w+1) + i)
				o := &org.Org{ID: id, Name: "org " + id, State: org.StateActive, Sequence: 1, CreatedAt: store.Now()}
				err := s.Write(ctx, func(ctx context.Context, tx store.Tx) error {
					if err := tx.InsertOrg(ctx, o); err != nil {
						return err
					}
					return tx.Append(ctx, event.Event{AggregateType: event.AggregateOrg, AggregateID: id, Sequence: 1,
						Type: event.OrgAdded, CreatedAt: o.CreatedAt, ResourceOwner: id})
				})
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				acked = append(acked, id)
				n++
				mu.Unlock()
			}
		})
	}
	defer func() { close(stop); wg.Wait() }()
	for {
		mu.Lock()
		k := n
		mu.Unlock()
		if k >= 200 {
			break
		}
		time.Sleep(time.Millisecond)
	}
	mu.Lock()
	before := append([]string(nil), acked...)
	mu.Unlock()

	file := filepath.Join(t.TempDir(), "snap.db")
	var stdout, stderr bytes.Buffer
	if err := run([]string{"backup", "--data-dir", dir, "--to", file}, &stdout, &stderr); err != nil {
		t.Fatalf("backup: %v\n%s", err, &stderr)
	}
	t.Logf("stdout:\n%s", &stdout)
	if !strings.Contains(stdout.String(), "integrity_check: ok") {
		t.Errorf("backup output does not report the check:\n%s", &stdout)
	}
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("snapshot mode %v, want 0600", fi.Mode().Perm())
	}
	// Never overwrites, and --verify checks an existing snapshot.
	if err := run([]string{"backup", "--from", dir, "--to", file}, &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Errorf("backup over an existing file: %v", err)
	}
	stdout.Reset()
	if err := run([]string{"backup", "--verify", file}, &stdout, &stderr); err != nil || !strings.Contains(stdout.String(), "integrity_check: ok") {
		t.Errorf("backup --verify: %v\n%s", err, &stdout)
	}
	if err := run([]string{"backup", "--data-dir", "postgres://x/y", "--to", file + "2"}, &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "pg_dump") {
		t.Errorf("backup of a DSN: %v", err)
	}
	close(stop)
	wg.Wait()
	stop = make(chan struct{}) // for the deferred close

	// Restore as the docs say: the snapshot becomes a data dir's warden.db.
	restoreDir := t.TempDir()
	if err := os.Rename(file, filepath.Join(restoreDir, "warden.db")); err != nil {
		t.Fatal(err)
	}
	r, err := sqlite.Open(ctx, filepath.Join(restoreDir, "warden.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	sum, err := store.Summarize(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range before {
		if _, err := r.Org(ctx, id); err != nil {
			t.Fatalf("org %s, acknowledged before the backup began, is not in it: %v", id, err)
		}
		if evs, err := r.Events(ctx, store.EventQuery{AggregateID: id}); err != nil || len(evs) != 1 {
			t.Fatalf("org %s: %d events (%v)", id, len(evs), err)
		}
	}
	mu.Lock()
	total := n
	mu.Unlock()
	if sum[store.TableOrgs].Rows < uint64(len(before)) || sum[store.TableOrgs].Rows > uint64(total) ||
		sum[store.TableOrgs].Rows != sum[store.TableEvents].Rows {
		t.Errorf("snapshot holds %d orgs and %d events; %d were acknowledged before it, %d in all",
			sum[store.TableOrgs].Rows, sum[store.TableEvents].Rows, len(before), total)
	}
	t.Logf("%d writes acknowledged before the backup, %d in the snapshot, %d in all", len(before), sum[store.TableOrgs].Rows, total)
}

// TestStoreCopyFromServedDataDir copies the data dir of a warden process that
// serves (and is written through its API) meanwhile: the copy opens it
// read-only, takes one snapshot, verifies, and the server never notices.
func TestStoreCopyFromServedDataDir(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs a real server; skipped in -short mode")
	}
	bin := crashBuildWarden(t)
	dir := t.TempDir()
	p := crashStart(t, bin, dir)
	api := &crashClient{base: p.base, token: crashReadPAT(t, dir), http: crashHTTPClient()}
	createMachine(t, api, uniqueName("served", 0))

	for _, target := range []struct {
		name string
		to   func(t *testing.T) string
	}{
		{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "copy.db") }},
		{"postgres", func(t *testing.T) string { return testdb.PostgresDSN(t) }},
	} {
		t.Run(target.name, func(t *testing.T) {
			to := target.to(t)
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				for i := 1; ; i++ {
					select {
					case <-stop:
						return
					default:
					}
					createMachine(t, api, uniqueName("during-copy", i))
				}
			})
			var stdout, stderr bytes.Buffer
			err := run([]string{"store", "copy", "--from", dir, "--to", to}, &stdout, &stderr)
			close(stop)
			wg.Wait()
			if err != nil {
				t.Fatalf("store copy: %v\n%s\n%s", err, &stdout, &stderr)
			}
			if !strings.Contains(stdout.String(), "verified:") {
				t.Errorf("no verification in:\n%s", &stdout)
			}
		})
	}
	// The server went on writing and still does.
	createMachine(t, api, uniqueName("after-copy", 0))
	if strings.Contains(p.fullLog(), "level=ERROR") {
		t.Errorf("the server logged errors during the copies:\n%s", p.logs())
	}
}

// TestStoreCopyLeavesSourceAlone: a source the copy could read only after
// migrating it is refused, not migrated; nothing is written to it.
func TestStoreCopyLeavesSourceAlone(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "warden.db")
	db, err := sql.Open("sqlite", path) // the driver the sqlite package registers
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, applied_at INTEGER NOT NULL)",
		"CREATE TABLE instance (singleton INTEGER PRIMARY KEY, id TEXT NOT NULL, default_org_id TEXT NOT NULL, sequence INTEGER NOT NULL, created_at INTEGER)",
		"INSERT INTO schema_migrations VALUES (1, 0)",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}

	var stdout, stderr bytes.Buffer
	err = run([]string{"store", "copy", "--from", dir, "--to", filepath.Join(t.TempDir(), "copy.db")}, &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "read-only") || !strings.Contains(err.Error(), "older") {
		t.Errorf("copy of an old-schema source: %v, want a refusal that says it cannot migrate a read-only source", err)
	}
	after, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("store copy changed its source")
	}
}

// TestBackupVerifyOlderSnapshot: `backup --verify` of a snapshot from before
// the outbox (schema version 2) succeeds and shows the outbox as absent.
func TestBackupVerifyOlderSnapshot(t *testing.T) {
	dir, _ := scFilledDataDir(t)
	path := filepath.Join(dir, "warden.db")
	db, err := sql.Open("sqlite", path) // the driver the sqlite package registers
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"DROP TABLE outbox", "DELETE FROM schema_migrations WHERE version >= 3"} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	var stdout, stderr bytes.Buffer
	if err := run([]string{"backup", "--verify", path}, &stdout, &stderr); err != nil {
		t.Fatalf("backup --verify: %v\n%s", err, &stderr)
	}
	out := stdout.String()
	if !strings.Contains(out, "schema version 2") || !regexp.MustCompile(`(?m)^\s*outbox\s+-\s*$`).MatchString(out) {
		t.Errorf("output does not show schema version 2 and the outbox as absent:\n%s", out)
	}
}
