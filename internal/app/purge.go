package app

import (
	"context"
	"fmt"
	"time"

	"github.com/warden-id/warden/internal/oauth"
	"github.com/warden-id/warden/internal/scheduler"
	"github.com/warden-id/warden/internal/store"
)

// purgeKinds are the artifact kinds the purge deletes once expired: those no
// code path reads after their ExpiresAt (each reader treats an expired one as
// absent). A refresh token marked Used is kept until its own expiry for replay
// detection, and a spent one past it is refused as unknown either way; a
// signing key's ExpiresAt is the end of its publication (NotAfter+keepAfter in
// oidc/keys.go).
//
// Not here, on purpose: machine keys (credential.KindMachineKey), which
// ZITADEL keeps listing and returning past their expiration until removed, so
// their ExpiresAt stops only their use; and every kind without an expiry. A
// new kind with an ExpiresAt joins this list only if nothing reads it after.
var purgeKinds = []string{
	oauth.KindAuthRequest, oauth.KindAccessToken, oauth.KindRefreshToken, oauth.KindSession,
	oauth.KindSigningKey, KindConsoleSession, KindPasswordChange, oauth.KindDeviceAuth,
}

const (
	// PurgeJob is the purge's name in the scheduler (logs, metrics, leases).
	PurgeJob = "purge_expired"
	// PurgeBatch is how many artifacts one purge transaction deletes: small
	// enough that it holds the SQLite writer or PostgreSQL row locks only
	// briefly; the purge goes on batch after batch until nothing is left.
	PurgeBatch = 1000
	// purgeBatchTimeout bounds one batch, which shutdown does not cut.
	purgeBatchTimeout = time.Minute
)

// PurgeExpired deletes every artifact of purgeKinds that had expired when it
// started, batch artifacts per transaction, until none is left, and returns
// how many it deleted. Each batch is its own write, so other writes go in
// between; what expires meanwhile is left to the next run, so a run ends even
// under load. When ctx ends it stops between two batches (never inside one)
// and returns what it deleted with nil: the rest waits for the next run.
func (a *App) PurgeExpired(ctx context.Context, batch int) (int64, error) {
	batch = store.ClampLimit(batch)
	cutoff := store.Now()
	var total int64
	for ctx.Err() == nil {
		bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), purgeBatchTimeout)
		n, err := a.store.PurgeExpired(bctx, cutoff, purgeKinds, batch)
		cancel()
		total += n
		if err != nil {
			return total, fmt.Errorf("purge expired artifacts (%d deleted before): %w", total-n, err)
		}
		if n < int64(batch) {
			break
		}
	}
	return total, nil
}

// PurgeJobEvery is the purge as a scheduler job run at interval.
func (a *App) PurgeJobEvery(interval time.Duration) scheduler.Job {
	return scheduler.Job{Name: PurgeJob, Interval: interval, Run: func(ctx context.Context) (int64, error) {
		return a.PurgeExpired(ctx, PurgeBatch)
	}}
}
