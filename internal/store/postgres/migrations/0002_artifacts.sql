-- Warden schema, version 2 (PostgreSQL): artifacts, the small records of the
-- sign-in machinery (tokens, sessions, keys, apps, ...) stored as JSON with a few
-- columns to find them by. Kept equivalent to the SQLite one.

CREATE TABLE artifacts (
    kind       text        COLLATE "C" NOT NULL,
    id         text        COLLATE "C" NOT NULL,
    key        text        COLLATE "C" NOT NULL DEFAULT '', -- '' = no lookup key
    user_id    text        COLLATE "C" NOT NULL DEFAULT '',
    org_id     text        COLLATE "C" NOT NULL DEFAULT '',
    created_at timestamptz,
    expires_at timestamptz, -- NULL = never expires
    data       bytea,       -- NULL = empty; JSON kept byte for byte
    PRIMARY KEY (kind, id)
);

-- Queries repeat "key <> ''" literally so the planner may use this partial index.
CREATE UNIQUE INDEX artifacts_kind_key ON artifacts (kind, key) WHERE key <> '';
CREATE INDEX artifacts_kind_user ON artifacts (kind, user_id);
CREATE INDEX artifacts_kind_org ON artifacts (kind, org_id);
-- Only expiring artifacts matter to the purge.
CREATE INDEX artifacts_expires_at ON artifacts (expires_at) WHERE expires_at IS NOT NULL;
