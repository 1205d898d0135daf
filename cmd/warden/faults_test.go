package main

import (
	"context"
	"fmt"
	"github.com/warden-id/warden/internal/store/testdb"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// pgBin is where Debian's PostgreSQL 15 server binaries live.
const pgBin = "/usr/lib/postgresql/15/bin"

// privatePG is a PostgreSQL cluster of the test's own, so the test can kill it.
type privatePG struct {
	dir  string // owned by the postgres OS user: data/, the socket, the log
	port int
}

// startPrivatePG initdbs and starts a throwaway cluster on a free port. It
// skips when it cannot: initdb refuses to run as root, so it needs root to
// switch to the postgres OS user.
func startPrivatePG(t *testing.T) *privatePG {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("needs root to run a private PostgreSQL as the postgres OS user")
	}
	for _, b := range []string{"initdb", "pg_ctl", "postgres"} {
		if _, err := os.Stat(filepath.Join(pgBin, b)); err != nil {
			t.Skipf("PostgreSQL binaries missing: %v", err)
		}
	}
	if _, err := exec.LookPath("runuser"); err != nil {
		t.Skip("runuser missing")
	}
	pu, err := user.Lookup("postgres")
	if err != nil {
		t.Skipf("no postgres OS user: %v", err)
	}
	uid, _ := strconv.Atoi(pu.Uid)
	gid, _ := strconv.Atoi(pu.Gid)
	// Not t.TempDir: its parents are 0700 root, which the postgres user cannot enter.
	dir, err := os.MkdirTemp("", "warden-pg-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chown(dir, uid, gid); err != nil {
		t.Fatal(err)
	}
	addr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	_, ps, _ := strings.Cut(addr, ":")
	port, _ := strconv.Atoi(ps)
	pg := &privatePG{dir: dir, port: port}
	if out, err := pg.asPostgres(60*time.Second, "initdb", "-D", pg.data(), "-A", "trust", "-U", "postgres", "--no-sync"); err != nil {
		t.Fatalf("initdb: %v\n%s", err, out)
	}
	if err := pg.start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = pg.asPostgres(30*time.Second, "pg_ctl", "-D", pg.data(), "-m", "immediate", "-w", "stop")
	})
	return pg
}

func (pg *privatePG) data() string { return filepath.Join(pg.dir, "data") }

func (pg *privatePG) dsn() string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", pg.port)
}

// asPostgres runs one of PostgreSQL's programs as the postgres OS user.
func (pg *privatePG) asPostgres(timeout time.Duration, prog string, args ...string) ([]byte, error) {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "runuser", append([]string{"-u", "postgres", "--", filepath.Join(pgBin, prog)}, args...)...)
	cmd.Dir = pg.dir
	return cmd.CombinedOutput()
}

// start starts the server and waits until it accepts connections. fsync stays
// on: the test is about acknowledged writes surviving an abrupt stop.
func (pg *privatePG) start() error {
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1", pg.port, pg.dir)
	out, err := pg.asPostgres(60*time.Second, "pg_ctl", "-D", pg.data(), "-l", filepath.Join(pg.dir, "log"), "-o", opts, "-w", "-t", "50", "start")
	if err != nil {
		log, _ := os.ReadFile(filepath.Join(pg.dir, "log"))
		return fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	return nil
}

// kill stops the server the way a crash would: no checkpoint, connections cut.
func (pg *privatePG) kill() error {
	out, err := pg.asPostgres(30*time.Second, "pg_ctl", "-D", pg.data(), "-m", "immediate", "-w", "stop")
	if err != nil {
		return fmt.Errorf("pg_ctl stop -m immediate: %v\n%s", err, out)
	}
	return nil
}

// faultCall is one request of the load, as the client saw it.
type faultCall struct {
	start time.Time
	took  time.Duration
	code  int // HTTP status; 0 on a transport error
	rpc   int // google.rpc.Status code of a non-200 body, -1 if none
	err   error
	body  string
}

// TestDatabaseOutage runs warden on a private PostgreSQL, stops the database
// abruptly in the middle of a lock/unlock load, and checks what an operator
// relies on: during the outage requests fail fast with 503/Unavailable instead
// of hanging, readiness reports it, service comes back by itself when the
// database does, and no acknowledged write is lost.
func TestDatabaseOutage(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a private PostgreSQL and a real server; skipped in -short mode")
	}
	if os.Getenv(testdb.EnvPostgres) == "" { // PostgreSQL tests are opted into
		t.Skip(testdb.EnvPostgres + " is not set; skipping")
	}
	pg := startPrivatePG(t)
	bin := crashBuildWarden(t)
	dataDir := t.TempDir()
	p, err := startNode(t, bin, dataDir, "--database", pg.dsn(), "--masterkey-file", newMasterKeyFile(t))
	if err != nil {
		t.Fatal(err)
	}
	if err := waitReady(p.base, http.StatusOK, 60*time.Second); err != nil {
		t.Fatalf("%v; log:\n%s", err, p.logs())
	}
	token := crashReadPAT(t, dataDir)
	// The client timeout is generous on purpose: the assertion is that
	// failures come far sooner than it.
	const clientTimeout = 20 * time.Second
	const failFast = 3 * time.Second
	hc := crashHTTPClient()
	hc.Timeout = clientTimeout
	defer hc.CloseIdleConnections()
	api := &crashClient{base: p.base, token: token, http: hc}

	const users = 8
	ids := make([]string, users)
	for i := range ids {
		ids[i] = createMachine(t, api, uniqueName("fault", i))
	}

	// Two workers per user, as in the crash test, so a user's changes race.
	type ack struct {
		seq uint64
		op  string
	}
	var (
		mu    sync.Mutex
		calls []faultCall
		acked = make([][]ack, users)
	)
	const maxCalls = 500_000 // bounds memory if the server answers very fast
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var wg sync.WaitGroup
	for w := range 2 * users {
		wg.Go(func() {
			u := w % users
			for n := w / users; ctx.Err() == nil; n++ {
				op := "_lock"
				if n%2 == 1 {
					op = "_unlock"
				}
				var out struct {
					Details struct {
						Sequence string `json:"sequence"`
					} `json:"details"`
				}
				c := faultCall{start: time.Now(), rpc: -1}
				code, body, err := api.do(ctx, http.MethodPost, "/management/v1/users/"+ids[u]+"/"+op, "{}", &out)
				c.took, c.code, c.err = time.Since(c.start), code, err
				if ctx.Err() != nil {
					return // cancelled by the test, not an answer
				}
				if code != http.StatusOK {
					c.rpc, c.body = rpcCode(body), shortBody(body)
				}
				mu.Lock()
				if len(calls) < maxCalls {
					calls = append(calls, c)
				}
				if code == http.StatusOK && err == nil {
					seq, perr := strconv.ParseUint(out.Details.Sequence, 10, 64)
					if perr != nil || seq == 0 {
						t.Errorf("user %s %s: HTTP 200 without details.sequence (%q)", ids[u], op, out.Details.Sequence)
					} else {
						acked[u] = append(acked[u], ack{seq, op})
					}
				}
				mu.Unlock()
				if code != http.StatusOK && code != http.StatusBadRequest {
					// Failing fast is the point; the pause only keeps the
					// workers from flooding the log during the outage.
					time.Sleep(5 * time.Millisecond)
				}
			}
		})
	}
	stopLoad := func() {
		cancel()
		wg.Wait()
	}
	defer stopLoad()
	count := func(since time.Time, want func(faultCall) bool) int {
		mu.Lock()
		defer mu.Unlock()
		n := 0
		for _, c := range calls {
			if !c.start.Before(since) && want(c) {
				n++
			}
		}
		return n
	}
	isOK := func(c faultCall) bool { return c.code == http.StatusOK }

	loadStart := time.Now()
	time.Sleep(1500 * time.Millisecond)
	if count(loadStart, isOK) == 0 {
		t.Fatalf("no write acknowledged before the outage; log:\n%s", p.logs())
	}

	// The outage.
	killAt := time.Now()
	if err := pg.kill(); err != nil {
		t.Fatal(err)
	}
	downAt := time.Now() // the postmaster is gone: every request from here on must fail
	t.Logf("PostgreSQL stopped (immediate) in %v", downAt.Sub(killAt).Round(time.Millisecond))
	if err := waitReady(p.base, http.StatusServiceUnavailable, 5*time.Second); err != nil {
		t.Errorf("during the outage: %v", err)
	}
	time.Sleep(3 * time.Second)
	upAt := time.Now()
	if err := pg.start(); err != nil {
		t.Fatal(err)
	}
	t.Logf("PostgreSQL restarted in %v", time.Since(upAt).Round(time.Millisecond))
	if err := waitReady(p.base, http.StatusOK, 30*time.Second); err != nil {
		t.Fatalf("after the database came back: %v; log:\n%s", err, p.logs())
	}
	readyAt := time.Now()
	t.Logf("warden ready again %v after the database restart began", readyAt.Sub(upAt).Round(time.Millisecond))
	// Service resumes: locks and unlocks are acknowledged again.
	for deadline := time.Now().Add(10 * time.Second); count(readyAt, isOK) < 50 && time.Now().Before(deadline); {
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(time.Second)
	stopLoad()
	if p.cmd.ProcessState != nil {
		t.Fatalf("warden exited during the outage; log:\n%s", p.logs())
	}

	// What the clients saw.
	var during, duringBad, other, slow, transport int
	var maxDuring time.Duration
	for _, c := range calls {
		if c.err != nil {
			transport++
			if transport <= 3 {
				t.Errorf("transport error (warden must stay up): %v", c.err)
			}
			continue
		}
		end := c.start.Add(c.took)
		if !c.start.Before(downAt) && end.Before(upAt) {
			// Wholly inside the outage: 503 with google.rpc.Status code 14, fast.
			during++
			maxDuring = max(maxDuring, c.took)
			if c.code != http.StatusServiceUnavailable || c.rpc != 14 {
				duringBad++
				if duringBad <= 3 {
					t.Errorf("during the outage: HTTP %d %s, want 503 with code 14 (Unavailable)", c.code, c.body)
				}
			}
			if c.took > failFast {
				slow++
			}
			continue
		}
		// Around the outage's edges a request may also fail, but only as
		// Unavailable: never a 500 or a hang.
		switch {
		case c.code == http.StatusOK, c.code == http.StatusBadRequest && c.rpc == 9:
		case c.code == http.StatusServiceUnavailable && c.rpc == 14:
			other++
		default:
			t.Errorf("HTTP %d %s at %v, want 200, 400 (code 9) or 503 (code 14)", c.code, c.body, c.start.Sub(loadStart).Round(time.Millisecond))
		}
		if c.took > failFast && c.code != http.StatusOK && c.code != http.StatusBadRequest {
			slow++
		}
	}
	okBefore := count(loadStart, func(c faultCall) bool { return isOK(c) && c.start.Add(c.took).Before(killAt) })
	okAfter := count(readyAt, isOK)
	t.Logf("%d calls: %d acknowledged before the kill, %d after recovery; %d inside the outage (slowest %v), %d failed as Unavailable around its edges",
		len(calls), okBefore, okAfter, during, maxDuring.Round(time.Millisecond), other)
	if during == 0 {
		t.Error("no request ran wholly inside the outage")
	}
	if slow > 0 {
		t.Errorf("%d failed requests took longer than %v (the client waits %v): they must fail fast", slow, failFast, clientTimeout)
	}
	if okAfter == 0 {
		t.Errorf("no write acknowledged after the database came back; log:\n%s", p.logs())
	}

	// Every acknowledged write is there: its event holds the sequence it was
	// acknowledged with, the history is gap-free, and the state agrees.
	admin := &crashClient{base: p.base, token: token, http: hc}
	// The clients gave up on their last requests, but the server finishes what
	// its writer already took: wait until those have landed, or a user read
	// and its history read could straddle a late commit.
	faultQuiesce(t, admin, ids)
	for i, id := range ids {
		var got struct {
			User struct {
				State   string `json:"state"`
				Details struct {
					Sequence string `json:"sequence"`
				} `json:"details"`
			} `json:"user"`
		}
		code, b, err := admin.do(context.Background(), http.MethodGet, "/management/v1/users/"+id, "", &got)
		if err != nil || code != http.StatusOK {
			t.Fatalf("GET user %s: HTTP %d %s: %v", id, code, b, err)
		}
		seq, err := strconv.ParseUint(got.User.Details.Sequence, 10, 64)
		if err != nil {
			t.Fatalf("user %s: bad sequence %q", id, got.User.Details.Sequence)
		}
		crashCheckHistory(t, admin, id, seq, got.User.State)
		types := faultEventTypes(t, admin, id)
		for _, a := range acked[i] {
			want := "user.locked"
			if a.op == "_unlock" {
				want = "user.unlocked"
			}
			if typ, ok := types[a.seq]; !ok || !strings.HasSuffix(typ, want) {
				t.Errorf("user %s: %s acknowledged at sequence %d, but the event there is %q", id, a.op, a.seq, typ)
			}
		}
	}
}

// faultEventTypes maps each of the user's event sequences to its type.
func faultEventTypes(t *testing.T, api *crashClient, id string) map[uint64]string {
	t.Helper()
	types := map[uint64]string{}
	for _, e := range userHistory(t, api, id) {
		types[e.seq] = e.key
	}
	return types
}

// faultQuiesce waits until no user's sequence changes between two polls.
func faultQuiesce(t *testing.T, api *crashClient, ids []string) {
	t.Helper()
	poll := func() []string {
		seqs := make([]string, len(ids))
		for i, id := range ids {
			var got struct {
				User struct {
					Details struct {
						Sequence string `json:"sequence"`
					} `json:"details"`
				} `json:"user"`
			}
			if code, b, err := api.do(context.Background(), http.MethodGet, "/management/v1/users/"+id, "", &got); err != nil || code != http.StatusOK {
				t.Fatalf("GET user %s: HTTP %d %s: %v", id, code, b, err)
			}
			seqs[i] = got.User.Details.Sequence
		}
		return seqs
	}
	prev := poll()
	for deadline := time.Now().Add(20 * time.Second); time.Now().Before(deadline); {
		time.Sleep(300 * time.Millisecond)
		cur := poll()
		if slices.Equal(cur, prev) {
			return
		}
		prev = cur
	}
	t.Fatal("writes still landing 20 s after the load stopped")
}
