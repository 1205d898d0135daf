// Package tracing sets up OpenTelemetry traces exported over OTLP/HTTP. It is
// used only when an endpoint is configured: without one Warden creates no
// tracer, and the server's hot path has no tracing code on it at all.
package tracing

import (
	"context"
	"fmt"
	"net/url"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Start returns a TracerProvider that batches spans to the OTLP/HTTP receiver at
// endpoint (e.g. http://127.0.0.1:4318; "/v1/traces" is added when the URL has
// no path). Shut it down on exit to flush what is buffered.
func Start(ctx context.Context, endpoint, version string) (*sdktrace.TracerProvider, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("otel endpoint %q: want an http:// or https:// URL such as http://127.0.0.1:4318", endpoint)
	}
	if strings.Trim(u.Path, "/") == "" {
		u.Path = "/v1/traces"
	}
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(u.String()))
	if err != nil {
		return nil, fmt.Errorf("otel exporter: %w", err)
	}
	res := resource.NewSchemaless(
		attribute.String("service.name", "warden"),
		attribute.String("service.version", version),
	)
	return sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(res),
		// Follow the caller's sampling decision; sample everything we start.
		sdktrace.WithSampler(sdktrace.ParentBased(sdktrace.AlwaysSample())),
	), nil
}
