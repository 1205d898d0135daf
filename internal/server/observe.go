package server

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/warden-id/warden/internal/metrics"
	"github.com/warden-id/warden/internal/requestid"
	"go.opentelemetry.io/otel/attribute"
	otelcodes "go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Option configures a Server.
type Option func(*Server)

// WithMetrics records HTTP and RPC metrics into m. It serves them nowhere:
// WithMetricsListener and WithMetricsToken say where. (Wrapping the store and observing locks is the caller's
// part: m.Store and app.WithObserver.)
func WithMetrics(m *metrics.Metrics) Option { return func(s *Server) { s.metrics = m } }

// WithTracerProvider makes a span per HTTP request and a child span per RPC,
// continuing an incoming W3C traceparent. Without it no tracing code runs.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(s *Server) {
		if tp != nil {
			s.tracer = tp.Tracer("github.com/warden-id/warden/internal/server")
		}
	}
}

// routeClass maps a path to one of a few fixed names, used as a metric label, a
// span name and in the access log. Raw paths carry user ids and would make one
// series per user; a new route family needs a case here.
func routeClass(path string) string {
	switch {
	case strings.HasPrefix(path, "/management/v1/"):
		return "management_v1_rest"
	case strings.HasPrefix(path, "/v2/"):
		return "user_v2_rest"
	case strings.HasPrefix(path, "/zitadel.management.v1.ManagementService/"):
		return "management_v1_rpc"
	case strings.HasPrefix(path, "/zitadel.user.v2.UserService/"):
		return "user_v2_rpc"
	case strings.HasPrefix(path, "/v2beta/"):
		return "v2beta_rest"
	case strings.HasPrefix(path, "/zitadel.user.v2beta.UserService/"):
		return "user_v2beta_rpc"
	case strings.HasPrefix(path, "/admin/v1/"), strings.HasPrefix(path, "/auth/v1/"), strings.HasPrefix(path, "/system/v1/"):
		return "unserved_v1_rest" // every method of these answers Unimplemented
	case strings.HasPrefix(path, "/zitadel."):
		return "zitadel_rpc" // the services Warden does not serve, and unknown ones
	case path == "/debug/healthz":
		return "healthz"
	case path == "/debug/ready":
		return "ready"
	case path == "/debug/metrics":
		return "metrics"
	case strings.HasPrefix(path, "/.well-known/"):
		return "oidc_discovery"
	case strings.HasPrefix(path, "/oauth/v2/"):
		return "oauth"
	case strings.HasPrefix(path, "/oidc/v1/"):
		return "oidc"
	case path == "/ui/login" || strings.HasPrefix(path, "/ui/login/"):
		return "login"
	case path == "/ui/console" || strings.HasPrefix(path, "/ui/console/"):
		return "console"
	}
	return "other"
}

var traceContext = propagation.TraceContext{}

// observe is the outermost middleware: it gives the request its id (echoed in
// the response and carried in the context, so every log record of the request
// has it), and records the request's metrics, span and access-log line. The
// access line names the route class, status and duration only: no headers
// (Authorization), no query, no body.
func (s *Server) observe(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := requestid.Accept(r.Header.Get(requestid.Header))
		r.Header.Set(requestid.Header, id) // so gRPC metadata agrees with the context
		ctx := requestid.With(r.Context(), id)
		route := routeClass(r.URL.Path)

		var span trace.Span
		if s.tracer != nil {
			ctx = traceContext.Extract(ctx, propagation.HeaderCarrier(r.Header))
			ctx, span = s.tracer.Start(ctx, r.Method+" "+route,
				trace.WithSpanKind(trace.SpanKindServer),
				trace.WithAttributes(
					attribute.String("http.request.method", r.Method),
					attribute.String("http.route", route),
					attribute.String("warden.request_id", id),
				))
		}

		rec := &recorder{ResponseWriter: w, id: id}
		next.ServeHTTP(rec, r.WithContext(ctx))
		code := rec.status
		if code == 0 { // nothing written: net/http answers 200 with an empty body
			rec.WriteHeader(http.StatusOK)
			code = http.StatusOK
		}
		d := time.Since(start)

		if span != nil {
			span.SetAttributes(attribute.Int("http.response.status_code", code))
			if code >= 500 {
				span.SetStatus(otelcodes.Error, http.StatusText(code))
			}
			span.End()
		}
		if s.metrics != nil {
			s.metrics.ObserveHTTP(route, code, d)
		}
		if s.log.Enabled(ctx, slog.LevelDebug) {
			s.log.LogAttrs(ctx, slog.LevelDebug, "request",
				slog.String("method", r.Method), slog.String("route", route),
				slog.Int("status", code), slog.Duration("duration", d))
		}
	})
}

// recorder remembers the status and adds the request id header as the headers
// go out. (Setting it before the handler runs is not neutral: vanguard then
// reports a body that fails mid-read as Unavailable instead of the reader's
// ResourceExhausted.) gRPC needs http.Flusher; http.ResponseController finds the
// rest through Unwrap.
type recorder struct {
	http.ResponseWriter
	id     string
	status int
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
		r.Header().Set(requestid.Header, r.id)
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	return r.ResponseWriter.Write(b)
}

func (r *recorder) Flush() {
	if r.status == 0 {
		r.WriteHeader(http.StatusOK)
	}
	if f, ok := r.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

// traceInterceptor makes a child span per RPC, named by its full method, with
// the final gRPC code. Server-side faults mark the span as an error; a refused
// request (NotFound, PermissionDenied, ...) is the service working.
func traceInterceptor(t trace.Tracer) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		name := strings.TrimPrefix(info.FullMethod, "/")
		svc, method, _ := strings.Cut(name, "/")
		ctx, span := t.Start(ctx, name, trace.WithAttributes(
			attribute.String("rpc.system", "grpc"),
			attribute.String("rpc.service", svc),
			attribute.String("rpc.method", method),
		))
		defer span.End()
		resp, err := handler(ctx, req)
		c := status.Code(err)
		span.SetAttributes(attribute.Int("rpc.grpc.status_code", int(c)))
		switch c {
		case codes.Unknown, codes.Internal, codes.Unavailable, codes.DataLoss, codes.DeadlineExceeded:
			span.SetStatus(otelcodes.Error, c.String())
		}
		return resp, err
	}
}
