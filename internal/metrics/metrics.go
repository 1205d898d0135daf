// Package metrics exports Warden's Prometheus metrics. Everything lives in a
// registry the Metrics value owns (never the global default one), so tests and
// several servers in one process do not collide, and only what Warden registers
// is served.
//
// The package sits at the edge: the server feeds it HTTP and gRPC observations,
// it wraps the store in a timing decorator, and it implements app.Observer and
// scheduler.Observer, so neither app, store nor scheduler imports Prometheus.
package metrics

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/warden-id/warden/internal/app"
	"google.golang.org/grpc"
	"google.golang.org/grpc/status"
)

// latencyBuckets span what a request can take here: a cached read answers in well
// under a millisecond, a stuck database hits the 10 s store timeout.
var latencyBuckets = []float64{.0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10}

// storeBuckets start lower: a SQLite read is tens of microseconds.
var storeBuckets = []float64{.00005, .0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, 1, 5}

// Metrics is one server's set of metrics and the registry that serves them.
type Metrics struct {
	reg *prometheus.Registry

	rpcTotal    *prometheus.CounterVec
	rpcDuration *prometheus.HistogramVec
	httpTotal   *prometheus.CounterVec
	httpDur     *prometheus.HistogramVec
	storeDur    *prometheus.HistogramVec
	locks       *prometheus.CounterVec
	mails       *prometheus.CounterVec
	pending     prometheus.Gauge
	jobs        *jobMetrics
}

// New builds the metrics, with the Go runtime and process collectors, and a
// warden_build_info gauge carrying version.
func New(version string) *Metrics {
	reg := prometheus.NewRegistry()
	m := &Metrics{
		reg: reg,
		rpcTotal: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_grpc_requests_total",
			Help: "RPCs handled (every protocol: gRPC, gRPC-Web, Connect and transcoded REST), by full method and gRPC status code.",
		}, []string{"method", "code"}),
		rpcDuration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "warden_grpc_request_duration_seconds",
			Help:    "Time spent in an RPC handler, authentication included, by full method.",
			Buckets: latencyBuckets,
		}, []string{"method"}),
		httpTotal: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_http_requests_total",
			Help: "HTTP requests answered, by route class and HTTP status.",
		}, []string{"route", "status"}),
		httpDur: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "warden_http_request_duration_seconds",
			Help:    "Time from request to the handler's return, by route class.",
			Buckets: latencyBuckets,
		}, []string{"route"}),
		storeDur: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "warden_store_operation_duration_seconds",
			Help:    "Store latency by operation (write = one atomic Write, commit and retries included).",
			Buckets: storeBuckets,
		}, []string{"op"}),
		locks: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_user_locks_total",
			Help: "Users locked (committed lock operations), by cause.",
		}, []string{"cause"}),
		mails: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_outbox_mails_total",
			Help: "Outbox mail delivery attempts, by result: delivered, failed (to be retried or dead), dead (given up on).",
		}, []string{"result"}),
		pending: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "warden_outbox_pending",
			Help: "Outbox messages not yet delivered, as the last delivery run counted them.",
		}),
	}
	build := prometheus.NewGauge(prometheus.GaugeOpts{
		Name:        "warden_build_info",
		Help:        "Always 1; the version label names the running binary.",
		ConstLabels: prometheus.Labels{"version": version},
	})
	build.Set(1)
	m.jobs = newJobMetrics(reg)
	reg.MustRegister(
		m.rpcTotal, m.rpcDuration, m.httpTotal, m.httpDur, m.storeDur, m.locks, m.mails, m.pending, build,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	// Known causes exist from the start, so a dashboard sees 0 rather than no series.
	for _, c := range []string{app.LockCauseAdmin, app.LockCausePolicy} {
		m.locks.WithLabelValues(c)
	}
	for _, r := range []string{"delivered", "failed", "dead"} {
		m.mails.WithLabelValues(r)
	}
	return m
}

// Registry is the registry the metrics live in (to add collectors).
func (m *Metrics) Registry() *prometheus.Registry { return m.reg }

// Handler serves the text (or OpenMetrics) exposition of the registry.
func (m *Metrics) Handler() http.Handler {
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{Registry: m.reg})
}

// UserLocked counts a committed lock; it implements app.Observer.
func (m *Metrics) UserLocked(cause string) { m.locks.WithLabelValues(cause).Inc() }

// MailDelivered, MailFailed, MailDead and MailsPending implement
// app.DeliveryObserver.
func (m *Metrics) MailDelivered()       { m.mails.WithLabelValues("delivered").Inc() }
func (m *Metrics) MailFailed()          { m.mails.WithLabelValues("failed").Inc() }
func (m *Metrics) MailDead()            { m.mails.WithLabelValues("dead").Inc() }
func (m *Metrics) MailsPending(n int64) { m.pending.Set(float64(n)) }

var _ app.DeliveryObserver = (*Metrics)(nil)

// ObserveHTTP records one answered HTTP request. route must be one of a small,
// fixed set of classes (never a raw path: ids in paths would explode the series).
func (m *Metrics) ObserveHTTP(route string, status int, d time.Duration) {
	m.httpTotal.WithLabelValues(route, strconv.Itoa(status)).Inc()
	m.httpDur.WithLabelValues(route).Observe(d.Seconds())
}

// UnaryInterceptor counts RPCs by method and code and times them. Chain it
// outside the authenticating interceptor so it sees the final status.
func (m *Metrics) UnaryInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		t := time.Now()
		resp, err := handler(ctx, req)
		m.rpcDuration.WithLabelValues(info.FullMethod).Observe(time.Since(t).Seconds())
		m.rpcTotal.WithLabelValues(info.FullMethod, status.Code(err).String()).Inc()
		return resp, err
	}
}
