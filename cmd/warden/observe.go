package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/metrics"
	"github.com/warden-id/warden/internal/server"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/tracing"
	"go.opentelemetry.io/otel"
)

// observability wires metrics and tracing as configured. It returns the store to
// use (timed when metrics are on), the options for the app and the server, and a
// function that flushes buffered spans on the way out.
func observability(ctx context.Context, c startConfig, st store.Store, log *slog.Logger) (store.Store, []app.Option, []server.Option, func(), error) {
	var appOpts []app.Option
	var srvOpts []server.Option
	stop := func() {}
	if c.metrics {
		m := metrics.New(version)
		st = m.Store(st)
		appOpts = append(appOpts, app.WithObserver(m))
		srvOpts = append(srvOpts, server.WithMetrics(m))
	}
	if c.otelEndpoint != "" {
		tp, err := tracing.Start(ctx, c.otelEndpoint, version)
		if err != nil {
			return nil, nil, nil, nil, err
		}
		// Export failures (collector down) are worth a warning, not a crash.
		otel.SetErrorHandler(otel.ErrorHandlerFunc(func(err error) { log.Warn("tracing", "err", err) }))
		srvOpts = append(srvOpts, server.WithTracerProvider(tp))
		stop = func() {
			sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := tp.Shutdown(sctx); err != nil {
				log.Warn("tracing: flushing spans at exit", "err", err)
			}
		}
		log.Info("tracing on", "otlp_endpoint", c.otelEndpoint)
	}
	return st, appOpts, srvOpts, stop, nil
}
