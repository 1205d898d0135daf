package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestCrashDurability kills warden with SIGKILL in the middle of a lock/unlock
// load and checks that every acknowledged change survived: an HTTP 200 is a
// promise that the change is on disk (DESIGN.md, "Durable means fsynced").
func TestCrashDurability(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills a real server; skipped in -short mode")
	}
	bin := crashBuildWarden(t)
	dataDir := t.TempDir()

	p := crashStart(t, bin, dataDir)
	token := crashReadPAT(t, dataDir)
	api := &crashClient{base: p.base, token: token, http: crashHTTPClient()}

	const users = 16
	ids := make([]string, users)
	for i := range ids {
		var out struct {
			UserID string `json:"userId"`
		}
		body := fmt.Sprintf(`{"userName":"crash-%d-%d","name":"crash test"}`, time.Now().UnixNano(), i)
		if code, b, err := api.do(context.Background(), http.MethodPost, "/management/v1/users/machine", body, &out); err != nil || code != http.StatusOK || out.UserID == "" {
			t.Fatalf("create machine user %d: HTTP %d %s: %v", i, code, b, err)
		}
		ids[i] = out.UserID
	}

	// Two workers per user, so a user's changes also race each other; the
	// refused ones (HTTP 400) promise nothing and are not recorded.
	acked := make([]crashAck, users)
	var mu sync.Mutex
	var okCount, otherCount int
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	for w := range 2 * users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			u := w % users
			for n := w / users; ctx.Err() == nil; n++ {
				op, state := "_lock", "USER_STATE_LOCKED"
				if n%2 == 1 {
					op, state = "_unlock", "USER_STATE_ACTIVE"
				}
				var out struct {
					Details struct {
						Sequence string `json:"sequence"`
					} `json:"details"`
				}
				code, _, err := api.do(ctx, http.MethodPost, "/management/v1/users/"+ids[u]+"/"+op, "{}", &out)
				if err != nil || code != http.StatusOK {
					mu.Lock()
					if code != http.StatusBadRequest {
						otherCount++ // connection errors once the server is killed
					}
					mu.Unlock()
					if err != nil && ctx.Err() == nil {
						time.Sleep(time.Millisecond) // the server is gone; do not spin
					}
					continue
				}
				seq, perr := strconv.ParseUint(out.Details.Sequence, 10, 64)
				mu.Lock()
				okCount++
				if perr != nil || seq == 0 {
					t.Errorf("user %s %s: HTTP 200 without a details.sequence (%q)", ids[u], op, out.Details.Sequence)
				} else if seq > acked[u].seq {
					acked[u] = crashAck{seq: seq, state: state}
				} else if seq == acked[u].seq {
					t.Errorf("user %s: sequence %d acknowledged twice", ids[u], seq)
				}
				mu.Unlock()
			}
		}()
	}

	time.Sleep(2 * time.Second)
	mu.Lock()
	before := okCount
	mu.Unlock()
	// Kill while the workers still have requests in flight.
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("SIGKILL warden: %v", err)
	}
	_ = p.cmd.Wait()
	cancel()
	wg.Wait()
	api.http.CloseIdleConnections()
	if before == 0 {
		t.Fatalf("no operation was acknowledged in 2s before the kill; server log:\n%s", p.logs())
	}
	t.Logf("acknowledged %d changes (%d before the kill signal), %d transport errors around the kill", okCount, before, otherCount)

	p2 := crashStart(t, bin, dataDir)
	if again := crashReadPAT(t, dataDir); again != token {
		t.Errorf("admin.pat changed across the restart")
	}
	api.base = p2.base
	for i, id := range ids {
		var got struct {
			User struct {
				State   string `json:"state"`
				Details struct {
					Sequence string `json:"sequence"`
				} `json:"details"`
			} `json:"user"`
		}
		code, b, err := api.do(context.Background(), http.MethodGet, "/management/v1/users/"+id, "", &got)
		if err != nil || code != http.StatusOK {
			t.Fatalf("after restart, GET user %s: HTTP %d %s: %v", id, code, b, err)
		}
		seq, err := strconv.ParseUint(got.User.Details.Sequence, 10, 64)
		if err != nil {
			t.Fatalf("after restart, user %s: bad sequence %q", id, got.User.Details.Sequence)
		}
		a := acked[i]
		switch {
		case seq < a.seq:
			t.Errorf("user %s: sequence %d after restart, but %d was acknowledged before the kill (lost write)", id, seq, a.seq)
		case seq == a.seq && a.seq > 0 && got.User.State != a.state:
			t.Errorf("user %s: state %s at sequence %d, but the acknowledged change at that sequence left %s", id, got.User.State, seq, a.state)
		}
		crashCheckHistory(t, api, id, seq, got.User.State)
	}
}

// crashAck is the newest acknowledged change of one user.
type crashAck struct {
	seq   uint64
	state string
}

// userEvent is one entry of a user's history as ListUserChanges reports it.
type userEvent struct {
	seq uint64
	key string // e.g. "EventTypes.user.locked"
}

// userHistory pages through a user's whole history in ascending order.
func userHistory(t *testing.T, api *crashClient, id string) []userEvent {
	t.Helper()
	var evs []userEvent
	for page := 0; page < 1000; page++ { // bounded: 1000 pages of 1000 events
		after := uint64(0)
		if len(evs) > 0 {
			after = evs[len(evs)-1].seq
		}
		var out struct {
			Result []struct {
				Sequence  string `json:"sequence"`
				EventType struct {
					Key string `json:"key"`
				} `json:"eventType"`
			} `json:"result"`
		}
		body := fmt.Sprintf(`{"query":{"sequence":"%d","asc":true,"limit":1000}}`, after)
		code, b, err := api.do(context.Background(), http.MethodPost, "/management/v1/users/"+id+"/changes/_search", body, &out)
		if err != nil || code != http.StatusOK {
			t.Fatalf("changes of %s: HTTP %d %s: %v", id, code, b, err)
		}
		if len(out.Result) == 0 {
			break
		}
		for _, c := range out.Result {
			s, err := strconv.ParseUint(c.Sequence, 10, 64)
			if err != nil {
				t.Fatalf("changes of %s: bad sequence %q", id, c.Sequence)
			}
			evs = append(evs, userEvent{seq: s, key: c.EventType.Key})
		}
	}
	return evs
}

// crashCheckHistory asserts the user's events are exactly 1..last, with no gap
// or duplicate, and that replaying them gives the state the user reports.
func crashCheckHistory(t *testing.T, api *crashClient, id string, last uint64, state string) {
	t.Helper()
	evs := userHistory(t, api, id)
	replayed := "USER_STATE_ACTIVE"
	for i, e := range evs {
		if e.seq != uint64(i+1) {
			t.Errorf("user %s: event %d has sequence %d, want %d (gap or duplicate)", id, i, e.seq, i+1)
			return
		}
		switch {
		case strings.HasSuffix(e.key, "user.locked"):
			replayed = "USER_STATE_LOCKED"
		case strings.HasSuffix(e.key, "user.unlocked"):
			replayed = "USER_STATE_ACTIVE"
		}
	}
	if uint64(len(evs)) != last {
		t.Errorf("user %s: %d events, but the user is at sequence %d", id, len(evs), last)
	}
	if replayed != state {
		t.Errorf("user %s: replaying the history gives %s, the user reports %s", id, replayed, state)
	}
}

type crashProc struct {
	cmd  *exec.Cmd
	base string
	mu   sync.Mutex
	out  bytes.Buffer
}

func (p *crashProc) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.Write(b)
}

func (p *crashProc) logs() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	s := p.out.String()
	if len(s) > 4000 {
		s = "..." + s[len(s)-4000:]
	}
	return s
}

// crashBuildWarden builds the server from this module's root into a temp dir.
func crashBuildWarden(t *testing.T) string {
	t.Helper()
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		t.Fatal("cannot locate the source file")
	}
	root := filepath.Join(filepath.Dir(file), "..", "..")
	bin := filepath.Join(t.TempDir(), "warden")
	cmd := exec.Command("go", "build", "-o", bin, "./cmd/warden")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build warden: %v\n%s", err, out)
	}
	return bin
}

// crashStart starts warden on dataDir and a free port and waits until it serves.
func crashStart(t *testing.T, bin, dataDir string) *crashProc {
	t.Helper()
	p, err := startNode(t, bin, dataDir)
	if err != nil {
		t.Fatal(err)
	}
	if err := waitReady(p.base, http.StatusOK, 20*time.Second); err != nil {
		t.Fatalf("%v; log:\n%s", err, p.logs())
	}
	return p
}

func crashReadPAT(t *testing.T, dataDir string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dataDir, "admin.pat"))
	if err != nil {
		t.Fatalf("read admin.pat: %v", err)
	}
	return strings.TrimSpace(string(b))
}

func crashHTTPClient() *http.Client {
	return &http.Client{
		Timeout:   10 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 64, MaxIdleConns: 128, IdleConnTimeout: 30 * time.Second},
	}
}

type crashClient struct {
	base, token string
	http        *http.Client
}

// do sends one REST call and decodes a 200 answer into out.
func (c *crashClient) do(ctx context.Context, method, path, body string, out any) (int, []byte, error) {
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, r)
	if err != nil {
		return 0, nil, fmt.Errorf("build %s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, nil, fmt.Errorf("read %s %s: %w", method, path, err)
	}
	if resp.StatusCode == http.StatusOK && out != nil {
		if err := json.Unmarshal(b, out); err != nil {
			return resp.StatusCode, b, fmt.Errorf("decode %s %s: %w", method, path, err)
		}
	}
	return resp.StatusCode, b, nil
}
