-- Warden schema, version 3 (SQLite): the notification outbox. A row is written
-- in the same transaction as the change that causes the message, and the
-- delivery job (app/outbox.go) sends it, retries it with backoff and marks it
-- sent or dead. id is the idempotency key (the mail's Message-ID).
-- A rowid table, as artifacts: data (the rendered message) may be kilobytes.

CREATE TABLE outbox (
    id           TEXT    NOT NULL PRIMARY KEY,
    kind         TEXT    NOT NULL,
    recipient    TEXT    NOT NULL DEFAULT '',
    data         BLOB,
    state        INTEGER NOT NULL DEFAULT 0, -- 0 pending, 1 sent, 2 dead
    attempts     INTEGER NOT NULL DEFAULT 0, -- claims so far; a claim's token
    next_attempt INTEGER NOT NULL,            -- due time, or the claim's lease end
    last_error   TEXT    NOT NULL DEFAULT '',
    created_at   INTEGER,
    changed_at   INTEGER
);

-- Only pending rows matter to the delivery job.
CREATE INDEX outbox_due ON outbox (next_attempt) WHERE state = 0;
