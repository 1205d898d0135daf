package main

// Helpers shared by the tests that run the real binary against PostgreSQL
// (cluster_test.go, faults_test.go). They build on crash_test.go's crashProc,
// crashClient and crashBuildWarden; unlike crashStart they take extra flags and
// report errors instead of calling t.Fatal, so several nodes can be started
// and awaited from goroutines at once.

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// testPostgres returns WARDEN_TEST_POSTGRES or skips the test.
func testPostgres(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("WARDEN_TEST_POSTGRES")
	if dsn == "" {
		t.Skip("WARDEN_TEST_POSTGRES is not set (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable); skipping")
	}
	return dsn
}

// pgFreshSchema creates an empty schema in the database dsn names, dropped
// when the test ends, and returns a DSN whose search_path points at it: the
// postgres engine then keeps every table of this test apart from the others.
func pgFreshSchema(t testing.TB, dsn string) string {
	t.Helper()
	var b [6]byte
	_, _ = rand.Read(b[:])
	schema := "t_" + hex.EncodeToString(b[:])
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		t.Fatalf("connect %s: %v", dsn, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	// Registered before any node starts, so it runs after their cleanups
	// (LIFO): no node still holds connections into the schema.
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
	})
	u, err := url.Parse(dsn)
	if err != nil || u.Scheme == "" {
		t.Fatalf("WARDEN_TEST_POSTGRES must be a postgres:// URL here: %q", dsn)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// freeAddr returns a loopback address nothing listens on right now.
func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer l.Close()
	return l.Addr().String(), nil
}

// startNode starts `warden start` on dataDir and a free port with extra flags
// and returns without waiting for it; the process is killed when the test ends.
// Safe to call from any goroutine.
func startNode(t testing.TB, bin, dataDir string, extra ...string) (*crashProc, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, fmt.Errorf("free port: %w", err)
	}
	p := &crashProc{base: "http://" + addr}
	args := append([]string{"start", "--data-dir", dataDir, "--addr", addr}, extra...)
	p.cmd = exec.Command(bin, args...)
	p.cmd.Stdout, p.cmd.Stderr = p, p
	if err := p.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start warden: %w", err)
	}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
	})
	return p, nil
}

// waitReady polls GET /debug/ready until it answers want or timeout passes.
func waitReady(base string, want int, timeout time.Duration) error {
	c := &http.Client{Timeout: 2 * time.Second}
	last := "no answer"
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		resp, err := c.Get(base + "/debug/ready")
		if err != nil {
			last = err.Error()
			continue
		}
		resp.Body.Close()
		if resp.StatusCode == want {
			return nil
		}
		last = resp.Status
	}
	return fmt.Errorf("%s/debug/ready did not answer %d within %v (last: %s)", base, want, timeout, last)
}

// fullLog is the whole captured output (crashProc.logs keeps only the tail).
func (p *crashProc) fullLog() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// rpcCode is the google.rpc.Status code of an error body, or -1 if the body is
// not one.
func rpcCode(body []byte) int {
	var st struct {
		Code *int `json:"code"`
	}
	if json.Unmarshal(body, &st) != nil || st.Code == nil {
		return -1
	}
	return *st.Code
}

// createMachine creates a machine user through the API and returns its id.
func createMachine(t testing.TB, api *crashClient, name string) string {
	t.Helper()
	var out struct {
		UserID string `json:"userId"`
	}
	body := fmt.Sprintf(`{"userName":%q,"name":"test user"}`, name)
	code, b, err := api.do(context.Background(), http.MethodPost, "/management/v1/users/machine", body, &out)
	if err != nil || code != http.StatusOK || out.UserID == "" {
		t.Fatalf("create machine user %s: HTTP %d %s: %v", name, code, b, err)
	}
	return out.UserID
}

// uniqueName makes user names that do not clash across runs on one schema.
func uniqueName(prefix string, i int) string {
	return fmt.Sprintf("%s-%d-%d", prefix, time.Now().UnixNano(), i)
}

// shortBody trims a response body for messages.
func shortBody(b []byte) string {
	s := strings.TrimSpace(string(b))
	if len(s) > 300 {
		s = s[:300] + "..."
	}
	return s
}
