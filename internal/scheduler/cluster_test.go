package scheduler_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/app"
	"github.com/warden-id/warden/internal/scheduler"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/postgres"
	"github.com/warden-id/warden/internal/store/testdb"
)

// node is one Warden node's scheduler on its own pool to a shared database.
type node struct {
	st    *postgres.Store
	app   *app.App
	sched *scheduler.Scheduler
	rec   *recorder
	asked *askCounter
}

// askCounter passes every call to the real lease and counts finished
// TakeLease calls, so a test knows every node has asked at least once.
type askCounter struct {
	scheduler.Leaser
	n atomic.Int64
}

func (c *askCounter) TakeLease(ctx context.Context, name, holder string, interval, ttl time.Duration) (bool, time.Duration, error) {
	ok, wait, err := c.Leaser.TakeLease(ctx, name, holder, interval, ttl)
	c.n.Add(1)
	return ok, wait, err
}

func startNodes(t *testing.T, dsn string, n int, job func(*node) scheduler.Job, opts ...scheduler.Option) []*node {
	t.Helper()
	nodes := make([]*node, n)
	for i := range nodes {
		st, err := postgres.Open(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		log, _ := testLogger()
		nd := &node{st: st, app: app.New(st, log, "localhost"), rec: newRecorder(), asked: &askCounter{Leaser: st}}
		nd.sched = scheduler.New(log, append([]scheduler.Option{scheduler.WithLeaser(nd.asked), scheduler.WithObserver(nd.rec),
			scheduler.WithHolder(fmt.Sprintf("node-%d", i))}, opts...)...)
		if err := nd.sched.Register(job(nd)); err != nil {
			t.Fatal(err)
		}
		nodes[i] = nd
	}
	for _, nd := range nodes {
		nd.sched.Start(context.Background())
		t.Cleanup(func() { stop(t, nd.sched) })
	}
	return nodes
}

// TestPurgeOnceAcrossNodes: three nodes on one PostgreSQL, each with the purge
// job as warden start registers it, start at once; the purge runs once between
// them, deletes the expired artifacts and keeps the live ones.
func TestPurgeOnceAcrossNodes(t *testing.T) {
	dsn := testdb.PostgresDSN(t)
	seed, err := postgres.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer seed.Close()
	now := store.Now()
	err = seed.Write(context.Background(), func(ctx context.Context, tx store.Tx) error {
		for i := range 1500 {
			if err := tx.PutArtifact(ctx, &store.Artifact{Kind: "access_token", ID: fmt.Sprintf("old-%d", i),
				CreatedAt: now.Add(-time.Hour), ExpiresAt: now.Add(-time.Minute)}); err != nil {
				return err
			}
		}
		return tx.PutArtifact(ctx, &store.Artifact{Kind: "access_token", ID: "live", CreatedAt: now, ExpiresAt: now.Add(time.Hour)})
	})
	if err != nil {
		t.Fatal(err)
	}

	nodes := startNodes(t, dsn, 3, func(nd *node) scheduler.Job { return nd.app.PurgeJobEvery(time.Hour) })
	// Every node has asked for the lease once (and been told to wait about an
	// hour, or run it); only then is the count final.
	deadline := time.Now().Add(20 * time.Second)
	for {
		runs, asked := 0, 0
		for _, nd := range nodes {
			runs += nd.rec.count()
			if nd.asked.n.Load() > 0 {
				asked++
			}
		}
		if runs >= 1 && asked == len(nodes) {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after 20s: %d runs, %d of %d nodes asked for the lease", runs, asked, len(nodes))
		}
		time.Sleep(10 * time.Millisecond)
	}
	var all []run
	for _, nd := range nodes {
		nd.rec.mu.Lock()
		all = append(all, nd.rec.runs...)
		nd.rec.mu.Unlock()
	}
	if len(all) != 1 {
		t.Fatalf("%d purge runs across 3 nodes in one interval, want 1: %+v", len(all), all)
	}
	if all[0].err != nil || all[0].done != 1500 || all[0].job != app.PurgeJob {
		t.Fatalf("the run: %+v; want %s deleting 1500", all[0], app.PurgeJob)
	}
	if _, total, err := seed.ListArtifacts(context.Background(), store.ArtifactQuery{Kind: "access_token"}); err != nil || total != 1 {
		t.Fatalf("after the purge: %d access tokens, %v; want the live one", total, err)
	}
}

// TestOncePerIntervalAcrossNodes: three nodes running one job at a short
// interval never run it at the same time, and between them start it at most
// once per interval.
func TestOncePerIntervalAcrossNodes(t *testing.T) {
	dsn := testdb.PostgresDSN(t)
	const interval = 400 * time.Millisecond
	var mu sync.Mutex
	type span struct {
		node       string
		start, end time.Time
	}
	var spans []span
	var active atomic.Int32
	var overlap atomic.Bool
	nodes := startNodes(t, dsn, 3, func(nd *node) scheduler.Job {
		return scheduler.Job{Name: "tick", Interval: interval, Run: func(ctx context.Context) (int64, error) {
			if active.Add(1) > 1 {
				overlap.Store(true)
			}
			defer active.Add(-1)
			s := span{node: nd.sched.Holder(), start: time.Now()}
			time.Sleep(30 * time.Millisecond) // some work, so an overlap would show
			s.end = time.Now()
			mu.Lock()
			spans = append(spans, s)
			mu.Unlock()
			return 1, nil
		}}
	})
	time.Sleep(6 * interval)
	for _, nd := range nodes {
		stop(t, nd.sched)
	}
	mu.Lock()
	defer mu.Unlock()
	sort.Slice(spans, func(i, j int) bool { return spans[i].start.Before(spans[j].start) })
	if overlap.Load() {
		t.Errorf("two nodes ran the job at the same time (%d runs)", len(spans))
	}
	if len(spans) < 2 || len(spans) > 7 {
		t.Errorf("%d runs in 6 intervals across 3 nodes; want 2..7", len(spans))
	}
	// The lease's clock is the database's, the spans' this process's: allow
	// a little for the two to differ.
	const slack = 25 * time.Millisecond
	for i := 1; i < len(spans); i++ {
		if gap := spans[i].start.Sub(spans[i-1].start); gap < interval-slack {
			t.Errorf("runs %d (%s) and %d (%s) started %v apart; want at least %v", i, spans[i-1].node, i+1, spans[i].node, gap, interval)
		}
	}
}

// TestLeaseLostStopsTheRun: when another node has taken the lease (this one
// stalled past its ttl), the renewal notices and the run is told to stop; that
// run counts as failed.
func TestLeaseLostStopsTheRun(t *testing.T) {
	dsn := testdb.PostgresDSN(t)
	started := make(chan struct{})
	var once sync.Once
	nodes := startNodes(t, dsn, 1, func(nd *node) scheduler.Job {
		return scheduler.Job{Name: "long", Interval: time.Hour, Run: func(ctx context.Context) (int64, error) {
			once.Do(func() { close(started) })
			<-ctx.Done()
			return 0, ctx.Err()
		}}
	}, scheduler.WithLeaseTTL(300*time.Millisecond))
	<-started
	if _, err := nodes[0].st.Pool().Exec(context.Background(), `UPDATE job_leases SET holder = 'thief' WHERE name = 'long'`); err != nil {
		t.Fatal(err)
	}
	got := nodes[0].rec.next(t)
	if got.err == nil || !strings.Contains(got.err.Error(), "lease was lost") {
		t.Fatalf("run after losing the lease reported as %+v", got)
	}
}
