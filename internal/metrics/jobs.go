package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/warden-id/warden/internal/scheduler"
)

var _ scheduler.Observer = (*Metrics)(nil)

// jobBuckets span a background run: a purge with nothing to do takes a
// millisecond, a backlog of millions minutes.
var jobBuckets = []float64{.001, .005, .01, .05, .1, .5, 1, 5, 10, 30, 60, 300}

// jobMetrics are the scheduler's series, one set per job, counting this
// node's runs only: with several nodes, sum them (or take the max of the last
// success) across nodes.
type jobMetrics struct {
	runs, failures, items *prometheus.CounterVec
	duration              *prometheus.HistogramVec
	lastSuccess           *prometheus.GaugeVec
}

func newJobMetrics(reg *prometheus.Registry) *jobMetrics {
	j := &jobMetrics{
		runs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_job_runs_total",
			Help: "Background job runs on this node, failed ones included, by job.",
		}, []string{"job"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_job_failures_total",
			Help: "Background job runs on this node that failed (retried at the next interval), by job.",
		}, []string{"job"}),
		items: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "warden_job_items_total",
			Help: "Items background jobs handled on this node (purge_expired: artifacts deleted), by job.",
		}, []string{"job"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "warden_job_duration_seconds",
			Help:    "Time a background job run took on this node, by job.",
			Buckets: jobBuckets,
		}, []string{"job"}),
		lastSuccess: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "warden_job_last_success_timestamp_seconds",
			Help: "Unix time of this node's last successful run of a background job (0: none yet), by job.",
		}, []string{"job"}),
	}
	reg.MustRegister(j.runs, j.failures, j.items, j.duration, j.lastSuccess)
	return j
}

// JobRegistered makes a job's series exist at zero; it implements
// scheduler.Observer.
func (m *Metrics) JobRegistered(name string) {
	m.jobs.runs.WithLabelValues(name)
	m.jobs.failures.WithLabelValues(name)
	m.jobs.items.WithLabelValues(name)
	m.jobs.lastSuccess.WithLabelValues(name)
}

// JobRan records one run; it implements scheduler.Observer.
func (m *Metrics) JobRan(name string, took time.Duration, done int64, err error) {
	m.jobs.runs.WithLabelValues(name).Inc()
	m.jobs.duration.WithLabelValues(name).Observe(took.Seconds())
	if done > 0 {
		m.jobs.items.WithLabelValues(name).Add(float64(done))
	}
	if err != nil {
		m.jobs.failures.WithLabelValues(name).Inc()
		return
	}
	m.jobs.lastSuccess.WithLabelValues(name).Set(float64(time.Now().UnixNano()) / 1e9)
}
