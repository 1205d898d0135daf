-- Warden schema, version 4 (PostgreSQL): the notification outbox. A row is
-- written in the same transaction as the change that causes the message, and
-- the delivery job (app/outbox.go) claims it FOR UPDATE SKIP LOCKED, sends it,
-- retries it with backoff and marks it sent or dead. id is the idempotency key
-- (the mail's Message-ID).

CREATE TABLE outbox (
    id           text        COLLATE "C" PRIMARY KEY,
    kind         text        NOT NULL,
    recipient    text        NOT NULL DEFAULT '',
    data         bytea,
    state        smallint    NOT NULL DEFAULT 0, -- 0 pending, 1 sent, 2 dead
    attempts     integer     NOT NULL DEFAULT 0, -- claims so far; a claim's token
    next_attempt timestamptz NOT NULL,           -- due time, or the claim's lease end
    last_error   text        NOT NULL DEFAULT '',
    created_at   timestamptz,
    changed_at   timestamptz
);

-- Only pending rows matter to the delivery job.
CREATE INDEX outbox_due ON outbox (next_attempt) WHERE state = 0;
