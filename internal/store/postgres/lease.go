package postgres

import (
	"context"
	"time"
)

// Job leases for internal/scheduler: a row per job, taken by one atomic
// upsert, so several nodes run a job one at a time and once per interval
// between them. Every time is the database's clock (clock_timestamp), so the
// nodes' clocks need not agree. docs/ARCHITECTURE.md says why a row and not an
// advisory lock.
const (
	// The upsert takes the lease only if nobody holds it and the job is due;
	// of two nodes at once, the second waits for the first's row lock and
	// then finds the condition false. The SELECTs see the row as it was before
	// the upsert: when the lease was not taken, they say how long until it may
	// be — until the job is due, or, if it is due but held (a run longer than
	// the interval, or a dead holder), until the lease ends. A race can make
	// that 0; the caller then asks again.
	sqlTakeLease = `WITH taken AS (
		INSERT INTO job_leases AS l (name, holder, held_until, next_run)
		VALUES ($1, $2, clock_timestamp() + make_interval(secs => $3), clock_timestamp() + make_interval(secs => $4))
		ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, held_until = excluded.held_until, next_run = excluded.next_run
		WHERE l.held_until <= clock_timestamp() AND l.next_run <= clock_timestamp()
		RETURNING 1)
		SELECT EXISTS (SELECT 1 FROM taken),
			coalesce((SELECT extract(epoch FROM CASE WHEN next_run > clock_timestamp() THEN next_run ELSE held_until END - clock_timestamp())
				FROM job_leases WHERE name = $1), 0)::float8`
	sqlRenewLease   = `UPDATE job_leases SET held_until = clock_timestamp() + make_interval(secs => $3) WHERE name = $1 AND holder = $2`
	sqlReleaseLease = `UPDATE job_leases SET holder = '', held_until = clock_timestamp() WHERE name = $1 AND holder = $2`
)

// TakeLease gives the job name to holder for ttl if it is due (interval has
// passed since its last run was taken) and nobody holds it; otherwise wait is
// how long until it may be. It implements scheduler.Leaser.
func (s *Store) TakeLease(ctx context.Context, name, holder string, interval, ttl time.Duration) (bool, time.Duration, error) {
	var taken bool
	var wait float64
	if err := s.pool.QueryRow(ctx, sqlTakeLease, name, holder, ttl.Seconds(), interval.Seconds()).Scan(&taken, &wait); err != nil {
		return false, 0, classify("take lease "+name, err)
	}
	if taken {
		return true, 0, nil
	}
	return false, time.Duration(wait * float64(time.Second)), nil
}

// RenewLease extends holder's lease on name to ttl from now; false if another
// node has taken it meanwhile.
func (s *Store) RenewLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error) {
	tag, err := s.pool.Exec(ctx, sqlRenewLease, name, holder, ttl.Seconds())
	if err != nil {
		return false, classify("renew lease "+name, err)
	}
	return tag.RowsAffected() == 1, nil
}

// ReleaseLease ends holder's lease on name; the job stays due at the time the
// lease was taken plus its interval. A lease holder does not hold is left alone.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	_, err := s.pool.Exec(ctx, sqlReleaseLease, name, holder)
	return classify("release lease "+name, err)
}
