package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/netip"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/store/testdb"
)

// clearEnv unsets (empty counts as unset) every variable a setting reads, so a
// developer's own WARDEN_* environment cannot leak into these tests.
func clearEnv(t *testing.T) {
	t.Helper()
	var c startConfig
	t.Setenv(configEnv, "")
	for _, s := range c.settings() {
		t.Setenv(s.env(), "")
		t.Setenv(s.env()+"_FILE", "")
	}
}

func writeFile(t *testing.T, dir, name, content string, mode os.FileMode) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(content), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(p, mode); err != nil { // umask-proof
		t.Fatal(err)
	}
	return p
}

func load(t *testing.T, args ...string) (startConfig, []string, error) {
	t.Helper()
	var out bytes.Buffer
	return loadStartConfig(args, &out)
}

func TestConfigDefaults(t *testing.T) {
	clearEnv(t)
	c, warn, err := load(t)
	if err != nil || len(warn) > 0 {
		t.Fatal(err, warn)
	}
	want := startConfig{dataDir: "warden-data", addr: "127.0.0.1:8080", domain: "localhost", orgName: "Warden",
		logLevel: "info", drain: 15 * time.Second, metrics: true, purgeInterval: time.Minute, outboxInterval: 10 * time.Second, outboxLease: 5 * time.Minute, corsOrigins: []string{"*"},
		deviceLifetime: 5 * time.Minute, devicePoll: 5 * time.Second}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("defaults\n got %+v\nwant %+v", c, want)
	}
}

// TestConfigTrustedProxies: CIDRs and bare addresses, masked; garbage refused.
func TestConfigTrustedProxies(t *testing.T) {
	clearEnv(t)
	c, _, err := load(t, "--trusted-proxies", "10.1.2.3/8, 192.0.2.7,2001:db8::/32")
	if err != nil {
		t.Fatal(err)
	}
	want := []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("192.0.2.7/32"), netip.MustParsePrefix("2001:db8::/32")}
	if !reflect.DeepEqual(c.trustedProxies, want) {
		t.Fatalf("trusted proxies %v, want %v", c.trustedProxies, want)
	}
	if _, _, err := load(t, "--trusted-proxies", "10.0.0.0/8,nonsense"); err == nil || !strings.Contains(err.Error(), "nonsense") {
		t.Fatalf("garbage accepted: %v", err)
	}
}

// TestConfigCORSOrigins: "*", a list (normalised), empty for none; what is no
// origin, "null", or "*" among others refused, naming the culprit.
func TestConfigCORSOrigins(t *testing.T) {
	clearEnv(t)
	for in, want := range map[string][]string{
		"*": {"*"}, "": nil,
		" https://App.Example.com ,http://localhost:3000": {"https://app.example.com", "http://localhost:3000"},
	} {
		c, _, err := load(t, "--cors-origins", in)
		if err != nil || !reflect.DeepEqual(c.corsOrigins, want) {
			t.Errorf("--cors-origins %q: %v %v, want %v", in, c.corsOrigins, err, want)
		}
	}
	t.Setenv("WARDEN_CORS_ORIGINS", "https://a.example")
	if c, _, err := load(t); err != nil || !reflect.DeepEqual(c.corsOrigins, []string{"https://a.example"}) {
		t.Errorf("from the environment: %v %v", c.corsOrigins, err)
	}
	for _, bad := range []string{"https://a.example/path", "a.example", "null", "*,https://a.example", "https://a.example?x"} {
		if _, _, err := load(t, "--cors-origins", bad); err == nil || !strings.Contains(err.Error(), "cors-origins") {
			t.Errorf("--cors-origins %q accepted: %v", bad, err)
		}
	}
}

// TestConfigPrecedence: flag > environment > file > default, setting by setting.
func TestConfigPrecedence(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	cfg := writeFile(t, dir, "warden.yaml", `# every layer sets some of these
addr: 0.0.0.0:9000          # file only
domain: file.example        # file, env
first_org: FileOrg          # file, env, flag
drain_timeout: 40s
log_json: true
metrics: false
otel_endpoint:              # empty: stays at the default
`, 0o600)
	t.Setenv("WARDEN_CONFIG", cfg)
	t.Setenv("WARDEN_DOMAIN", "env.example")
	t.Setenv("WARDEN_FIRST_ORG", "EnvOrg")
	t.Setenv("WARDEN_LOG_LEVEL", "warn")
	t.Setenv("WARDEN_METRICS", "1") // env beats the file's false

	c, warn, err := load(t, "--first-org", "FlagOrg", "--log-level=debug", "--drain-timeout", "15s")
	if err != nil || len(warn) > 0 {
		t.Fatal(err, warn)
	}
	want := startConfig{
		dataDir:     "warden-data",    // default
		addr:        "0.0.0.0:9000",   // file
		domain:      "env.example",    // env over file
		orgName:     "FlagOrg",        // flag over env over file
		logLevel:    "debug",          // flag over env
		logJSON:     true,             // file
		drain:       15 * time.Second, // an explicit flag equal to the default still wins over the file
		metrics:     true,             // env over file
		corsOrigins: []string{"*"},    // default
	}
	want.purgeInterval = time.Minute // default
	want.outboxInterval = 10 * time.Second
	want.outboxLease = 5 * time.Minute
	want.deviceLifetime, want.devicePoll = 5*time.Minute, 5*time.Second
	if !reflect.DeepEqual(c, want) {
		t.Errorf("\n got %+v\nwant %+v", c, want)
	}

	// --config beats WARDEN_CONFIG.
	other := writeFile(t, dir, "other.yaml", "addr: 127.0.0.2:1\n", 0o600)
	c, _, err = load(t, "--config", other)
	if err != nil || c.addr != "127.0.0.2:1" || c.drain != 15*time.Second {
		t.Errorf("--config over WARDEN_CONFIG: %+v %v", c, err)
	}
}

func TestConfigErrors(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	for name, tc := range map[string]struct {
		yaml string
		env  map[string]string
		args []string
		want string
	}{
		"unknown key":      {yaml: "addr: x\nlisten_addr: y\n", want: `unknown key "listen_addr"`},
		"flag-style key":   {yaml: "data-dir: /x\n", want: `unknown key "data-dir"`},
		"duplicate key":    {yaml: "addr: a\naddr: b\n", want: "addr"},
		"nested value":     {yaml: "addr:\n  host: x\n", want: `"addr" wants a single value`},
		"not a mapping":    {yaml: "- addr\n", want: "want a mapping"},
		"bad yaml":         {yaml: "addr: [\n", want: "warden.yaml"},
		"bad duration":     {yaml: "drain_timeout: soon\n", want: "drain_timeout in"},
		"bad bool env":     {env: map[string]string{"WARDEN_LOG_JSON": "yes"}, want: "WARDEN_LOG_JSON: want true or false"},
		"bad flag":         {args: []string{"--drain-timeout", "x"}, want: "drain-timeout"},
		"unknown flag":     {args: []string{"--nope"}, want: "nope"},
		"stray argument":   {args: []string{"serve"}, want: `unexpected argument "serve"`},
		"missing file":     {args: []string{"--config", filepath.Join(dir, "absent.yaml")}, want: "--config"},
		"both secret envs": {env: map[string]string{"WARDEN_DATABASE": "postgres://x", "WARDEN_DATABASE_FILE": "/x"}, want: "both WARDEN_DATABASE and WARDEN_DATABASE_FILE"},
	} {
		t.Run(name, func(t *testing.T) {
			args := tc.args
			if tc.yaml != "" {
				args = append(args, "--config", writeFile(t, t.TempDir(), "warden.yaml", tc.yaml, 0o600))
			}
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			_, _, err := load(t, args...)
			t.Log(err) // what an operator would read
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want it to mention %q", err, tc.want)
			}
		})
	}
}

// TestConfigSecretFile: the DSN can come from a file in each source, ranked by
// the same precedence as the plain form; loose permissions warn.
func TestConfigSecretFile(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	fileDSN := writeFile(t, dir, "dsn-file", "postgres://from-yaml-file\n", 0o600)
	flagDSN := writeFile(t, dir, "dsn-flag", "postgres://from-flag-file\r\n", 0o600)
	loose := writeFile(t, dir, "dsn-loose", "postgres://loose\n", 0o644)
	cfg := writeFile(t, dir, "warden.yaml", "database_file: "+fileDSN+"\n", 0o600)

	c, warn, err := load(t, "--config", cfg)
	if err != nil || c.database != "postgres://from-yaml-file" || len(warn) > 0 {
		t.Fatalf("yaml database_file: %q %v %v", c.database, warn, err)
	}
	t.Setenv("WARDEN_DATABASE", "postgres://from-env")
	if c, _, _ = load(t, "--config", cfg); c.database != "postgres://from-env" {
		t.Errorf("env DSN should beat the file's database_file: %q", c.database)
	}
	if c, _, _ = load(t, "--config", cfg, "--database-file", flagDSN); c.database != "postgres://from-flag-file" {
		t.Errorf("--database-file should beat the env DSN: %q", c.database)
	}
	if _, _, err = load(t, "--database", "postgres://a", "--database-file", flagDSN); err == nil || !strings.Contains(err.Error(), "--database-file") {
		t.Errorf("both flags: %v", err)
	}
	t.Setenv("WARDEN_DATABASE", "")
	t.Setenv("WARDEN_DATABASE_FILE", loose)
	c, warn, err = load(t, "--config", cfg)
	if err != nil || c.database != "postgres://loose" {
		t.Fatalf("env file: %q %v", c.database, err)
	}
	if len(warn) != 1 || !strings.Contains(warn[0], loose) || !strings.Contains(warn[0], "0644") {
		t.Errorf("want one warning about %s, got %q", loose, warn)
	}
	// A group-readable config file warns too; an empty secret file is an error.
	looseCfg := writeFile(t, dir, "loose.yaml", "addr: 127.0.0.1:1\n", 0o640)
	t.Setenv("WARDEN_DATABASE_FILE", "")
	if _, warn, _ = load(t, "--config", looseCfg); len(warn) != 1 || !strings.Contains(warn[0], "config file") {
		t.Errorf("loose config file: %q", warn)
	}
	empty := writeFile(t, dir, "empty", "\n", 0o600)
	if _, _, err = load(t, "--database-file", empty); err == nil || !strings.Contains(err.Error(), "empty") {
		t.Errorf("empty secret file: %v", err)
	}
}

func TestStartHelp(t *testing.T) {
	clearEnv(t)
	var out bytes.Buffer
	if err := run([]string{"start", "--help"}, &out, &out); err != nil {
		t.Fatal(err)
	}
	h := out.String()
	for _, want := range []string{
		"flag  >  environment variable  >  config file  >  default",
		"--config FILE  (env WARDEN_CONFIG)",
		"--database-file FILE  (env WARDEN_DATABASE_FILE, yaml database_file)",
		"--drain-timeout duration  (env WARDEN_DRAIN_TIMEOUT, yaml drain_timeout)",
		"--metrics[=bool]",
		"--metrics-addr string  (env WARDEN_METRICS_ADDR, yaml metrics_addr)",
		"--metrics-token-file FILE  (env WARDEN_METRICS_TOKEN_FILE, yaml metrics_token_file)",
		"--otel-endpoint string",
		"--external-url string",
		"warns (and goes on)",
	} {
		if !strings.Contains(h, want) {
			t.Errorf("help lacks %q:\n%s", want, h)
		}
	}
}

// syncBuf is a log sink written by the server's goroutines.
type syncBuf struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuf) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuf) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestServeFromConfigFile starts the real server from a config file and checks
// the wiring: metrics on by default (store and engine series included), JSON
// access lines carrying the request id.
func TestServeFromConfigFile(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	cfg := writeFile(t, dir, "warden.yaml", "data_dir: "+filepath.Join(dir, "data")+"\naddr: 127.0.0.1:0\nmetrics_addr: 127.0.0.1:0\nlog_json: true\nlog_level: debug\ndrain_timeout: 2s\n", 0o600)
	c, _, err := load(t, "--config", cfg)
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuf
	log, err := newLogger(&logs, c.logLevel, c.logJSON)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- serve(ctx, c, log) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve: %v", err)
		}
	}()

	var base, metricsBase string
	for deadline := time.Now().Add(30 * time.Second); base == ""; {
		for _, l := range strings.Split(logs.String(), "\n") {
			var m map[string]any
			if json.Unmarshal([]byte(l), &m) != nil {
				continue
			}
			if m["msg"] == "serving" {
				base = "http://" + m["addr"].(string)
			}
			if a, ok := m["metrics_addr"].(string); ok {
				metricsBase = "http://" + a
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("never served:\n%s", logs.String())
		}
		time.Sleep(20 * time.Millisecond)
	}

	req, _ := http.NewRequest("GET", base+"/debug/healthz", nil)
	req.Header.Set("X-Request-Id", "from-the-balancer.1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get("X-Request-Id"); got != "from-the-balancer.1" {
		t.Errorf("X-Request-Id %q", got)
	}
	// Metrics are on their own listener, not on the API port.
	resp, err = http.Get(base + "/debug/metrics")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 {
		t.Errorf("API port /debug/metrics: %d, want 404", resp.StatusCode)
	}
	if metricsBase == "" {
		t.Fatalf("no metrics_addr in the log:\n%s", logs.String())
	}
	resp, err = http.Get(metricsBase + "/debug/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{"warden_sqlite_commit_batches_total", "warden_store_operation_duration_seconds_bucket",
		`warden_user_locks_total{cause="admin"} 0`, `warden_user_locks_total{cause="policy"} 0`, `warden_build_info{version="` + version + `"} 1`} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %q", want)
		}
	}
	if !strings.Contains(logs.String(), `"msg":"request","method":"GET","route":"healthz","status":200`) ||
		!strings.Contains(logs.String(), `"request_id":"from-the-balancer.1"`) {
		t.Errorf("no JSON access line with the request id:\n%s", logs.String())
	}

	// Stopping serve closes the metrics listener with the API port.
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve: %v", err)
	}
	done <- nil // for the deferred receive
	http.DefaultClient.CloseIdleConnections()
	for _, u := range []string{base, metricsBase} {
		if conn, err := net.DialTimeout("tcp", strings.TrimPrefix(u, "http://"), time.Second); err == nil {
			conn.Close()
			t.Errorf("%s still accepts connections after serve returned", u)
		}
	}
}

// TestConfigMetricsAccess: the metrics token comes from a file (or the
// environment) like every secret; metrics served with --metrics=false, or a
// guessable token, are refused at start.
func TestConfigMetricsAccess(t *testing.T) {
	clearEnv(t)
	dir := t.TempDir()
	tok := writeFile(t, dir, "tok", "0123456789abcdef0123\n", 0o600)
	c, warn, err := load(t, "--metrics-token-file", tok, "--metrics-addr", "127.0.0.1:9464")
	if err != nil || len(warn) > 0 || c.metricsToken != "0123456789abcdef0123" || c.metricsAddr != "127.0.0.1:9464" {
		t.Fatalf("%+v %v %v", c, warn, err)
	}
	t.Setenv("WARDEN_METRICS_TOKEN_FILE", tok)
	if c, _, err = load(t); err != nil || c.metricsToken != "0123456789abcdef0123" {
		t.Errorf("WARDEN_METRICS_TOKEN_FILE: %q %v", c.metricsToken, err)
	}
	t.Setenv("WARDEN_METRICS_TOKEN_FILE", "")

	st := testdb.SQLite(t)
	log := slog.New(slog.DiscardHandler)
	for name, tc := range map[string]struct {
		c    startConfig
		want string
	}{
		"addr without metrics":  {startConfig{metricsAddr: "127.0.0.1:0"}, "--metrics=false"},
		"token without metrics": {startConfig{metricsToken: "0123456789abcdef0123"}, "--metrics=false"},
		"short token":           {startConfig{metrics: true, metricsToken: "short"}, "at least 16"},
		"bad address":           {startConfig{metrics: true, metricsAddr: "nowhere:-1"}, "--metrics-addr"},
	} {
		_, _, _, _, stop, err := observability(context.Background(), tc.c, st, log)
		if err == nil {
			stop()
		}
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want an error mentioning %q", name, err, tc.want)
		}
	}
}

// TestConfigPurgeInterval: a duration of at least a second, from any source.
func TestConfigPurgeInterval(t *testing.T) {
	clearEnv(t)
	t.Setenv("WARDEN_PURGE_INTERVAL", "5m")
	if c, _, err := load(t); err != nil || c.purgeInterval != 5*time.Minute {
		t.Fatalf("from the environment: %v, %v", c.purgeInterval, err)
	}
	if c, _, err := load(t, "--purge-interval", "30s"); err != nil || c.purgeInterval != 30*time.Second {
		t.Fatalf("flag over environment: %v, %v", c.purgeInterval, err)
	}
	for _, bad := range []string{"10ms", "0s", "-1m", "often"} {
		if _, _, err := load(t, "--purge-interval", bad); err == nil {
			t.Errorf("--purge-interval %s accepted", bad)
		}
	}
}
