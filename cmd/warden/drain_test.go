package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// TestGracefulShutdown: SIGTERM under load lets the requests in flight finish,
// answers none of them with a 5xx, exits 0, and every acknowledged change is
// there after a restart.
func TestGracefulShutdown(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and signals a real server; skipped in -short mode")
	}
	bin := crashBuildWarden(t)
	dir := t.TempDir()
	// With both ways of serving metrics: the listener of their own must drain
	// and close with the API port.
	metricsAddr, err := freeAddr()
	if err != nil {
		t.Fatal(err)
	}
	const metricsToken = "drain-test-metrics-token-0123456789"
	tokenFile := writeFile(t, t.TempDir(), "metrics-token", metricsToken+"\n", 0o600)
	p, err := startNode(t, bin, dir, "--metrics-addr", metricsAddr, "--metrics-token-file", tokenFile)
	if err != nil {
		t.Fatal(err)
	}
	if err := waitReady(p.base, http.StatusOK, 20*time.Second); err != nil {
		t.Fatalf("%v; log:\n%s", err, p.logs())
	}
	api := &crashClient{base: p.base, token: crashReadPAT(t, dir), http: crashHTTPClient()}
	for _, c := range []struct {
		url, token string
		want       int
	}{
		{"http://" + metricsAddr + "/debug/metrics", "", 200},
		{p.base + "/debug/metrics", metricsToken, 200},
		{p.base + "/debug/metrics", "", 401},
		{p.base + "/debug/metrics", api.token, 401},
		{"http://" + metricsAddr + "/debug/ready", "", 404},
	} {
		req, _ := http.NewRequest("GET", c.url, nil)
		if c.token != "" {
			req.Header.Set("Authorization", "Bearer "+c.token)
		}
		resp, err := api.http.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != c.want {
			t.Errorf("GET %s (token %v): %d, want %d", c.url, c.token != "", resp.StatusCode, c.want)
		}
	}
	const users = 8
	ids := make([]string, users)
	for i := range ids {
		ids[i] = createMachine(t, api, fmt.Sprintf("drain-%d-%d", time.Now().UnixNano(), i))
	}

	var mu sync.Mutex
	acked := make([]uint64, users)
	status := map[int]int{}
	var wg sync.WaitGroup
	for u := range users {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := 0; ; n++ {
				op := "_lock"
				if n%2 == 1 {
					op = "_unlock"
				}
				var out struct {
					Details struct {
						Sequence string `json:"sequence"`
					} `json:"details"`
				}
				code, _, err := api.do(context.Background(), http.MethodPost, "/management/v1/users/"+ids[u]+"/"+op, "{}", &out)
				if err != nil {
					return // the server closed the connection or is gone
				}
				mu.Lock()
				status[code]++
				if code == http.StatusOK {
					if seq, _ := strconv.ParseUint(out.Details.Sequence, 10, 64); seq > acked[u] {
						acked[u] = seq
					}
				}
				mu.Unlock()
			}
		}()
	}
	time.Sleep(time.Second)
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- p.cmd.Wait() }()
	select {
	case err := <-exited:
		if err != nil {
			t.Fatalf("warden exited with %v after SIGTERM; log:\n%s", err, p.logs())
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("warden still running 30 s after SIGTERM; log:\n%s", p.logs())
	}
	wg.Wait()
	api.http.CloseIdleConnections()
	for _, addr := range []string{strings.TrimPrefix(p.base, "http://"), metricsAddr} {
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			conn.Close()
			t.Errorf("%s still accepts connections after the exit", addr)
		}
	}
	for code, n := range status {
		if code >= 500 {
			t.Errorf("%d answers with HTTP %d while draining", n, code)
		}
	}
	if status[http.StatusOK] == 0 {
		t.Fatalf("nothing acknowledged before SIGTERM; log:\n%s", p.logs())
	}
	if logs := p.logs(); !strings.Contains(logs, "draining") || !strings.Contains(logs, "stopped") {
		t.Errorf("no drain in the log:\n%s", logs)
	}

	p2 := crashStart(t, bin, dir)
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
		if code, b, err := api.do(context.Background(), http.MethodGet, "/management/v1/users/"+id, "", &got); err != nil || code != 200 {
			t.Fatalf("GET user after restart: %d %s %v", code, b, err)
		}
		seq, _ := strconv.ParseUint(got.User.Details.Sequence, 10, 64)
		if seq < acked[i] {
			t.Errorf("user %s: sequence %d after restart, %d was acknowledged", id, seq, acked[i])
		}
		crashCheckHistory(t, api, id, seq, got.User.State)
	}
}
