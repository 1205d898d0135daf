// Command wardenload measures Warden's write path: N clients, each looping
// lock/unlock on its own machine user, over REST or native gRPC, for a fixed
// time. It prints throughput and latency percentiles on one line per run.
//
// The same binary also measures the machine's ceiling: -serve-hello runs a
// plain net/http handler and -protocol hello drives it with the same loop, so
// both sides of the comparison share client code and process layout.
//
//	wardenload -target http://127.0.0.1:8080 -token-file data/admin.pat -protocol rest -clients 32 -duration 10s
//	wardenload -serve-hello 127.0.0.1:9090
//	wardenload -target http://127.0.0.1:9090/management/v1/users/1/_lock -protocol hello
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"
)

type config struct {
	targets   []string
	token     string
	protocol  string
	clients   int
	duration  time.Duration
	warmup    time.Duration
	grpcConns int
	asJSON    bool
	prefix    string
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "wardenload:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("wardenload", flag.ContinueOnError)
	target := fs.String("target", "http://127.0.0.1:8080", "base URL of the warden node (for -protocol hello: the full URL to POST to)")
	targets := fs.String("targets", "", "comma-separated base URLs; clients are spread round-robin over them (overrides -target)")
	tokenFile := fs.String("token-file", "", "file holding the bearer token (e.g. DATA_DIR/admin.pat)")
	token := fs.String("token", "", "bearer token (instead of -token-file)")
	protocol := fs.String("protocol", "rest", "rest, grpc, hello, client-credentials, introspect or userinfo")
	clients := fs.Int("clients", 32, "concurrent clients, each on its own user")
	duration := fs.Duration("duration", 10*time.Second, "measured time")
	warmup := fs.Duration("warmup", 2*time.Second, "time run but not measured, before -duration")
	grpcConns := fs.Int("grpc-conns", 1, "gRPC connections per target, shared by the clients")
	asJSON := fs.Bool("json", false, "print the result as one JSON object")
	prefix := fs.String("user-prefix", "", "user name prefix for the load users (default: load-<time>)")
	serveHello := fs.String("serve-hello", "", "run a plain net/http hello-world server on this address instead of a load run")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *serveHello != "" {
		return serveHelloWorld(*serveHello)
	}

	c := config{protocol: *protocol, clients: *clients, duration: *duration, warmup: *warmup,
		grpcConns: *grpcConns, asJSON: *asJSON, prefix: *prefix}
	if *targets != "" {
		for _, t := range strings.Split(*targets, ",") {
			if t = strings.TrimSpace(t); t != "" {
				c.targets = append(c.targets, strings.TrimRight(t, "/"))
			}
		}
	} else {
		c.targets = []string{strings.TrimRight(*target, "/")}
	}
	if len(c.targets) == 0 {
		return errors.New("no target")
	}
	c.token = *token
	if *tokenFile != "" {
		b, err := os.ReadFile(*tokenFile)
		if err != nil {
			return fmt.Errorf("read token: %w", err)
		}
		c.token = strings.TrimSpace(string(b))
	}
	if c.clients < 1 || c.duration <= 0 || c.warmup < 0 || c.grpcConns < 1 {
		return errors.New("-clients and -grpc-conns must be >= 1, -duration > 0, -warmup >= 0")
	}
	if c.prefix == "" {
		c.prefix = fmt.Sprintf("load-%d", time.Now().UnixNano())
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	var d driver
	var err error
	switch c.protocol {
	case "rest":
		d, err = newRESTDriver(c)
	case "grpc":
		d, err = newGRPCDriver(c)
	case "hello":
		d = newHelloDriver(c)
	case "client-credentials", "introspect", "userinfo":
		d, err = newOAuthDriver(c)
	default:
		return fmt.Errorf("unknown -protocol %q (rest, grpc, hello, client-credentials, introspect, userinfo)", c.protocol)
	}
	if err != nil {
		return err
	}
	defer d.close()

	setupCtx, cancel := context.WithTimeout(ctx, 2*time.Minute)
	err = d.setup(setupCtx, c.clients, c.prefix)
	cancel()
	if err != nil {
		return fmt.Errorf("setup: %w", err)
	}

	res := measure(ctx, d, c.clients, c.warmup, c.duration)
	res.Protocol, res.Targets = c.protocol, len(c.targets)
	if c.asJSON {
		if err := json.NewEncoder(os.Stdout).Encode(res); err != nil {
			return fmt.Errorf("write result: %w", err)
		}
	} else {
		fmt.Println(res.line())
	}
	if res.FirstError != "" {
		fmt.Fprintln(os.Stderr, "first error:", res.FirstError)
	}
	// Errors are part of the result; a run where nothing succeeded is not.
	if res.Ops == 0 {
		return errors.New("no operation succeeded")
	}
	return nil
}

// driver is one protocol's way to prepare users and run one operation.
type driver interface {
	// setup creates one user per client.
	setup(ctx context.Context, clients int, prefix string) error
	// op runs the n-th operation of client i (lock on even n, unlock on odd).
	op(ctx context.Context, client, n int) error
	close()
}

// helloDriver posts `{}` to a fixed URL: the same request shape as a REST
// lock, with no server work behind it.
type helloDriver struct {
	targets []string
	token   string
	http    *http.Client
}

func newHelloDriver(c config) *helloDriver {
	return &helloDriver{targets: c.targets, token: c.token, http: newHTTPClient(c.clients)}
}

func (h *helloDriver) setup(context.Context, int, string) error { return nil }

func (h *helloDriver) op(ctx context.Context, client, _ int) error {
	return postJSON(ctx, h.http, h.targets[client%len(h.targets)], h.token, nil)
}

func (h *helloDriver) close() { h.http.CloseIdleConnections() }

// serveHelloWorld answers every request with `{}`; it is the ceiling a Go
// HTTP server reaches on this machine with no work behind the handler.
func serveHelloWorld(addr string) error {
	srv := &http.Server{
		Addr: addr,
		Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.Copy(io.Discard, r.Body)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte("{}"))
		}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return fmt.Errorf("hello server: %w", err)
	case <-ctx.Done():
		sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		return srv.Shutdown(sctx)
	}
}
