package server_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/metrics"
	"github.com/warden-id/warden/internal/requestid"
	"github.com/warden-id/warden/internal/server"
	"github.com/warden-id/warden/internal/tracing"
	coltrace "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	"google.golang.org/protobuf/proto"
)

var seriesRE = regexp.MustCompile(`^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$`)
var labelRE = regexp.MustCompile(`([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"`)

// sample finds a series of the text exposition whose labels include want and
// returns its value.
func sample(expo, name string, want map[string]string) (float64, bool) {
	for _, line := range strings.Split(expo, "\n") {
		m := seriesRE.FindStringSubmatch(line)
		if m == nil || m[1] != name {
			continue
		}
		got := map[string]string{}
		for _, l := range labelRE.FindAllStringSubmatch(m[2], -1) {
			got[l[1]] = l[2]
		}
		ok := true
		for k, v := range want {
			if got[k] != v {
				ok = false
			}
		}
		if ok {
			v, err := strconv.ParseFloat(m[3], 64)
			return v, err == nil
		}
	}
	return 0, false
}

func TestMetrics(t *testing.T) {
	for name, open := range engines(t) {
		t.Run(name, func(t *testing.T) {
			m := metrics.New("test-version")
			st := m.Store(open(t))
			const scrape = "metrics-token-for-the-test-0123456789"
			e := startWith(t, st, slog.New(slog.DiscardHandler), []app.Option{app.WithObserver(m)}, server.WithMetrics(m), server.WithMetricsToken(scrape))

			id := e.importHuman("ann")
			e.must(e.admin("GET", "/management/v1/users/"+id, ""), 200)
			e.must(e.admin("POST", "/management/v1/users/"+id+"/_lock", `{}`), 200)
			e.must(e.admin("POST", "/management/v1/users/"+id+"/_lock", `{}`), 400) // already locked
			e.must(e.admin("POST", "/v2/users/"+id+"/unlock", `{}`), 200)

			r := e.must(e.do("GET", "/debug/metrics", scrape, ""), 200)
			if ct := r.header.Get("Content-Type"); !strings.HasPrefix(ct, "text/plain") {
				t.Errorf("content type %q", ct)
			}
			expo := r.raw
			const lock = "/zitadel.management.v1.ManagementService/LockUser"
			checks := []struct {
				name   string
				labels map[string]string
				min    float64
			}{
				{"warden_grpc_requests_total", map[string]string{"method": lock, "code": "OK"}, 1},
				{"warden_grpc_requests_total", map[string]string{"method": lock, "code": "FailedPrecondition"}, 1},
				{"warden_grpc_requests_total", map[string]string{"method": "/zitadel.user.v2.UserService/UnlockUser", "code": "OK"}, 1},
				{"warden_grpc_request_duration_seconds_count", map[string]string{"method": lock}, 2},
				{"warden_grpc_request_duration_seconds_bucket", map[string]string{"method": lock, "le": "+Inf"}, 2},
				{"warden_http_requests_total", map[string]string{"route": "management_v1_rest", "status": "200"}, 3},
				{"warden_http_requests_total", map[string]string{"route": "management_v1_rest", "status": "400"}, 1},
				{"warden_http_requests_total", map[string]string{"route": "user_v2_rest", "status": "200"}, 1},
				{"warden_http_requests_total", map[string]string{"route": "ready", "status": "200"}, 1},
				{"warden_http_request_duration_seconds_count", map[string]string{"route": "management_v1_rest"}, 4},
				{"warden_store_operation_duration_seconds_count", map[string]string{"op": "write"}, 4},
				// Authentication is one Principal read per request; GET reads the user.
				{"warden_store_operation_duration_seconds_count", map[string]string{"op": "principal"}, 5},
				{"warden_store_operation_duration_seconds_count", map[string]string{"op": "user"}, 1},
				{"warden_user_locks_total", map[string]string{"cause": "admin"}, 1},
				{"warden_build_info", map[string]string{"version": "test-version"}, 1},
				{"go_goroutines", nil, 1},
			}
			if name == "sqlite" {
				checks = append(checks,
					struct {
						name   string
						labels map[string]string
						min    float64
					}{"warden_sqlite_commit_batches_total", nil, 1},
					struct {
						name   string
						labels map[string]string
						min    float64
					}{"warden_sqlite_writes_total", nil, 4})
			} else {
				for _, n := range []string{"warden_pg_pool_max_conns", "warden_pg_pool_total_conns", "warden_pg_pool_acquires_total"} {
					checks = append(checks, struct {
						name   string
						labels map[string]string
						min    float64
					}{n, nil, 1})
				}
				for _, n := range []string{"warden_pg_pool_acquired_conns", "warden_pg_pool_idle_conns", "warden_pg_pool_acquire_duration_seconds_total", "warden_pg_pool_empty_acquires_total"} {
					if _, ok := sample(expo, n, nil); !ok {
						t.Errorf("no series %s", n)
					}
				}
			}
			for _, c := range checks {
				v, ok := sample(expo, c.name, c.labels)
				if !ok {
					t.Errorf("no series %s%v", c.name, c.labels)
					continue
				}
				if v < c.min {
					t.Errorf("%s%v = %v, want ≥ %v", c.name, c.labels, v, c.min)
				}
			}
			// Exactly one lock committed; the refused second one is not counted.
			if v, _ := sample(expo, "warden_user_locks_total", map[string]string{"cause": "admin"}); v != 1 {
				t.Errorf("locks = %v, want 1", v)
			}
			// No raw path (user id) ever becomes a label value.
			if strings.Contains(expo, id) {
				t.Errorf("a user id appears in the metrics")
			}
			if t.Failed() {
				t.Log(expo)
			}
		})
	}
}

// TestMetricsOff: without WithMetrics there is no /debug/metrics.
func TestMetricsOff(t *testing.T) {
	e := startWith(t, engines(t)["sqlite"](t), slog.New(slog.DiscardHandler), nil)
	e.must(e.do("GET", "/debug/metrics", "", ""), 404)
}

// syncBuffer is a log sink the server's goroutines may write concurrently.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// lines decodes the JSON log lines written so far.
func (s *syncBuffer) lines(t *testing.T) []map[string]any {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(s.b.String()), "\n") {
		var m map[string]any
		if err := json.Unmarshal([]byte(l), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", l)
		}
		out = append(out, m)
	}
	return out
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func TestRequestID(t *testing.T) {
	var buf syncBuffer
	// As cmd/warden does: every logger's handler adds the request id from ctx.
	log := slog.New(requestid.LogHandler(slog.NewJSONHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})))
	e := startWith(t, engines(t)["sqlite"](t), log, nil)
	id := e.importHuman("bob")

	// A valid incoming id is kept and echoed, and it reaches the use case's log
	// line through the context (REST → vanguard → gRPC → app).
	r := e.must(e.admin("POST", "/management/v1/users/"+id+"/_lock", `{}`, "X-Request-Id", "req.Lock_42-a"), 200)
	if got := r.header.Get("X-Request-Id"); got != "req.Lock_42-a" {
		t.Fatalf("echoed id %q", got)
	}

	// Invalid or absent ids are replaced by 16 random bytes in hex.
	for _, in := range []string{"", "has space", `q"uote`, strings.Repeat("a", 65), "é"} {
		r := e.do("GET", "/debug/healthz", "", "", "X-Request-Id", in)
		got := r.header.Get("X-Request-Id")
		if b, err := hex.DecodeString(got); err != nil || len(b) != 16 {
			t.Errorf("incoming %q: answered id %q, want 32 hex digits", in, got)
		}
	}
	r1 := e.do("GET", "/debug/healthz", "", "")
	r2 := e.do("GET", "/debug/healthz", "", "")
	if r1.header.Get("X-Request-Id") == r2.header.Get("X-Request-Id") {
		t.Error("two requests got the same generated id")
	}
	// 64 characters is still accepted.
	long := strings.Repeat("b", 64)
	if got := e.do("GET", "/debug/healthz", "", "", "X-Request-Id", long).header.Get("X-Request-Id"); got != long {
		t.Errorf("64-char id replaced by %q", got)
	}

	var access, revoked bool
	for _, l := range buf.lines(t) {
		if l["request_id"] != "req.Lock_42-a" {
			continue
		}
		switch l["msg"] {
		case "request":
			access = true
			if l["level"] != "DEBUG" || l["method"] != "POST" || l["route"] != "management_v1_rest" || l["status"] != float64(200) || l["duration"] == nil {
				t.Errorf("access line %v", l)
			}
		case "user credentials revoked":
			revoked = true
		}
	}
	if !access || !revoked {
		t.Errorf("want the access line and the app's lock line with the request id (access %v, app %v):\n%s", access, revoked, buf.String())
	}
	// Nothing secret or raw is logged: no token, no body, no path with its id.
	out := buf.String()
	for _, secret := range []string{e.token, "Secret-Pass-1", "Bearer"} {
		if strings.Contains(out, secret) {
			t.Errorf("log contains %q", secret)
		}
	}
}

// otlpReceiver is a minimal OTLP/HTTP trace receiver: it decodes each export and
// remembers the spans.
type otlpReceiver struct {
	mu       sync.Mutex
	requests int
	spans    []spanInfo
}

type spanInfo struct{ name, traceID, spanID, parentID string }

func (o *otlpReceiver) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != "POST" || r.URL.Path != "/v1/traces" {
		http.NotFound(w, r)
		return
	}
	var body io.Reader = r.Body
	if r.Header.Get("Content-Encoding") == "gzip" {
		zr, err := gzip.NewReader(r.Body)
		if err != nil {
			http.Error(w, err.Error(), 400)
			return
		}
		body = zr
	}
	raw, _ := io.ReadAll(body)
	var req coltrace.ExportTraceServiceRequest
	if err := proto.Unmarshal(raw, &req); err != nil {
		http.Error(w, err.Error(), 400)
		return
	}
	o.mu.Lock()
	o.requests++
	for _, rs := range req.ResourceSpans {
		for _, ss := range rs.ScopeSpans {
			for _, s := range ss.Spans {
				o.spans = append(o.spans, spanInfo{s.Name, hex.EncodeToString(s.TraceId), hex.EncodeToString(s.SpanId), hex.EncodeToString(s.ParentSpanId)})
			}
		}
	}
	o.mu.Unlock()
	w.Header().Set("Content-Type", "application/x-protobuf")
	out, _ := proto.Marshal(&coltrace.ExportTraceServiceResponse{})
	_, _ = w.Write(out)
}

func TestTracing(t *testing.T) {
	rcv := &otlpReceiver{}
	collector := httptest.NewServer(rcv)
	defer collector.Close()

	ctx := context.Background()
	tp, err := tracing.Start(ctx, collector.URL, "test")
	if err != nil {
		t.Fatal(err)
	}
	defer tp.Shutdown(ctx)
	e := startWith(t, engines(t)["sqlite"](t), slog.New(slog.DiscardHandler), nil, server.WithTracerProvider(tp))
	id := e.importHuman("cy")
	// The caller's trace continues: its traceparent's trace id is kept.
	const traceID = "4bf92f3577b34da6a3ce929d0e0e4736"
	e.must(e.admin("POST", "/management/v1/users/"+id+"/_lock", `{}`, "traceparent", "00-"+traceID+"-00f067aa0ba902b7-01"), 200)

	// Both spans of the lock carry the caller's trace id. The HTTP span ends just
	// after the response is sent, so flush until it is there.
	var httpSpan, rpcSpan spanInfo
	for deadline := time.Now().Add(10 * time.Second); ; {
		if err := tp.ForceFlush(ctx); err != nil {
			t.Fatal(err)
		}
		rcv.mu.Lock()
		for _, s := range rcv.spans {
			switch {
			case s.traceID != traceID:
			case s.name == "POST management_v1_rest":
				httpSpan = s
			case s.name == "zitadel.management.v1.ManagementService/LockUser":
				rpcSpan = s
			}
		}
		n, spans := rcv.requests, rcv.spans
		rcv.mu.Unlock()
		if httpSpan.name != "" && rpcSpan.name != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after %d OTLP exports, want an HTTP and an RPC span in trace %s; got %v", n, traceID, spans)
		}
		time.Sleep(10 * time.Millisecond)
	}
	if httpSpan.parentID != "00f067aa0ba902b7" {
		t.Errorf("HTTP span's parent %s, want the caller's span", httpSpan.parentID)
	}
	if rpcSpan.parentID != httpSpan.spanID {
		t.Errorf("RPC span's parent %s, want the HTTP span %s", rpcSpan.parentID, httpSpan.spanID)
	}
}
