package app

import (
	"context"
	"runtime"
	"time"

	"github.com/warden-id/warden/internal/credential"
	"github.com/warden-id/warden/internal/fail"
)

// hashLimit bounds how many password hashes are computed at once. Each
// argon2id run takes up to 256 MiB (the import limit) and cannot be stopped
// once started, so a burst of sign-ins — or of guesses from many addresses —
// must queue for the CPUs rather than exhaust memory; and a request waits in
// that queue only while its caller still waits for the answer.
type hashLimit struct {
	slots chan struct{}
	wait  time.Duration // 0: as long as the request's context lives
}

func newHashLimit(n int, wait time.Duration) *hashLimit {
	if n <= 0 {
		n = max(2, runtime.GOMAXPROCS(0))
	}
	return &hashLimit{slots: make(chan struct{}, n), wait: max(wait, 0)}
}

// WithHashSlots sets how many password hashes may be computed at once (n ≤ 0:
// max(2, GOMAXPROCS)) and, when wait > 0, the longest a request waits for a
// slot. A request always stops waiting when its context ends (the default's
// only bound).
func WithHashSlots(n int, wait time.Duration) Option {
	return func(a *App) { a.hash = newHashLimit(n, wait) }
}

// acquire takes a hash slot, waiting only while ctx lives (and at most the
// limit's wait, if it has one).
func (l *hashLimit) acquire(ctx context.Context) (release func(), err error) {
	release = func() { <-l.slots }
	select {
	case l.slots <- struct{}{}:
		return release, nil
	default:
	}
	var timeout <-chan time.Time
	if l.wait > 0 {
		t := time.NewTimer(l.wait)
		defer t.Stop()
		timeout = t.C
	}
	select {
	case l.slots <- struct{}{}:
		return release, nil
	case <-ctx.Done():
		return nil, ErrPasswordBusy.Wrap(ctx.Err())
	case <-timeout:
		return nil, ErrPasswordBusy
	}
}

// TakeHashSlot takes one of the node's hash slots as a password check would,
// for work that must share their bound; tests fill the slots with it to see
// what a node whose every slot is busy answers, without racing real hashes.
func (a *App) TakeHashSlot(ctx context.Context) (release func(), err error) {
	return a.hash.acquire(ctx)
}

// verifyPassword compares a password with a hash in a hash slot.
func (a *App) verifyPassword(ctx context.Context, hash, password string) (bool, error) {
	release, err := a.hash.acquire(ctx)
	if err != nil {
		return false, err
	}
	defer release()
	return credential.VerifyPassword(hash, password), nil
}

// hashPassword hashes a new password with the server's parameters in a hash slot.
func (a *App) hashPassword(ctx context.Context, password string) (string, error) {
	release, err := a.hash.acquire(ctx)
	if err != nil {
		return "", err
	}
	defer release()
	h, err := credential.HashPassword(password)
	if err != nil {
		return "", fail.Internal.Wrap(err)
	}
	return h, nil
}
