package metrics

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/org"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/postgres"
	"github.com/warden-id/warden/internal/store/sqlite"
	"github.com/warden-id/warden/internal/user"
)

// Store wraps st so that its writes and hot reads are timed, and registers the
// engine's own gauges (SQLite group commit, PostgreSQL pool). The result is a
// full store.Store: methods not overridden here pass straight through.
func (m *Metrics) Store(st store.Store) store.Store {
	switch e := st.(type) {
	case *sqlite.Store:
		m.reg.MustRegister(sqliteCollector{e})
	case *postgres.Store:
		m.reg.MustRegister(poolCollector{e.Pool()})
	}
	return &timedStore{Store: st, m: m,
		write:         m.storeDur.WithLabelValues("write"),
		user:          m.storeDur.WithLabelValues("user"),
		patByHash:     m.storeDur.WithLabelValues("pat_by_hash"),
		principal:     m.storeDur.WithLabelValues("principal"),
		membershipsOf: m.storeDur.WithLabelValues("memberships_of"),
		member:        m.storeDur.WithLabelValues("member"),
		org:           m.storeDur.WithLabelValues("org"),
		listUsers:     m.storeDur.WithLabelValues("list_users"),
	}
}

// timedStore times the operations every request makes (authentication reads a
// PAT, its user and memberships, in one Principal call) and every command (Write). Observers are looked
// up once here, not per call.
type timedStore struct {
	store.Store
	m *Metrics

	write, user, patByHash, principal, membershipsOf, member, org, listUsers prometheus.Observer
}

// Unwrap returns the engine, for code that needs engine-specific methods.
func (s *timedStore) Unwrap() store.Store { return s.Store }

func since(o prometheus.Observer, t time.Time) { o.Observe(time.Since(t).Seconds()) }

func (s *timedStore) Write(ctx context.Context, fn func(context.Context, store.Tx) error) error {
	defer since(s.write, time.Now())
	return s.Store.Write(ctx, fn)
}

func (s *timedStore) User(ctx context.Context, id string) (*user.User, error) {
	defer since(s.user, time.Now())
	return s.Store.User(ctx, id)
}

func (s *timedStore) PATByHash(ctx context.Context, hash []byte) (*credential.PAT, error) {
	defer since(s.patByHash, time.Now())
	return s.Store.PATByHash(ctx, hash)
}

func (s *timedStore) Principal(ctx context.Context, tokenHash []byte) (*credential.PAT, *user.User, []*org.Member, error) {
	defer since(s.principal, time.Now())
	return s.Store.Principal(ctx, tokenHash)
}

func (s *timedStore) MembershipsOf(ctx context.Context, userID string) ([]*org.Member, error) {
	defer since(s.membershipsOf, time.Now())
	return s.Store.MembershipsOf(ctx, userID)
}

func (s *timedStore) Member(ctx context.Context, orgID, userID string) (*org.Member, error) {
	defer since(s.member, time.Now())
	return s.Store.Member(ctx, orgID, userID)
}

func (s *timedStore) Org(ctx context.Context, id string) (*org.Org, error) {
	defer since(s.org, time.Now())
	return s.Store.Org(ctx, id)
}

func (s *timedStore) ListUsers(ctx context.Context, q store.UserQuery) (*store.UserPage, error) {
	defer since(s.listUsers, time.Now())
	return s.Store.ListUsers(ctx, q)
}

var (
	sqliteBatches = prometheus.NewDesc("warden_sqlite_commit_batches_total",
		"Group-commit transactions committed by the SQLite writer (one fsync each).", nil, nil)
	sqliteWrites = prometheus.NewDesc("warden_sqlite_writes_total",
		"Write calls answered by the SQLite writer, refusals included; rate(writes)/rate(batches) is the mean batch size.", nil, nil)
)

// sqliteCollector reads the engine's counters at scrape time, so the write path
// pays nothing for them.
type sqliteCollector struct{ s *sqlite.Store }

func (c sqliteCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- sqliteBatches
	ch <- sqliteWrites
}

func (c sqliteCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.s.Stats()
	ch <- prometheus.MustNewConstMetric(sqliteBatches, prometheus.CounterValue, float64(st.Batches))
	ch <- prometheus.MustNewConstMetric(sqliteWrites, prometheus.CounterValue, float64(st.Writes))
}

var (
	pgAcquired = prometheus.NewDesc("warden_pg_pool_acquired_conns", "PostgreSQL connections in use.", nil, nil)
	pgIdle     = prometheus.NewDesc("warden_pg_pool_idle_conns", "PostgreSQL connections idle in the pool.", nil, nil)
	pgTotal    = prometheus.NewDesc("warden_pg_pool_total_conns", "PostgreSQL connections open (acquired, idle and being opened).", nil, nil)
	pgMax      = prometheus.NewDesc("warden_pg_pool_max_conns", "The pool's size limit.", nil, nil)
	pgAcquires = prometheus.NewDesc("warden_pg_pool_acquires_total", "Connections acquired from the pool.", nil, nil)
	pgAcqDur   = prometheus.NewDesc("warden_pg_pool_acquire_duration_seconds_total",
		"Total time spent waiting to acquire a connection; divide its rate by the acquires' rate for the mean wait.", nil, nil)
	pgEmpty = prometheus.NewDesc("warden_pg_pool_empty_acquires_total",
		"Acquires that had to wait because the pool had no idle connection (pool too small for the load).", nil, nil)
)

// poolCollector reads pgxpool's statistics once per scrape.
type poolCollector struct{ p *pgxpool.Pool }

func (c poolCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{pgAcquired, pgIdle, pgTotal, pgMax, pgAcquires, pgAcqDur, pgEmpty} {
		ch <- d
	}
}

func (c poolCollector) Collect(ch chan<- prometheus.Metric) {
	st := c.p.Stat()
	g := func(d *prometheus.Desc, v float64) { ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v) }
	n := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v)
	}
	g(pgAcquired, float64(st.AcquiredConns()))
	g(pgIdle, float64(st.IdleConns()))
	g(pgTotal, float64(st.TotalConns()))
	g(pgMax, float64(st.MaxConns()))
	n(pgAcquires, float64(st.AcquireCount()))
	n(pgAcqDur, st.AcquireDuration().Seconds())
	n(pgEmpty, float64(st.EmptyAcquireCount()))
}
