// Command warden is the Warden identity server.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"net"
	"net/netip"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/console"
	"github.com/warden-id/warden/internal/login"
	"github.com/warden-id/warden/internal/masterkey"
	"github.com/warden-id/warden/internal/oidc"
	"github.com/warden-id/warden/internal/requestid"
	"github.com/warden-id/warden/internal/scheduler"
	"github.com/warden-id/warden/internal/server"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/postgres"
	"github.com/warden-id/warden/internal/store/sqlite"
)

var version = "dev"

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "warden:", err)
		os.Exit(1)
	}
}

const usage = `warden — identity and access management, ZITADEL-compatible user API

Usage:
  warden start [flags]   serve the API (run "warden start --help" for flags)
  warden store copy      copy a store into an empty PostgreSQL database ("warden store copy --help")
  warden backup          online snapshot of the embedded store ("warden backup --help")
  warden version         print the version
`

func run(args []string, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errors.New("no command")
	}
	switch args[0] {
	case "start":
		return start(args[1:], stderr)
	case "store":
		return storeCommand(args[1:], stdout, stderr)
	case "backup":
		return backupCommand(args[1:], stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, version)
		return nil
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	fmt.Fprint(stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

type startConfig struct {
	dataDir  string
	addr     string
	database string
	domain   string
	orgName  string
	logLevel string
	logJSON  bool
	drain    time.Duration
	external string // issuer and base of every link Warden hands out
	metrics  bool   // collect metrics
	// Where /debug/metrics is served: a listener of its own, and/or the API
	// port behind a bearer token. Neither: nowhere.
	metricsAddr  string
	metricsToken string
	// otelEndpoint is the OTLP/HTTP receiver for traces; "" = no tracing.
	otelEndpoint string
	// trustedProxies may set X-Forwarded-For for the login throttle.
	trustedProxies []netip.Prefix
	// corsOrigins may call the API from a browser ("*": any); none: no CORS.
	corsOrigins []string

	// masterKey is the master key as given (32 characters); "" = the
	// data dir's masterkey file. Never logged.
	masterKey string

	// purgeInterval is how often the purge of expired artifacts runs.
	purgeInterval time.Duration
	// outboxInterval is how often the outbox delivery runs.
	outboxInterval time.Duration
	// outboxLease is how long a delivery run's claim on a mail lasts.
	outboxLease time.Duration

	// deviceLifetime and devicePoll are the device flow's code lifetime and
	// poll interval (zero: ZITADEL's 5m and 5s).
	deviceLifetime, devicePoll time.Duration

	// stderr gets what is printed for a person rather than the log (the first
	// sign-in); nil: os.Stderr.
	stderr io.Writer
}

// defaultPurgeInterval is --purge-interval's default.
const defaultPurgeInterval = time.Minute

// defaultOutboxInterval is --outbox-interval's default.
const defaultOutboxInterval = 10 * time.Second

// defaultOutboxLease is --outbox-lease's default.
const defaultOutboxLease = 5 * time.Minute

func start(args []string, stderr io.Writer) error {
	// Flags, environment and config file: see config.go for the precedence.
	c, warnings, err := loadStartConfig(args, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return nil
	}
	if err != nil {
		return err
	}
	log, err := newLogger(stderr, c.logLevel, c.logJSON)
	if err != nil {
		return err
	}
	// Libraries that log through the default logger (zitadel/oidc's request
	// errors) then write in the same format, with the request id.
	slog.SetDefault(log)
	for _, w := range warnings {
		log.Warn(w)
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	c.stderr = stderr
	return serve(ctx, c, log)
}

func newLogger(w io.Writer, level string, asJSON bool) (*slog.Logger, error) {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level: %w", err)
	}
	opts := &slog.HandlerOptions{Level: l}
	// Every record logged with a request's context carries its request_id.
	if asJSON {
		return slog.New(requestid.LogHandler(slog.NewJSONHandler(w, opts))), nil
	}
	return slog.New(requestid.LogHandler(slog.NewTextHandler(w, opts))), nil
}

// openStore picks the engine: PostgreSQL for a postgres:// DSN, else SQLite in dataDir.
func openStore(ctx context.Context, database, dataDir string) (store.Store, string, error) {
	if database != "" {
		if !strings.HasPrefix(database, "postgres://") && !strings.HasPrefix(database, "postgresql://") {
			return nil, "", errors.New("--database must be a postgres:// or postgresql:// URL")
		}
		s, err := postgres.Open(ctx, database)
		return s, "postgres " + redact(database), err
	}
	path := filepath.Join(dataDir, "warden.db")
	s, err := sqlite.Open(ctx, path)
	return s, "sqlite " + path, err
}

// redact hides the password of a DSN for the log.
func redact(dsn string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return "postgres://(unparsable)"
	}
	return u.Redacted()
}

func serve(ctx context.Context, c startConfig, log *slog.Logger) error {
	if err := os.MkdirAll(c.dataDir, 0o700); err != nil {
		return fmt.Errorf("data dir: %w", err)
	}
	if c.database == "" {
		// Held until the process ends: the embedded store serves one process.
		lock, err := lockDataDir(c.dataDir)
		switch {
		case errors.Is(err, errDirLockUnsupported):
			log.Warn("this platform has no flock: a second warden on this data dir would not be refused; run only one", "data_dir", c.dataDir)
		case err != nil:
			return err
		default:
			defer lock.Close()
		}
	}
	mk, mkFrom, err := loadMasterKey(c, log)
	if err != nil {
		return err
	}
	octx, cancel := context.WithTimeout(ctx, 60*time.Second)
	st, desc, err := openStore(octx, c.database, c.dataDir)
	cancel()
	if err != nil {
		return fmt.Errorf("open store: %w", err)
	}
	defer st.Close()
	log.Info("store open", "store", desc)
	// The engine itself, before observability wraps it: on PostgreSQL it
	// holds the scheduler's leases.
	engine := st
	st, appOpts, srvOpts, schedOpts, stopTracing, err := observability(ctx, c, st, log)
	if err != nil {
		return err
	}
	defer stopTracing()

	appOpts = append(appOpts, app.WithDeviceConfig(app.DeviceConfig{Lifetime: c.deviceLifetime, PollInterval: c.devicePoll}),
		app.WithDelivery(app.DeliveryConfig{Lease: c.outboxLease}))
	a := app.New(st, log, c.domain, append(appOpts, app.WithMasterKey(mk))...)
	if err := a.CheckMasterKey(ctx); err != nil {
		if errors.Is(err, app.ErrMasterKeyMismatch) {
			return fmt.Errorf("%w; the key used came from %s: start with the one the database was set up with", err, mkFrom)
		}
		return err
	}
	patPath := filepath.Join(c.dataDir, "admin.pat")
	tmp := patPath + ".tmp"
	boot, err := a.Bootstrap(ctx, c.orgName, func(token string) error {
		return os.WriteFile(tmp, []byte(token+"\n"), 0o600)
	})
	if err != nil {
		_ = os.Remove(tmp)
		return err
	}
	if boot != nil {
		if err := os.Rename(tmp, patPath); err != nil {
			return fmt.Errorf("admin token committed but not moved into place (it is in %s): %w", tmp, err)
		}
		log.Info("first start: created instance, organisation and administrator; its personal access token is in the file",
			"instance", boot.Instance.ID, "org", boot.Instance.DefaultOrgID, "admin_user", boot.AdminID, "file", patPath)
	} else {
		_ = os.Remove(tmp)
		log.Info("instance exists; reusing it")
	}

	ln, err := net.Listen("tcp", c.addr)
	if err != nil {
		if boot != nil { // the only chance to see the password
			printFirstSignIn(c.stderr, "", boot)
		}
		return err
	}
	external := c.external
	if external == "" {
		external = "http://" + ln.Addr().String()
	}
	a.SetPublicURL(external)
	consoleURL := strings.TrimSuffix(external, "/") + "/ui/console"
	if boot != nil {
		printFirstSignIn(c.stderr, consoleURL, boot)
	}
	prov, err := oidc.New(ctx, a, st, external, log)
	if err != nil {
		ln.Close()
		return err
	}
	con, err := console.New(a, prov, console.Options{Logger: log})
	if err != nil {
		ln.Close()
		return err
	}
	srv, err := server.New(a, log, append(srvOpts, server.WithOIDC(prov.Handler(),
		login.New(a, prov, login.Options{SecureCookies: strings.HasPrefix(external, "https://"), Logger: log,
			TrustedProxies: c.trustedProxies})),
		server.WithConsole(con), server.WithCORSOrigins(c.corsOrigins...))...)
	if err != nil {
		ln.Close()
		return err
	}
	jobs, err := startJobs(ctx, a, engine, c, log, schedOpts...)
	if err != nil {
		ln.Close()
		return err
	}
	log.Info("serving", "addr", ln.Addr().String(), "console", consoleURL, "version", version)
	err = srv.Serve(ctx, ln, c.drain)
	// Background jobs heard the stop with the server and finish the
	// transaction they are in; they get the drain timeout too.
	sctx, cancel := context.WithTimeout(context.Background(), c.drain)
	if jerr := jobs.Stop(sctx); jerr != nil {
		log.Warn("background jobs did not stop in time", "err", jerr)
	}
	cancel()
	log.Info("stopped")
	return err
}

// startJobs registers Warden's background jobs on one scheduler and starts it.
// On PostgreSQL the engine's leases make each job run on one node at a time,
// once per interval between them; on the embedded store this process runs them.
func startJobs(ctx context.Context, a *app.App, engine store.Store, c startConfig, log *slog.Logger, opts ...scheduler.Option) (*scheduler.Scheduler, error) {
	if pg, ok := engine.(*postgres.Store); ok {
		opts = append(opts, scheduler.WithLeaser(pg))
	}
	purge := c.purgeInterval
	if purge <= 0 { // a startConfig not made by loadStartConfig (tests)
		purge = defaultPurgeInterval
	}
	outbox := c.outboxInterval
	if outbox <= 0 {
		outbox = defaultOutboxInterval
	}
	s := scheduler.New(log, opts...)
	for _, j := range []scheduler.Job{
		a.PurgeJobEvery(purge),
		a.OutboxJobEvery(outbox),
	} {
		if err := s.Register(j); err != nil {
			return nil, err
		}
		log.Info("background job", "job", j.Name, "interval", j.Interval.String())
	}
	s.Start(ctx)
	return s, nil
}

// printFirstSignIn tells the person starting Warden for the first time where
// to sign in and with what: printed once, outside the structured log, and
// useless after the forced change at the first sign-in.
func printFirstSignIn(w io.Writer, consoleURL string, boot *app.Bootstrapped) {
	if w == nil {
		w = os.Stderr
	}
	where := "First sign-in"
	if consoleURL != "" {
		where = "First sign-in: open " + consoleURL + ";"
	} else {
		where += ":"
	}
	fmt.Fprintf(w, "\n%s user %q, one-time password %s (you must change it at the first sign-in)\n\n",
		where, boot.HumanLogin, boot.HumanPassword)
}

// masterKeyFile is where the embedded store's master key lives by default.
const masterKeyFile = "masterkey"

// loadMasterKey finds the master key: as given (--masterkey-file,
// WARDEN_MASTERKEY, ...), else data-dir/masterkey. The embedded store
// generates that file at its first start; PostgreSQL does not, since every
// node must share one key and a key made on one node alone would lock the
// others out. from says where the key came from, for errors.
func loadMasterKey(c startConfig, log *slog.Logger) (k *masterkey.Key, from string, err error) {
	if c.masterKey != "" {
		k, err := masterkey.Parse([]byte(c.masterKey))
		return k, "the master key setting (--masterkey, --masterkey-file, WARDEN_MASTERKEY or masterkey in the config file)", err
	}
	path := filepath.Join(c.dataDir, masterKeyFile)
	if c.database != "" {
		raw, err := os.ReadFile(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil, "", fmt.Errorf("with --database (PostgreSQL) the master key must be given, the same on every node: "+
				"put 32 characters (e.g. from `head -c 24 /dev/urandom | base64`) in a file only Warden can read and pass "+
				"--masterkey-file FILE, or set WARDEN_MASTERKEY (or place the file at %s)", path)
		}
		if err != nil {
			return nil, "", fmt.Errorf("master key: %w", err)
		}
		if k, err = masterkey.Parse(raw); err != nil {
			return nil, "", fmt.Errorf("master key %s: %w", path, err)
		}
	} else {
		var created bool
		if k, created, err = masterkey.LoadOrCreate(path); err != nil {
			return nil, "", fmt.Errorf("master key: %w", err)
		}
		if created {
			log.Info("generated the master key; keep a copy apart from the backups, which do not contain it", "file", path)
			return k, path + " (generated just now, as there was none: put the original there)", nil
		}
	}
	if w := permWarning(path, "master key file"); w != "" {
		log.Warn(w)
	}
	return k, path, nil
}
