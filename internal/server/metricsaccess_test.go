package server_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/metrics"
	"github.com/warden-id/warden/internal/server"
	"github.com/warden-id/warden/internal/store/testdb"
)

// TestMetricsPrivateByDefault: with metrics recorded but neither a metrics
// listener nor a token, the API port does not serve them to anyone.
func TestMetricsPrivateByDefault(t *testing.T) {
	m := metrics.New("test")
	e := startWith(t, testdb.SQLite(t), slog.New(slog.DiscardHandler), []app.Option{app.WithObserver(m)}, server.WithMetrics(m))
	e.must(e.do("GET", "/debug/metrics", "", ""), 404)
	e.must(e.do("GET", "/debug/metrics", e.token, ""), 404) // not even to the IAM owner's PAT
}

// TestMetricsToken: with a token, /debug/metrics on the API port answers only a
// caller presenting it; a missing, wrong, prefixed or truncated token is 401.
func TestMetricsToken(t *testing.T) {
	const token = "s3cret-metrics-token-0123456789abcdef"
	m := metrics.New("test")
	e := startWith(t, testdb.SQLite(t), slog.New(slog.DiscardHandler), []app.Option{app.WithObserver(m)},
		server.WithMetrics(m), server.WithMetricsToken(token))
	r := e.must(e.do("GET", "/debug/metrics", token, ""), 200)
	if !strings.Contains(r.raw, "warden_build_info") {
		t.Errorf("no metrics in %q", r.raw[:min(len(r.raw), 200)])
	}
	for _, bad := range []string{"", "wrong", token[:len(token)-1], token + "x", e.token} {
		r := e.do("GET", "/debug/metrics", bad, "")
		if r.status != 401 || !strings.HasPrefix(r.header.Get("WWW-Authenticate"), "Bearer") {
			t.Errorf("token %q: %d %q, want 401 with a Bearer challenge", bad, r.status, r.header.Get("WWW-Authenticate"))
		}
		if strings.Contains(r.raw, "warden_") {
			t.Errorf("token %q: metrics leaked in a refusal", bad)
		}
	}
	// Basic credentials carrying the token are not a bearer token.
	req, _ := http.NewRequest("GET", e.base+"/debug/metrics", nil)
	req.SetBasicAuth("x", token)
	if resp, err := http.DefaultClient.Do(req); err != nil || resp.StatusCode != 401 {
		t.Errorf("basic auth: %v %v", resp.StatusCode, err)
	} else {
		resp.Body.Close()
	}
}

func get(t *testing.T, c *http.Client, url string) (int, string) {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// TestMetricsListener: a metrics listener serves GET /debug/metrics without a
// token and nothing else (not the API, not the login page, not /debug/ready);
// the API port then still answers 404 for metrics; and when Serve's context
// ends both listeners drain and close together, an in-flight scrape included.
func TestMetricsListener(t *testing.T) {
	st := testdb.SQLite(t)
	m := metrics.New("test")
	a := app.New(m.Store(st), slog.New(slog.DiscardHandler), "localhost", app.WithObserver(m))
	if _, err := a.Bootstrap(context.Background(), "Warden", func(string) error { return nil }); err != nil {
		t.Fatal(err)
	}
	mln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	// A collector that holds a scrape in flight until told to finish.
	slow := &slowCollector{started: make(chan struct{}), release: make(chan struct{})}
	m.Registry().MustRegister(slow)
	srv, err := server.New(a, slog.New(slog.DiscardHandler), server.WithMetrics(m), server.WithMetricsListener(mln))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Serve(ctx, ln, 5*time.Second) }()
	defer func() {
		cancel()
		<-done
	}()
	api, priv := "http://"+ln.Addr().String(), "http://"+mln.Addr().String()
	c := &http.Client{Timeout: 5 * time.Second}
	deadline := time.Now().Add(10 * time.Second)
	for {
		if code, _ := getMaybe(c, api+"/debug/ready"); code == 200 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("never ready")
		}
		time.Sleep(20 * time.Millisecond)
	}

	slow.hold.Store(false)
	if code, body := get(t, c, priv+"/debug/metrics"); code != 200 || !strings.Contains(body, `warden_build_info{version="test"} 1`) {
		t.Fatalf("metrics listener: %d %.200s", code, body)
	}
	if code, _ := get(t, c, api+"/debug/metrics"); code != 404 {
		t.Errorf("API port /debug/metrics: %d, want 404", code)
	}
	for _, p := range []string{"/debug/ready", "/debug/healthz", "/management/v1/users/1", "/ui/login", "/oauth/v2/keys", "/"} {
		if code, _ := get(t, c, priv+p); code != 404 {
			t.Errorf("metrics listener %s: %d, want 404", p, code)
		}
	}
	if resp, err := c.Post(priv+"/debug/metrics", "text/plain", nil); err != nil || resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST to the metrics listener: %v %v", resp, err)
	} else {
		resp.Body.Close()
	}

	// Shut down with a scrape in flight: Serve waits for it, the scrape gets
	// its answer, then Serve returns and both ports refuse connections.
	slow.hold.Store(true)
	scraped := make(chan int, 1)
	go func() {
		code, _ := getMaybe(c, priv+"/debug/metrics")
		scraped <- code
	}()
	<-slow.started
	cancel()
	select {
	case err := <-done:
		t.Fatalf("Serve returned (%v) with a scrape in flight", err)
	case <-time.After(300 * time.Millisecond):
	}
	close(slow.release)
	if code := <-scraped; code != 200 {
		t.Errorf("in-flight scrape answered %d during the drain, want 200", code)
	}
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after its context ended")
	}
	done <- nil // for the deferred receive
	c.CloseIdleConnections()
	for _, addr := range []string{ln.Addr().String(), mln.Addr().String()} {
		if conn, err := net.DialTimeout("tcp", addr, time.Second); err == nil {
			conn.Close()
			t.Errorf("%s still accepts connections after shutdown", addr)
		}
	}
}

// slowCollector blocks a scrape, while hold is set, until release is closed.
type slowCollector struct {
	hold             atomic.Bool
	started, release chan struct{}
	once             sync.Once
}

func (s *slowCollector) Describe(chan<- *prometheus.Desc) {} // unchecked

func (s *slowCollector) Collect(ch chan<- prometheus.Metric) {
	if !s.hold.Load() {
		return
	}
	s.once.Do(func() { close(s.started) })
	<-s.release
}

func getMaybe(c *http.Client, url string) (int, error) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

// TestMetricsListenerFailureStopsServe: if the metrics listener fails, Serve
// does not keep half a server running; it stops the API port too and reports.
func TestMetricsListenerFailureStopsServe(t *testing.T) {
	st := testdb.SQLite(t)
	m := metrics.New("test")
	a := app.New(st, slog.New(slog.DiscardHandler), "localhost")
	mln, _ := net.Listen("tcp", "127.0.0.1:0")
	ln, _ := net.Listen("tcp", "127.0.0.1:0")
	srv, err := server.New(a, slog.New(slog.DiscardHandler), server.WithMetrics(m), server.WithMetricsListener(mln))
	if err != nil {
		t.Fatal(err)
	}
	mln.Close() // Accept fails at once
	done := make(chan error, 1)
	go func() { done <- srv.Serve(context.Background(), ln, time.Second) }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("Serve returned nil with a dead metrics listener")
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve kept running with a dead metrics listener")
	}
	if conn, err := net.DialTimeout("tcp", ln.Addr().String(), time.Second); err == nil {
		conn.Close()
		t.Error("the API port still accepts connections")
	}
}
