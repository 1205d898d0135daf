package scheduler_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/warden-id/warden/internal/scheduler"
	"github.com/warden-id/warden/internal/store"
	"github.com/warden-id/warden/internal/store/testdb"
)

// run is one run as the observer heard of it.
type run struct {
	job  string
	took time.Duration
	done int64
	err  error
}

// recorder is a scheduler.Observer that keeps what it hears.
type recorder struct {
	mu         sync.Mutex
	registered []string
	runs       []run
	ran        chan run
}

func newRecorder() *recorder { return &recorder{ran: make(chan run, 100)} }

func (r *recorder) JobRegistered(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.registered = append(r.registered, name)
}

func (r *recorder) JobRan(name string, took time.Duration, done int64, err error) {
	r.mu.Lock()
	r.runs = append(r.runs, run{name, took, done, err})
	r.mu.Unlock()
	r.ran <- run{name, took, done, err}
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.runs)
}

// next waits for the next reported run; it fails the test after a long
// timeout, which only a broken scheduler reaches.
func (r *recorder) next(t *testing.T) run {
	t.Helper()
	select {
	case x := <-r.ran:
		return x
	case <-time.After(20 * time.Second):
		t.Fatal("no run reported within 20s")
		return run{}
	}
}

// syncBuffer is a log sink safe for the scheduler's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func testLogger() (*slog.Logger, *syncBuffer) {
	var b syncBuffer
	return slog.New(slog.NewTextHandler(&b, &slog.HandlerOptions{Level: slog.LevelDebug})), &b
}

func stop(t *testing.T, s *scheduler.Scheduler) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := s.Stop(ctx); err != nil {
		t.Fatal(err)
	}
}

func TestRegister(t *testing.T) {
	log, _ := testLogger()
	rec := newRecorder()
	s := scheduler.New(log, scheduler.WithObserver(rec))
	ok := func(context.Context) (int64, error) { return 0, nil }
	for _, bad := range []scheduler.Job{
		{Name: "", Interval: time.Second, Run: ok},
		{Name: "Purge Expired", Interval: time.Second, Run: ok},
		{Name: "purge", Interval: 0, Run: ok},
		{Name: "purge", Interval: time.Second},
	} {
		if err := s.Register(bad); err == nil {
			t.Errorf("registered %+v", bad)
		}
	}
	if err := s.Register(scheduler.Job{Name: "purge", Interval: time.Second, Run: ok}); err != nil {
		t.Fatal(err)
	}
	if err := s.Register(scheduler.Job{Name: "purge", Interval: time.Minute, Run: ok}); err == nil {
		t.Error("a second job named purge registered")
	}
	s.Start(context.Background())
	if err := s.Register(scheduler.Job{Name: "late", Interval: time.Second, Run: ok}); err == nil {
		t.Error("registered after Start")
	}
	stop(t, s)
	if len(rec.registered) != 1 || rec.registered[0] != "purge" {
		t.Errorf("observer heard of %v", rec.registered)
	}
}

// TestFailureRetriedAtNextInterval: the first run comes at once; a failed run
// is logged and reported, and the job runs again one interval after it
// started, not sooner; a panic is a failure like any other and the job lives on.
func TestFailureRetriedAtNextInterval(t *testing.T) {
	log, logs := testLogger()
	rec := newRecorder()
	s := scheduler.New(log, scheduler.WithObserver(rec))
	const interval = 300 * time.Millisecond
	var mu sync.Mutex
	var starts []time.Time
	calls := 0
	err := s.Register(scheduler.Job{Name: "flaky", Interval: interval, Run: func(ctx context.Context) (int64, error) {
		mu.Lock()
		starts = append(starts, time.Now())
		calls++
		n := calls
		mu.Unlock()
		switch n {
		case 1:
			return 3, errors.New("database down")
		case 2:
			panic("a bug")
		}
		return 7, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	begin := time.Now()
	s.Start(context.Background())
	defer stop(t, s)

	first, second, third := rec.next(t), rec.next(t), rec.next(t)
	if first.err == nil || !strings.Contains(first.err.Error(), "database down") || first.done != 3 {
		t.Errorf("first run reported as %+v, want the failure", first)
	}
	if second.err == nil || !strings.Contains(second.err.Error(), "panic: a bug") {
		t.Errorf("second run reported as %+v, want the panic as a failure", second)
	}
	if third.err != nil || third.done != 7 {
		t.Errorf("third run reported as %+v, want a success", third)
	}
	mu.Lock()
	defer mu.Unlock()
	if d := starts[0].Sub(begin); d > interval {
		t.Errorf("first run %v after Start; want it at once", d)
	}
	for i := 1; i < len(starts); i++ {
		if gap := starts[i].Sub(starts[i-1]); gap < interval {
			t.Errorf("run %d started %v after the one before; want at least the interval %v", i+1, gap, interval)
		}
	}
	if l := logs.String(); !strings.Contains(l, "job failed") || !strings.Contains(l, "job=flaky") || !strings.Contains(l, "database down") {
		t.Errorf("the failure is not in the log:\n%s", l)
	}
}

// TestStopLetsTheRunFinish: Stop tells a running job to stop, and waits for
// it: the transaction the job runs after it heard the stop commits before
// Stop returns, and a run stopped that way is no failure.
func TestStopLetsTheRunFinish(t *testing.T) {
	st := testdb.SQLite(t)
	log, _ := testLogger()
	rec := newRecorder()
	s := scheduler.New(log, scheduler.WithObserver(rec))
	started := make(chan struct{})
	err := s.Register(scheduler.Job{Name: "deliver", Interval: time.Hour, Run: func(ctx context.Context) (int64, error) {
		close(started)
		<-ctx.Done() // the stop
		// The unit in progress is finished, on a context the stop does not cancel.
		err := st.Write(context.WithoutCancel(ctx), func(ctx context.Context, tx store.Tx) error {
			return tx.PutArtifact(ctx, &store.Artifact{Kind: "outbox", ID: "1", CreatedAt: store.Now()})
		})
		return 1, err
	}})
	if err != nil {
		t.Fatal(err)
	}
	s.Start(context.Background())
	<-started
	stop(t, s)
	if _, err := st.Artifact(context.Background(), "outbox", "1"); err != nil {
		t.Fatalf("the run's last write is not there after Stop: %v", err)
	}
	if got := rec.next(t); got.err != nil || got.done != 1 {
		t.Errorf("stopped run reported as %+v, want no failure", got)
	}
}

// TestStopDeadline: a run that does not stop in time makes Stop return an
// error naming it when Stop's context ends; a later Stop still waits for it.
func TestStopDeadline(t *testing.T) {
	log, _ := testLogger()
	s := scheduler.New(log)
	started, release := make(chan struct{}), make(chan struct{})
	err := s.Register(scheduler.Job{Name: "stubborn", Interval: time.Hour, Run: func(ctx context.Context) (int64, error) {
		close(started)
		<-release // ignores ctx
		return 0, nil
	}})
	if err != nil {
		t.Fatal(err)
	}
	s.Start(context.Background())
	<-started
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	if err := s.Stop(ctx); err == nil || !strings.Contains(err.Error(), "stubborn") {
		t.Fatalf("Stop past its deadline: %v, want an error naming the job", err)
	}
	close(release)
	stop(t, s)
}

// TestLocalLease: the single-process leaser follows the lease rules: due only
// after the interval, held by one holder until released or expired.
func TestLocalLease(t *testing.T) {
	ctx := context.Background()
	l := scheduler.Local()
	if ok, _, _ := l.TakeLease(ctx, "j", "a", time.Hour, time.Minute); !ok {
		t.Fatal("first take refused")
	}
	if ok, wait, _ := l.TakeLease(ctx, "j", "b", time.Hour, time.Minute); ok || wait < 59*time.Minute {
		t.Fatalf("second take: %v, wait %v", ok, wait)
	}
	if held, _ := l.RenewLease(ctx, "j", "b", time.Minute); held {
		t.Fatal("a non-holder renewed")
	}
	if held, _ := l.RenewLease(ctx, "j", "a", time.Minute); !held {
		t.Fatal("the holder could not renew")
	}
	_ = l.ReleaseLease(ctx, "j", "a")
	if ok, _, _ := l.TakeLease(ctx, "j", "b", time.Hour, time.Minute); ok {
		t.Fatal("taken before the interval passed")
	}
	if ok, _, _ := l.TakeLease(ctx, "long", "a", time.Hour, 2*time.Hour); !ok {
		t.Fatal("long lease refused")
	}
	if ok, wait, _ := l.TakeLease(ctx, "long", "b", time.Hour, 2*time.Hour); ok || wait > time.Hour || wait < 59*time.Minute {
		t.Fatalf("long lease by another: %v, wait %v; want the wait until due", ok, wait)
	}
	if ok, _, _ := l.TakeLease(ctx, "k", "b", time.Millisecond, time.Millisecond); !ok {
		t.Fatal("another job's lease refused")
	}
	time.Sleep(5 * time.Millisecond) // both the interval and the ttl have passed
	if ok, _, _ := l.TakeLease(ctx, "k", "c", time.Hour, time.Minute); !ok {
		t.Fatal("an expired lease was not taken over")
	}
}
