-- Warden schema, version 2 (SQLite): artifacts, the small records of the sign-in
-- machinery (tokens, sessions, keys, apps, ...) stored as JSON with a few columns
-- to find them by.
-- A rowid table, unlike the others: data is JSON of up to kilobytes, and a
-- WITHOUT ROWID table keeps whole rows in its B-tree nodes, which SQLite advises
-- against for rows that large (the tree gets deep).

CREATE TABLE artifacts (
    kind       TEXT    NOT NULL,
    id         TEXT    NOT NULL,
    key        TEXT    NOT NULL DEFAULT '', -- '' = no lookup key
    user_id    TEXT    NOT NULL DEFAULT '',
    org_id     TEXT    NOT NULL DEFAULT '',
    created_at INTEGER,
    expires_at INTEGER, -- NULL = never expires
    data       BLOB,    -- NULL = empty
    PRIMARY KEY (kind, id)
);

-- Queries repeat "key <> ''" literally so SQLite may use this partial index.
CREATE UNIQUE INDEX artifacts_kind_key ON artifacts (kind, key) WHERE key <> '';
CREATE INDEX artifacts_kind_user ON artifacts (kind, user_id);
CREATE INDEX artifacts_kind_org ON artifacts (kind, org_id);
-- Only expiring artifacts matter to the purge.
CREATE INDEX artifacts_expires_at ON artifacts (expires_at) WHERE expires_at IS NOT NULL;
