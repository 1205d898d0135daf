package compat

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/management"
	userv2 "github.com/zitadel/zitadel-go/v3/pkg/client/zitadel/user/v2"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
)

// server is one running warden process the suite talks to.
type server struct {
	name     string // subtest name: "sqlite" or "postgres"
	addr     string // host:port
	adminPAT string
	cmd      *exec.Cmd
	logs     *bytes.Buffer
	dataDir  string
	cleanup  []func()

	mu    sync.Mutex
	conns []*grpc.ClientConn
}

// servers are the wardens every test runs against (one per storage engine).
var servers []*server

func TestMain(m *testing.M) {
	os.Exit(runMain(m))
}

func runMain(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "warden-compat-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "compat:", err)
		return 1
	}
	defer os.RemoveAll(tmp)

	// WARDEN_BIN tests a given binary (a release build, or one built once for
	// several runs); by default the suite builds the server from this checkout.
	bin := os.Getenv("WARDEN_BIN")
	if bin == "" {
		bin = filepath.Join(tmp, "warden")
		build := exec.Command("go", "build", "-o", bin, "./cmd/warden")
		build.Dir = ".." // the main module's root; this module lives in compat/
		build.Stdout, build.Stderr = os.Stderr, os.Stderr
		if err := build.Run(); err != nil {
			fmt.Fprintln(os.Stderr, "compat: building warden:", err)
			return 1
		}
	}

	defer func() {
		for _, s := range servers {
			s.stop()
		}
	}()
	s, err := startServer("sqlite", bin, filepath.Join(tmp, "sqlite"), "")
	if err != nil {
		fmt.Fprintln(os.Stderr, "compat:", err)
		return 1
	}
	servers = append(servers, s)

	if pg := os.Getenv("WARDEN_TEST_POSTGRES"); pg != "" {
		dsn, drop, err := createDatabase(pg)
		if err != nil {
			fmt.Fprintln(os.Stderr, "compat: postgres:", err)
			return 1
		}
		s, err := startServer("postgres", bin, filepath.Join(tmp, "postgres"), dsn)
		if err != nil {
			drop()
			fmt.Fprintln(os.Stderr, "compat:", err)
			return 1
		}
		s.cleanup = append(s.cleanup, drop)
		servers = append(servers, s)
	}

	code := m.Run()
	if code != 0 {
		for _, s := range servers {
			fmt.Fprintf(os.Stderr, "---- warden (%s) log tail ----\n%s\n", s.name, tail(s.logs.String(), 4000))
		}
	}
	return code
}

// defaultPostgres is used when WARDEN_TEST_POSTGRES=1 instead of a DSN.
const defaultPostgres = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// createDatabase makes a fresh database on the server of dsn, so runs never
// share state, and returns the DSN for it and a func that drops it.
func createDatabase(dsn string) (string, func(), error) {
	if dsn == "1" || dsn == "true" {
		dsn = defaultPostgres
	}
	u, err := url.Parse(dsn)
	if err != nil {
		return "", nil, fmt.Errorf("parse WARDEN_TEST_POSTGRES: %w", err)
	}
	name := "compat_" + randHex(6)
	if out, err := exec.Command("psql", dsn, "-v", "ON_ERROR_STOP=1", "-c", "CREATE DATABASE "+name).CombinedOutput(); err != nil {
		return "", nil, fmt.Errorf("create database %s: %w: %s", name, err, out)
	}
	drop := func() {
		// FORCE: the warden may still hold pooled connections for a moment after exit.
		_ = exec.Command("psql", dsn, "-c", "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)").Run()
	}
	u.Path = "/" + name
	return u.String(), drop, nil
}

func startServer(name, bin, dataDir, database string) (*server, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	args := []string{"start", "--data-dir", dataDir, "--addr", addr}
	if database != "" {
		// PostgreSQL needs the master key given (every node shares one).
		key := filepath.Join(filepath.Dir(dataDir), name+".masterkey")
		if err := os.WriteFile(key, []byte(randHex(16)+"\n"), 0o600); err != nil {
			return nil, err
		}
		args = append(args, "--database", database, "--masterkey-file", key)
	}
	s := &server{name: name, addr: addr, dataDir: dataDir, logs: &bytes.Buffer{}}
	s.cmd = exec.Command(bin, args...)
	s.cmd.Stdout, s.cmd.Stderr = &lockedWriter{w: s.logs}, &lockedWriter{w: s.logs}
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start warden (%s): %w", name, err)
	}
	if err := waitReady("http://"+addr+"/debug/ready", 60*time.Second); err != nil {
		s.stop()
		return nil, fmt.Errorf("warden (%s) not ready: %w\n%s", name, err, s.logs.String())
	}
	pat, err := os.ReadFile(filepath.Join(dataDir, "admin.pat"))
	if err != nil {
		s.stop()
		return nil, fmt.Errorf("warden (%s): read admin.pat: %w", name, err)
	}
	s.adminPAT = strings.TrimSpace(string(pat))
	return s, nil
}

func (s *server) stop() {
	s.mu.Lock()
	for _, c := range s.conns {
		c.Close()
	}
	s.conns = nil
	s.mu.Unlock()
	if s.cmd != nil && s.cmd.Process != nil {
		_ = s.cmd.Process.Signal(syscall.SIGTERM)
		done := make(chan struct{})
		go func() { _ = s.cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = s.cmd.Process.Kill()
			<-done
		}
		s.cmd = nil
	}
	for _, f := range s.cleanup {
		f()
	}
	s.cleanup = nil
}

func freeAddr() (string, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().String(), nil
}

func waitReady(u string, within time.Duration) error {
	deadline := time.Now().Add(within)
	c := &http.Client{Timeout: time.Second}
	var last error
	for time.Now().Before(deadline) {
		resp, err := c.Get(u)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("status %s", resp.Status)
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	return fmt.Errorf("after %s: %w", within, last)
}

// bearer sends a token as gRPC metadata on every call, like ZITADEL's SDK does.
type bearer string

func (b bearer) GetRequestMetadata(context.Context, ...string) (map[string]string, error) {
	return map[string]string{"authorization": "Bearer " + string(b)}, nil
}

// RequireTransportSecurity is false: the suite talks h2c to a loopback server.
func (bearer) RequireTransportSecurity() bool { return false }

// conn dials the server with token as the caller ("" sends no authorization).
func (s *server) conn(t testing.TB, token string) *grpc.ClientConn {
	t.Helper()
	opts := []grpc.DialOption{grpc.WithTransportCredentials(insecure.NewCredentials())}
	if token != "" {
		opts = append(opts, grpc.WithPerRPCCredentials(bearer(token)))
	}
	c, err := grpc.NewClient(s.addr, opts...)
	if err != nil {
		t.Fatalf("dial %s: %v", s.addr, err)
	}
	s.mu.Lock()
	s.conns = append(s.conns, c)
	s.mu.Unlock()
	return c
}

func (s *server) mgmt(t testing.TB, token string) management.ManagementServiceClient {
	return management.NewManagementServiceClient(s.conn(t, token))
}

func (s *server) users(t testing.TB, token string) userv2.UserServiceClient {
	return userv2.NewUserServiceClient(s.conn(t, token))
}

// each runs f as a subtest against every server.
func each(t *testing.T, f func(t *testing.T, s *server)) {
	t.Helper()
	for _, s := range servers {
		t.Run(s.name, func(t *testing.T) { f(t, s) })
	}
}

func ctx(t testing.TB) context.Context {
	c, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	t.Cleanup(cancel)
	return c
}

func randHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on Linux
	}
	return hex.EncodeToString(b)
}

// unique returns a user name no other test (or earlier run) uses.
func unique(prefix string) string { return prefix + "-" + randHex(5) }

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// lockedWriter lets the process's stdout and stderr share one buffer.
type lockedWriter struct{ w *bytes.Buffer }

// logMu guards every log buffer; both writers of a buffer share it.
var logMu sync.Mutex

func (l *lockedWriter) Write(p []byte) (int, error) {
	logMu.Lock()
	defer logMu.Unlock()
	return l.w.Write(p)
}
