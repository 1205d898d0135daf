package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/warden-id/warden/internal/masterkey"
	"github.com/warden-id/warden/internal/server"
	"go.yaml.in/yaml/v3"
)

// Configuration of "warden start" comes from four sources with ONE order of
// precedence, for every setting alike:
//
//	flag  >  environment variable  >  YAML config file  >  default
//
// Each setting is declared once, in settings(); its names in the other sources
// derive from the flag name (--first-org, WARDEN_FIRST_ORG, first_org), so
// adding a setting is one line and no source can forget it.

// setting is one configuration value.
type setting struct {
	name    string // flag name; env and YAML names derive from it
	usage   string
	def     string // default, as text (shown in --help)
	kind    string // "string", "bool" or "duration", for --help
	secret  bool   // never logged; may also be read from a file (--NAME-file)
	set     func(string) error
	flagVal *string // set by the flag parser
	fileVal *string // --NAME-file given as a flag (secrets only)
}

func (s *setting) env() string {
	return "WARDEN_" + strings.ToUpper(strings.ReplaceAll(s.name, "-", "_"))
}
func (s *setting) yaml() string { return strings.ReplaceAll(s.name, "-", "_") }

func strSetting(p *string, name, def, usage string) *setting {
	return &setting{name: name, def: def, usage: usage, kind: "string", set: func(v string) error { *p = v; return nil }}
}

func secretSetting(p *string, name, def, usage string) *setting {
	s := strSetting(p, name, def, usage)
	s.secret = true
	return s
}

// masterKeySetting is the key-encryption key (ZITADEL's --masterkey and
// --masterkeyFile), checked for its length when it is read so the error names
// the source; the key itself never appears in an error or the log.
func masterKeySetting(p *string) *setting {
	s := secretSetting(p, "masterkey", "", "master key (32 characters) sealing the keys kept in the database; "+
		"empty: data-dir/masterkey, generated 0600 for the embedded store; required with --database (one for all nodes)")
	s.set = func(v string) error {
		if v != "" {
			if _, err := masterkey.Parse([]byte(v)); err != nil {
				return err
			}
		}
		*p = v
		return nil
	}
	return s
}

func boolSetting(p *bool, name string, def bool, usage string) *setting {
	return &setting{name: name, def: strconv.FormatBool(def), usage: usage, kind: "bool", set: func(v string) error {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return fmt.Errorf("want true or false (or 1 or 0), got %q", v)
		}
		*p = b
		return nil
	}}
}

func durationSetting(p *time.Duration, name string, def time.Duration, usage string) *setting {
	return &setting{name: name, def: def.String(), usage: usage, kind: "duration", set: func(v string) error {
		d, err := time.ParseDuration(v)
		if err != nil {
			return fmt.Errorf("want a duration such as 15s or 1m, got %q", v)
		}
		*p = d
		return nil
	}}
}

// intervalSetting is a duration of at least min.
func intervalSetting(p *time.Duration, name string, def, min time.Duration, usage string) *setting {
	s := durationSetting(p, name, def, usage)
	parse := s.set
	s.set = func(v string) error {
		if err := parse(v); err != nil {
			return err
		}
		if *p < min {
			return fmt.Errorf("want at least %v, got %v", min, *p)
		}
		return nil
	}
	return s
}

// settings lists every setting of "warden start", bound to c's fields.
func (c *startConfig) settings() []*setting {
	return []*setting{
		strSetting(&c.dataDir, "data-dir", "warden-data", "directory for the embedded store (warden.db) and admin.pat; created 0700"),
		strSetting(&c.addr, "addr", "127.0.0.1:8080", "listen address for every protocol (gRPC, gRPC-Web, Connect, REST)"),
		secretSetting(&c.database, "database", "", "PostgreSQL DSN (postgres://...); empty uses the embedded store in data-dir"),
		masterKeySetting(&c.masterKey),
		strSetting(&c.domain, "domain", "localhost", "instance domain used in login names (user@org.domain)"),
		strSetting(&c.orgName, "first-org", "Warden", "name of the organisation created at first start"),
		strSetting(&c.external, "external-url", "", "URL clients reach Warden at: the OIDC issuer (empty: http:// + the listen address)"),
		strSetting(&c.logLevel, "log-level", "info", "debug, info, warn or error (debug adds one access line per request)"),
		boolSetting(&c.logJSON, "log-json", false, "log JSON lines instead of text"),
		durationSetting(&c.drain, "drain-timeout", 15*time.Second, "how long SIGTERM waits for in-flight requests"),
		intervalSetting(&c.purgeInterval, "purge-interval", defaultPurgeInterval, time.Second,
			"how often expired tokens, sessions and auth requests are deleted (on PostgreSQL by one node at a time)"),
		intervalSetting(&c.outboxInterval, "outbox-interval", defaultOutboxInterval, time.Second,
			"how often queued mails are delivered (retries back off from 30s to 1h; on PostgreSQL by one node at a time)"),
		intervalSetting(&c.outboxLease, "outbox-lease", defaultOutboxLease, time.Second,
			"how long a claimed mail is kept from other delivery runs: after a crash it is sent again (same Message-ID) once this ends"),
		intervalSetting(&c.deviceLifetime, "device-lifetime", 5*time.Minute, time.Second,
			"how long a device flow's user code may be entered (RFC 8628)"),
		intervalSetting(&c.devicePoll, "device-poll-interval", 5*time.Second, time.Second,
			"how often a device may poll the token endpoint (whole seconds; faster polls hear slow_down)"),
		boolSetting(&c.metrics, "metrics", true, "collect Prometheus metrics (served only where --metrics-addr or --metrics-token say)"),
		strSetting(&c.metricsAddr, "metrics-addr", "", "listen address serving only GET /debug/metrics, without a token (loopback or a private network); empty: none"),
		secretSetting(&c.metricsToken, "metrics-token", "", "bearer token that GET /debug/metrics on --addr requires; empty: not served on --addr"),
		strSetting(&c.otelEndpoint, "otel-endpoint", "", "OTLP/HTTP trace receiver, e.g. http://127.0.0.1:4318; empty: no tracing"),
		corsSetting(&c.corsOrigins),
		prefixesSetting(&c.trustedProxies, "trusted-proxies", "proxies whose X-Forwarded-For the login throttle believes: CIDRs or addresses, comma-separated (e.g. 10.0.0.0/8); empty: none"),
	}
}

// corsSetting is the origins a browser page may call the API from.
func corsSetting(p *[]string) *setting {
	return &setting{name: "cors-origins", def: "*", kind: "string",
		usage: `origins browser pages may call the API from (CORS; REST, gRPC-Web, Connect): "*" for any, without credentials; ` +
			`or a comma-separated list such as https://app.example.com, reflected with credentials; empty: no CORS`,
		set: func(v string) error {
			o, err := server.ParseCORSOrigins(v)
			if err != nil {
				return err
			}
			*p = o
			return nil
		}}
}

// prefixesSetting is a comma-separated list of CIDR prefixes (a bare address
// is its own /32 or /128).
func prefixesSetting(p *[]netip.Prefix, name, usage string) *setting {
	return &setting{name: name, def: "", usage: usage, kind: "string", set: func(v string) error {
		var out []netip.Prefix
		for _, part := range strings.Split(v, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			pf, err := netip.ParsePrefix(part)
			if err != nil {
				a, aerr := netip.ParseAddr(part)
				if aerr != nil {
					return fmt.Errorf("want CIDRs such as 10.0.0.0/8 or addresses, got %q", part)
				}
				pf = netip.PrefixFrom(a, a.BitLen())
			}
			out = append(out, pf.Masked())
		}
		*p = out
		return nil
	}}
}

// configEnv names the config file when --config is not given.
const configEnv = "WARDEN_CONFIG"

// flagValue lets the flag package fill a setting while remembering that the
// flag was given (an explicit flag equal to the default still beats the env).
// With file set it holds the path of --NAME-file instead.
type flagValue struct {
	s    *setting
	file bool
}

func (f *flagValue) String() string { return "" }

func (f *flagValue) Set(v string) error {
	if f.file {
		f.s.fileVal = &v
		return nil
	}
	if err := f.s.set(v); err != nil { // report bad values at parse time
		return err
	}
	f.s.flagVal = &v
	return nil
}

func (f *flagValue) IsBoolFlag() bool { return !f.file && f.s.kind == "bool" }

// loadStartConfig resolves every setting of "warden start" from args, the
// environment and the config file. warnings are for the log, once it exists.
func loadStartConfig(args []string, stderr io.Writer) (c startConfig, warnings []string, err error) {
	ss := c.settings()
	fs := flag.NewFlagSet("start", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var configFlag string
	fs.StringVar(&configFlag, "config", "", "")
	for _, s := range ss {
		fs.Var(&flagValue{s: s}, s.name, s.usage)
		if s.secret {
			fs.Var(&flagValue{s: s, file: true}, s.name+"-file", "")
		}
	}
	fs.Usage = func() { printStartHelp(stderr, ss) }
	if err := fs.Parse(args); err != nil {
		return c, nil, err
	}
	if fs.NArg() > 0 {
		return c, nil, fmt.Errorf("start: unexpected argument %q", fs.Arg(0))
	}

	path, pathSrc := configFlag, "--config"
	if path == "" {
		path, pathSrc = os.Getenv(configEnv), configEnv
	}
	var file map[string]string
	if path != "" {
		if file, err = readConfigFile(path, ss); err != nil {
			return c, nil, fmt.Errorf("%s: %w", pathSrc, err)
		}
		if w := permWarning(path, "config file"); w != "" {
			warnings = append(warnings, w)
		}
	}

	for _, s := range ss {
		w, err := resolve(s, file, path)
		if err != nil {
			return c, nil, err
		}
		if w != "" {
			warnings = append(warnings, w)
		}
	}
	return c, warnings, nil
}

// resolve applies the highest-precedence source that sets s. A secret and its
// -file form are one setting: the higher source wins; both in one source is an
// error, since neither can be said to be meant.
func resolve(s *setting, file map[string]string, path string) (warning string, err error) {
	type source struct {
		value, fromFile     *string
		valueName, fileName string
	}
	envOf := func(name string) *string {
		if v := os.Getenv(name); v != "" { // empty counts as unset, as before
			return &v
		}
		return nil
	}
	yamlOf := func(key string) *string {
		if v, ok := file[key]; ok {
			return &v
		}
		return nil
	}
	sources := []source{
		{s.flagVal, s.fileVal, "--" + s.name, "--" + s.name + "-file"},
		{envOf(s.env()), nil, s.env(), s.env() + "_FILE"},
		{yamlOf(s.yaml()), nil, s.yaml() + " in " + path, s.yaml() + "_file in " + path},
	}
	if s.secret {
		sources[1].fromFile = envOf(s.env() + "_FILE")
		sources[2].fromFile = yamlOf(s.yaml() + "_file")
	}
	for _, src := range sources {
		switch {
		case src.value != nil && src.fromFile != nil:
			return "", fmt.Errorf("both %s and %s are set; use one", src.valueName, src.fileName)
		case src.value != nil:
			if err := s.set(*src.value); err != nil {
				return "", fmt.Errorf("%s: %w", src.valueName, err)
			}
			return "", nil
		case src.fromFile != nil:
			v, err := readSecretFile(*src.fromFile)
			if err != nil {
				return "", fmt.Errorf("%s: %w", src.fileName, err)
			}
			if err := s.set(v); err != nil {
				return "", fmt.Errorf("%s: %w", src.fileName, err)
			}
			return permWarning(*src.fromFile, src.fileName), nil
		}
	}
	return "", s.set(s.def)
}

// readConfigFile reads a flat YAML mapping of setting names to scalars.
// Unknown keys are an error: a misspelt key would otherwise be silently ignored
// and its setting left at the default.
func readConfigFile(path string, ss []*setting) (map[string]string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	known := map[string]bool{}
	for _, s := range ss {
		known[s.yaml()] = true
		if s.secret {
			known[s.yaml()+"_file"] = true
		}
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(raw, &doc); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := map[string]string{}
	if len(doc.Content) == 0 { // empty file
		return out, nil
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: want a mapping of settings (key: value), got %s", path, kindName(m.Kind))
	}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if !known[k.Value] {
			names := make([]string, 0, len(known))
			for n := range known {
				names = append(names, n)
			}
			sort.Strings(names)
			return nil, fmt.Errorf("%s:%d: unknown key %q (known keys: %s)", path, k.Line, k.Value, strings.Join(names, ", "))
		}
		if _, dup := out[k.Value]; dup {
			return nil, fmt.Errorf("%s:%d: key %q given twice", path, k.Line, k.Value)
		}
		if v.Kind != yaml.ScalarNode {
			return nil, fmt.Errorf("%s:%d: %q wants a single value, got %s", path, v.Line, k.Value, kindName(v.Kind))
		}
		if v.Tag == "!!null" {
			continue // "key:" with no value leaves the setting to the default
		}
		out[k.Value] = v.Value
	}
	return out, nil
}

func kindName(k yaml.Kind) string {
	switch k {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	case yaml.AliasNode:
		return "an alias"
	}
	return "a scalar"
}

// readSecretFile returns a file's content without its trailing newline (the
// form `echo secret > file` and Kubernetes/Docker secrets leave).
func readSecretFile(path string) (string, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return "", err
	}
	v := string(bytes.TrimRight(raw, "\r\n"))
	if v == "" {
		return "", fmt.Errorf("%s is empty", path)
	}
	return v, nil
}

// permWarning says so when a file that may hold secrets is readable by group or
// others. It warns rather than refuses: mounted secrets (Kubernetes, Docker) are
// often 0644 inside a container nobody else can enter.
func permWarning(path, what string) string {
	if runtime.GOOS == "windows" {
		return ""
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm()&0o044 == 0 {
		return ""
	}
	return fmt.Sprintf("%s %s is readable by group or others (mode %04o); chmod 600 it", what, path, fi.Mode().Perm())
}

// printStartHelp prints the settings with every name they go by, and the rules.
func printStartHelp(w io.Writer, ss []*setting) {
	var b strings.Builder
	b.WriteString(`Usage: warden start [flags]

Every setting can be given as a flag, an environment variable or a key of a YAML
config file. One order of precedence applies to all of them:

    flag  >  environment variable  >  config file  >  default

An empty environment variable counts as unset. The config file is named by
--config FILE or WARDEN_CONFIG; it is a flat mapping (addr: 0.0.0.0:8080), and an
unknown key is an error. Secrets (the DSN, the master key) may come from files:
--database-file, WARDEN_DATABASE_FILE or database_file: read the DSN from that
file (a trailing newline is dropped); the file form and the plain form are one
setting, ranked by the same order. Warden warns (and goes on) when the config
file or a secret file is readable by group or others.

  --config FILE  (env WARDEN_CONFIG)
        YAML config file
`)
	for _, s := range ss {
		arg := " " + s.kind
		if s.kind == "bool" {
			arg = "[=bool]"
		}
		fmt.Fprintf(&b, "  --%s%s  (env %s, yaml %s)\n", s.name, arg, s.env(), s.yaml())
		if s.secret {
			fmt.Fprintf(&b, "  --%s-file FILE  (env %s_FILE, yaml %s_file)\n", s.name, s.env(), s.yaml())
		}
		def := ""
		if s.def != "" {
			def = fmt.Sprintf(" (default %s)", s.def)
		}
		fmt.Fprintf(&b, "        %s%s\n", s.usage, def)
	}
	_, _ = io.WriteString(w, b.String())
}
