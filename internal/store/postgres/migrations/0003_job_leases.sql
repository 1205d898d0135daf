-- Warden schema, version 3 (PostgreSQL only): the scheduler's job leases. One
-- row per background job (internal/scheduler): which node runs it until when,
-- and when it is due again, so that several nodes run each job once per
-- interval between them. The embedded store has one process and no table.

CREATE TABLE job_leases (
    name       text        COLLATE "C" PRIMARY KEY,
    holder     text        NOT NULL DEFAULT '', -- '' = nobody
    held_until timestamptz NOT NULL,            -- the holder renews it while the run goes on
    next_run   timestamptz NOT NULL             -- the last run's start plus the job's interval
);
