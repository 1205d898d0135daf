package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/metrics"
	"github.com/warden-id/warden/internal/scheduler"
	"github.com/warden-id/warden/internal/server"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/tracing"
	"go.opentelemetry.io/otel"
)

// minMetricsToken is the shortest metrics token accepted: it guards an endpoint
// on the public port, so it must not be guessable.
const minMetricsToken = 16

// observability wires metrics and tracing as configured. It returns the store to
// use (timed when metrics are on), the options for the app, the server and the
// scheduler, and a function that flushes buffered spans (and closes a metrics
// listener serving never took over) on the way out.
func observability(ctx context.Context, c startConfig, st store.Store, log *slog.Logger) (store.Store, []app.Option, []server.Option, []scheduler.Option, func(), error) {
	var appOpts []app.Option
	var srvOpts []server.Option
	var schedOpts []scheduler.Option
	stop := func() {}
	if !c.metrics && (c.metricsAddr != "" || c.metricsToken != "") {
		return nil, nil, nil, nil, nil, errors.New("--metrics-addr and --metrics-token serve metrics, which --metrics=false turns off")
	}
	if c.metricsToken != "" && len(c.metricsToken) < minMetricsToken {
		return nil, nil, nil, nil, nil, fmt.Errorf("--metrics-token: want at least %d characters (e.g. openssl rand -hex 32)", minMetricsToken)
	}
	if c.metrics {
		m := metrics.New(version)
		st = m.Store(st)
		appOpts = append(appOpts, app.WithObserver(m))
		schedOpts = append(schedOpts, scheduler.WithObserver(m))
		srvOpts = append(srvOpts, server.WithMetrics(m))
		if c.metricsToken != "" {
			srvOpts = append(srvOpts, server.WithMetricsToken(c.metricsToken))
			log.Info("metrics at GET /debug/metrics on the API port, for the metrics bearer token")
		}
		if c.metricsAddr != "" {
			ln, err := net.Listen("tcp", c.metricsAddr)
			if err != nil {
				return nil, nil, nil, nil, nil, fmt.Errorf("--metrics-addr: %w", err)
			}
			srvOpts = append(srvOpts, server.WithMetricsListener(ln))
			stop = func() { ln.Close() } // if serving never started; the server closes it otherwise
			log.Info("metrics at GET /debug/metrics on their own listener", "metrics_addr", ln.Addr().String())
		}
		if c.metricsToken == "" && c.metricsAddr == "" {
			log.Info("metrics are collected but served nowhere; set --metrics-addr or --metrics-token-file to scrape them")
		}
	}
	if c.otelEndpoint != "" {
		tp, err := tracing.Start(ctx, c.otelEndpoint, version)
		if err != nil {
			return nil, nil, nil, nil, nil, err
		}
		// Export failures (collector down) are worth a warning, not a crash.
		otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { log.Warn("tracing", "err", err) }))
		srvOpts = append(srvOpts, server.WithTracerProvider(tp))
		closeMetrics := stop
		stop = func() {
			defer closeMetrics()
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := tp.Shutdown(sctx); err != nil {
				log.Warn("tracing: flushing spans at exit", "err", err)
			}
		}
		log.Info("tracing on", "otlp_endpoint", c.otelEndpoint)
	}
	return st, appOpts, srvOpts, schedOpts, stop, nil
}
