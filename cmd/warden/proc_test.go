package main

// Helpers shared by the tests that run the real binary against PostgreSQL
// (cluster_test.go, faults_test.go). They build on crash_test.go's crashProc,
// crashClient and crashBuildWarden; startNode takes extra flags and reports
// errors instead of calling t.Fatal, so several nodes can be started and
// awaited from goroutines at once (crashStart is built on it).

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/masterkey"
)

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

// newMasterKeyFile writes a new master key into a 0600 file for nodes that
// share one store (PostgreSQL needs it given) and returns its path.
func newMasterKeyFile(t testing.TB) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "masterkey")
	if err := os.WriteFile(p, append(masterkey.Generate(), '\n'), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
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
