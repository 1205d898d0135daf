// Package scheduler runs Warden's background work: the purge of expired
// artifacts today, lock expiries and outbox deliveries (mail, webhooks) later.
// Every job registers here with a name, an interval and a function instead of
// starting a goroutine of its own, so each gets the same things once: a lease
// (on PostgreSQL one node at a time runs it, once per interval between them),
// a metric, logging of failures, a retry at the next interval, and a clean
// stop at shutdown.
//
// The scheduler knows no store and no metrics library: a Leaser decides who
// runs a job (the PostgreSQL engine implements it with a lease row; Local is
// the single process of the embedded store), and an Observer hears how each
// run went (internal/metrics implements it).
package scheduler

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"regexp"
	"runtime/debug"
	"slices"
	"sync"
	"time"
)

// Func is a job's work. ctx ends when the scheduler stops (SIGTERM) or this
// node loses the job's lease: a job then stops at its next safe point, between
// two transactions, never inside one (run each transaction on
// context.WithoutCancel(ctx) with a timeout of its own, and check ctx between
// them). A run that stops that way returns nil or ctx's error; neither is a
// failure. done is how many items the run handled (rows purged, mails sent),
// for the metric.
type Func func(ctx context.Context) (done int64, err error)

// Job is one kind of background work.
type Job struct {
	// Name identifies the job in logs, metrics and leases: lower-case letters,
	// digits and '_'. Every node must register the same job under one name.
	Name string
	// Interval is the time from one run's start to the next one's, across all
	// nodes. A failed run is retried at the next interval; a run longer than
	// the interval is followed by the next at once, never overlapped.
	Interval time.Duration
	Run      Func
}

// Observer hears about runs; internal/metrics implements it.
type Observer interface {
	// JobRegistered is called once per job, before its first run, so that its
	// series exist (at zero) before anything happened.
	JobRegistered(name string)
	// JobRan reports one run: how long it took, how many items it handled, and
	// its error (nil for a success, and for a run stopped by shutdown).
	JobRan(name string, took time.Duration, done int64, err error)
}

// Leaser decides which node runs a job. The methods are those of the
// PostgreSQL engine (internal/store/postgres/lease.go); Local implements them
// for one process.
type Leaser interface {
	// TakeLease gives the job to holder for ttl if it is due (interval has
	// passed since its last run started, by the leaser's clock) and no one
	// holds it. When it is not taken, wait is how long until it may be.
	TakeLease(ctx context.Context, name, holder string, interval, ttl time.Duration) (taken bool, wait time.Duration, err error)
	// RenewLease extends holder's lease by ttl from now; false if holder no
	// longer holds it.
	RenewLease(ctx context.Context, name, holder string, ttl time.Duration) (held bool, err error)
	// ReleaseLease ends holder's lease, leaving the job due at its next
	// interval. Releasing a lease one does not hold does nothing.
	ReleaseLease(ctx context.Context, name, holder string) error
}

const (
	// DefaultLeaseTTL is how long a lease lasts without renewal: the delay
	// before another node takes over the job of a node that died mid-run. The
	// holder renews it every third of that while the run goes on.
	DefaultLeaseTTL = 30 * time.Second
	// leaseRetry bounds the wait after the leaser itself failed (database
	// unreachable), so a long interval does not skip a run for a short outage.
	leaseRetry = 10 * time.Second
	// minWait keeps a loop from spinning when the leaser answers "not yet,
	// wait 0" (a lease released between its two reads).
	minWait = 10 * time.Millisecond
	// releaseTimeout bounds giving the lease back; if it fails the lease
	// simply expires after its ttl.
	releaseTimeout = 5 * time.Second
)

var validName = regexp.MustCompile(`^[a-z0-9_]{1,64}$`)

// Scheduler runs registered jobs from Start until Stop.
type Scheduler struct {
	log    *slog.Logger
	leaser Leaser
	obs    Observer
	holder string
	ttl    time.Duration

	mu      sync.Mutex
	jobs    []Job
	running map[string]bool // jobs in a run right now, for Stop's error
	started bool
	cancel  context.CancelFunc
	wg      sync.WaitGroup
}

// Option configures a Scheduler.
type Option func(*Scheduler)

// WithLeaser makes l decide which node runs a job (default: Local, one process).
func WithLeaser(l Leaser) Option { return func(s *Scheduler) { s.leaser = l } }

// WithObserver reports every run to o.
func WithObserver(o Observer) Option { return func(s *Scheduler) { s.obs = o } }

// WithLeaseTTL sets how long a lease lasts without renewal (default
// DefaultLeaseTTL).
func WithLeaseTTL(d time.Duration) Option { return func(s *Scheduler) { s.ttl = d } }

// WithHolder names this node in leases (default: host name, pid and a random
// suffix, so a restarted process never mistakes its predecessor's lease for
// its own).
func WithHolder(h string) Option { return func(s *Scheduler) { s.holder = h } }

// New makes a scheduler; register jobs, then Start it.
func New(log *slog.Logger, opts ...Option) *Scheduler {
	s := &Scheduler{log: log, ttl: DefaultLeaseTTL, running: map[string]bool{}}
	for _, o := range opts {
		o(s)
	}
	if s.leaser == nil {
		s.leaser = Local()
	}
	if s.obs == nil {
		s.obs = noObserver{}
	}
	if s.holder == "" {
		s.holder = defaultHolder()
	}
	return s
}

// Holder is the name this scheduler takes leases under.
func (s *Scheduler) Holder() string { return s.holder }

// Register adds a job. It must come before Start; a second job of the same
// name is an error.
func (s *Scheduler) Register(j Job) error {
	switch {
	case !validName.MatchString(j.Name):
		return fmt.Errorf("scheduler: job name %q: want 1-64 of [a-z0-9_]", j.Name)
	case j.Interval <= 0:
		return fmt.Errorf("scheduler: job %s: interval %v must be positive", j.Name, j.Interval)
	case j.Run == nil:
		return fmt.Errorf("scheduler: job %s: no function", j.Name)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return fmt.Errorf("scheduler: job %s registered after Start", j.Name)
	}
	if slices.ContainsFunc(s.jobs, func(o Job) bool { return o.Name == j.Name }) {
		return fmt.Errorf("scheduler: job %s registered twice", j.Name)
	}
	s.jobs = append(s.jobs, j)
	s.obs.JobRegistered(j.Name)
	return nil
}

// Start runs every registered job in the background until ctx ends or Stop
// is called. Each job is first tried at once, then at its interval.
func (s *Scheduler) Start(ctx context.Context) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.started {
		return
	}
	s.started = true
	ctx, s.cancel = context.WithCancel(ctx)
	for _, j := range s.jobs {
		s.wg.Go(func() { s.loop(ctx, j) })
	}
}

// Stop tells every job to stop and waits until the runs in progress have
// returned, or ctx ends (then it names the jobs still running; they are left
// to the process's exit). Safe to call without Start, and more than once.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.mu.Lock()
	s.started = true // no Start after Stop
	if s.cancel != nil {
		s.cancel()
	}
	s.mu.Unlock()
	done := make(chan struct{})
	go func() { s.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		s.mu.Lock()
		var names []string
		for n := range s.running {
			names = append(names, n)
		}
		s.mu.Unlock()
		slices.Sort(names)
		return fmt.Errorf("scheduler: jobs %v still running when the stop deadline passed: %w", names, ctx.Err())
	}
}

func (s *Scheduler) loop(ctx context.Context, j Job) {
	for {
		wait := s.attempt(ctx, j)
		t := time.NewTimer(max(wait, minWait))
		select {
		case <-ctx.Done():
			t.Stop()
			return
		case <-t.C:
		}
	}
}

// attempt runs j if this node gets its lease, and says how long to wait
// before the next attempt.
func (s *Scheduler) attempt(ctx context.Context, j Job) time.Duration {
	taken, wait, err := s.leaser.TakeLease(ctx, j.Name, s.holder, j.Interval, s.ttl)
	switch {
	case err != nil && ctx.Err() != nil:
		return 0
	case err != nil:
		s.log.WarnContext(ctx, "scheduler: cannot take the job's lease; trying again", "job", j.Name, "err", err)
		return min(j.Interval, leaseRetry)
	case !taken:
		return wait
	case ctx.Err() != nil: // stopped while taking it: give it back rather than let it expire
		s.release(ctx, j)
		return 0
	}
	start := time.Now()
	s.run(ctx, j)
	// The leaser has the last word on whether the job is due again.
	return time.Until(start.Add(j.Interval))
}

// run executes one run of j under its lease, keeps the lease renewed while it
// lasts, and gives it back afterwards.
func (s *Scheduler) run(ctx context.Context, j Job) {
	s.setRunning(j.Name, true)
	defer s.setRunning(j.Name, false)
	rctx, cancel := context.WithCancel(ctx)
	renewed := make(chan struct{})
	go s.renew(rctx, j, cancel, renewed)

	start := time.Now()
	done, err := call(rctx, j.Run)
	took := time.Since(start)
	ended := rctx.Err() != nil        // stopped, or the lease was lost
	lost := ended && ctx.Err() == nil // the lease, not a stop
	cancel()
	<-renewed

	s.release(ctx, j)

	stopped := ended && (err == nil || errors.Is(err, context.Canceled))
	switch {
	case stopped && !lost:
		s.log.InfoContext(ctx, "scheduler: job stopped for shutdown", "job", j.Name, "took", took, "done", done)
		err = nil
	case stopped: // lost the lease; renew logged why
		err = errors.New("stopped: the lease was lost")
		fallthrough
	case err != nil:
		s.log.ErrorContext(ctx, "scheduler: job failed; retrying at its next interval", "job", j.Name, "took", took,
			"done", done, "next_in", j.Interval, "err", err)
	default:
		s.log.DebugContext(ctx, "scheduler: job ran", "job", j.Name, "took", took, "done", done)
	}
	s.obs.JobRan(j.Name, took, done, err)
}

// release gives j's lease back, on a context the stop does not cancel.
func (s *Scheduler) release(ctx context.Context, j Job) {
	rel, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	if err := s.leaser.ReleaseLease(rel, j.Name, s.holder); err != nil {
		s.log.WarnContext(ctx, "scheduler: cannot release the job's lease; it expires by itself", "job", j.Name, "err", err)
	}
}

// call runs fn, turning a panic into an error: a bug in one job must not take
// down the server or the other jobs.
func call(ctx context.Context, fn Func) (done int64, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
		}
	}()
	return fn(ctx)
}

// renew keeps the lease while ctx lives. If the lease is gone, or cannot be
// renewed for half its ttl (another node may take it once it expires), it
// cancels the run through lost. It closes done when it returns.
func (s *Scheduler) renew(ctx context.Context, j Job, lost context.CancelFunc, done chan<- struct{}) {
	defer close(done)
	tick := time.NewTicker(s.ttl / 3)
	defer tick.Stop()
	last := time.Now()
	for {
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
		held, err := s.leaser.RenewLease(ctx, j.Name, s.holder, s.ttl)
		switch {
		case ctx.Err() != nil:
			return
		case err == nil && held:
			last = time.Now()
		case err == nil:
			s.log.WarnContext(ctx, "scheduler: another node holds the job's lease now; stopping this run", "job", j.Name)
			lost()
			return
		case time.Since(last) >= s.ttl/2:
			s.log.WarnContext(ctx, "scheduler: cannot renew the job's lease; stopping this run before it expires", "job", j.Name, "err", err)
			lost()
			return
		default:
			s.log.WarnContext(ctx, "scheduler: renewing the job's lease failed; trying again", "job", j.Name, "err", err)
		}
	}
}

func (s *Scheduler) setRunning(name string, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if on {
		s.running[name] = true
	} else {
		delete(s.running, name)
	}
}

func defaultHolder() string {
	host, _ := os.Hostname()
	b := make([]byte, 4)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%s/%d/%s", host, os.Getpid(), hex.EncodeToString(b))
}

type noObserver struct{}

func (noObserver) JobRegistered(string)                       {}
func (noObserver) JobRan(string, time.Duration, int64, error) {}
