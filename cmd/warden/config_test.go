package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
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
		logLevel: "info", drain: 15 * time.Second, metrics: true}
	if c != want {
		t.Errorf("defaults\n got %+v\nwant %+v", c, want)
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
		dataDir:  "warden-data",    // default
		addr:     "0.0.0.0:9000",   // file
		domain:   "env.example",    // env over file
		orgName:  "FlagOrg",        // flag over env over file
		logLevel: "debug",          // flag over env
		logJSON:  true,             // file
		drain:    15 * time.Second, // an explicit flag equal to the default still wins over the file
		metrics:  true,             // env over file
	}
	if c != want {
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
		"--otel-endpoint string",
		"--external-url string",
		"warns (and goes on)",
	} {
		if !strings.Contains(h, want) {
			t.Errorf("help lacks %q:\n%s", want, h)
		}
	}
}
