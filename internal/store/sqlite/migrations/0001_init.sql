-- Warden schema, version 1 (SQLite).
-- Times are INTEGER unix microseconds (NULL = zero time.Time): compact, fast to
-- compare and exactly the precision store.Now keeps.
-- Tables keyed by text ids are WITHOUT ROWID so a lookup by key is one B-tree walk.

CREATE TABLE instance (
    -- singleton makes a second bootstrap impossible even from two processes.
    singleton      INTEGER PRIMARY KEY CHECK (singleton = 1),
    id             TEXT    NOT NULL UNIQUE,
    default_org_id TEXT    NOT NULL,
    sequence       INTEGER NOT NULL,
    created_at     INTEGER
);

CREATE TABLE orgs (
    id         TEXT    PRIMARY KEY,
    name       TEXT    NOT NULL UNIQUE,
    state      INTEGER NOT NULL,
    sequence   INTEGER NOT NULL,
    created_at INTEGER,
    changed_at INTEGER
) WITHOUT ROWID;

CREATE TABLE users (
    id                       TEXT    PRIMARY KEY,
    org_id                   TEXT    NOT NULL,
    user_name                TEXT    NOT NULL,
    type                     INTEGER NOT NULL,
    state                    INTEGER NOT NULL,
    state_before_lock        INTEGER NOT NULL,
    sequence                 INTEGER NOT NULL,
    created_at               INTEGER,
    changed_at               INTEGER,
    credential_epoch         INTEGER NOT NULL,
    human                    TEXT,    -- JSON of user.Human, NULL for machines
    machine                  TEXT,    -- JSON of user.Machine, NULL for humans
    -- Secrets and counters the JSON leaves out (json:"-").
    password_hash            TEXT,
    failed_password_attempts INTEGER NOT NULL DEFAULT 0,
    -- Copies for filtering and sorting; *_lower are Go's strings.ToLower, so
    -- ignore-case matching is Unicode-aware and identical on both engines.
    user_name_lower          TEXT    NOT NULL,
    email                    TEXT    NOT NULL DEFAULT '',
    email_lower              TEXT    NOT NULL DEFAULT '',
    first_name               TEXT    NOT NULL DEFAULT '',
    last_name                TEXT    NOT NULL DEFAULT '',
    nick_name                TEXT    NOT NULL DEFAULT '',
    display_name             TEXT    NOT NULL DEFAULT ''
) WITHOUT ROWID;

-- Removed users (state 3) free their name.
CREATE UNIQUE INDEX users_org_user_name ON users (org_id, user_name) WHERE state <> 3;
CREATE INDEX users_user_name_lower ON users (user_name_lower);
CREATE INDEX users_email_lower ON users (email_lower);

CREATE TABLE members (
    org_id     TEXT    NOT NULL, -- '' = instance scope
    user_id    TEXT    NOT NULL,
    roles      TEXT    NOT NULL, -- JSON array
    created_at INTEGER,
    changed_at INTEGER,
    sequence   INTEGER NOT NULL,
    PRIMARY KEY (org_id, user_id)
) WITHOUT ROWID;
CREATE INDEX members_user ON members (user_id);

CREATE TABLE pats (
    id         TEXT    PRIMARY KEY,
    user_id    TEXT    NOT NULL,
    org_id     TEXT    NOT NULL,
    hash       BLOB    NOT NULL UNIQUE,
    expiration INTEGER, -- NULL = never expires
    created_at INTEGER,
    epoch      INTEGER NOT NULL,
    sequence   INTEGER NOT NULL
) WITHOUT ROWID;
CREATE INDEX pats_user ON pats (user_id);

CREATE TABLE events (
    aggregate_type TEXT    NOT NULL,
    aggregate_id   TEXT    NOT NULL,
    sequence       INTEGER NOT NULL,
    type           TEXT    NOT NULL,
    created_at     INTEGER,
    creator_id     TEXT    NOT NULL,
    resource_owner TEXT    NOT NULL,
    payload        BLOB,
    PRIMARY KEY (aggregate_id, sequence)
) WITHOUT ROWID;
