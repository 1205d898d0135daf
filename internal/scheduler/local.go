package scheduler

import (
	"context"
	"sync"
	"time"
)

// Local is the Leaser of a single process (the embedded store, whose data dir
// lock keeps out a second one): the same rules as the PostgreSQL lease, kept
// in memory.
func Local() Leaser { return &local{leases: map[string]*localLease{}} }

type local struct {
	mu     sync.Mutex
	leases map[string]*localLease
}

type localLease struct {
	holder    string // "" = nobody
	heldUntil time.Time
	nextRun   time.Time
}

func (l *local) TakeLease(_ context.Context, name, holder string, interval, ttl time.Duration) (bool, time.Duration, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := time.Now()
	le := l.leases[name]
	if le == nil {
		le = &localLease{}
		l.leases[name] = le
	}
	if now.Before(le.nextRun) {
		return false, le.nextRun.Sub(now), nil
	}
	if now.Before(le.heldUntil) { // due, but a run is still going
		return false, le.heldUntil.Sub(now), nil
	}
	le.holder, le.heldUntil, le.nextRun = holder, now.Add(ttl), now.Add(interval)
	return true, 0, nil
}

func (l *local) RenewLease(_ context.Context, name, holder string, ttl time.Duration) (bool, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	le := l.leases[name]
	if le == nil || le.holder != holder {
		return false, nil
	}
	le.heldUntil = time.Now().Add(ttl)
	return true, nil
}

func (l *local) ReleaseLease(_ context.Context, name, holder string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if le := l.leases[name]; le != nil && le.holder == holder {
		le.holder, le.heldUntil = "", time.Now()
	}
	return nil
}
