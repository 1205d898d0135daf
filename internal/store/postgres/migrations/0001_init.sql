-- Warden schema, version 1 (PostgreSQL). Kept equivalent to the SQLite one.
-- Text columns use the "C" collation: byte order, as SQLite sorts, independent of
-- the database's locale, so both engines list users in the same order.

CREATE TABLE instance (
    -- singleton makes a second bootstrap impossible even from two nodes.
    singleton      boolean     PRIMARY KEY DEFAULT true CHECK (singleton),
    id             text        COLLATE "C" NOT NULL UNIQUE,
    default_org_id text        COLLATE "C" NOT NULL,
    sequence       bigint      NOT NULL,
    created_at     timestamptz
);

CREATE TABLE orgs (
    id         text        COLLATE "C" PRIMARY KEY,
    name       text        COLLATE "C" NOT NULL UNIQUE,
    state      integer     NOT NULL,
    sequence   bigint      NOT NULL,
    created_at timestamptz,
    changed_at timestamptz
);

CREATE TABLE users (
    id                       text        COLLATE "C" PRIMARY KEY,
    org_id                   text        COLLATE "C" NOT NULL,
    user_name                text        COLLATE "C" NOT NULL,
    type                     integer     NOT NULL,
    state                    integer     NOT NULL,
    state_before_lock        integer     NOT NULL,
    sequence                 bigint      NOT NULL,
    created_at               timestamptz,
    changed_at               timestamptz,
    credential_epoch         bigint      NOT NULL,
    human                    jsonb,      -- user.Human, NULL for machines
    machine                  jsonb,      -- user.Machine, NULL for humans
    -- Secrets and counters the JSON leaves out (json:"-").
    password_hash            text,
    failed_password_attempts integer     NOT NULL DEFAULT 0,
    -- Copies for filtering and sorting; *_lower are Go's strings.ToLower, so
    -- ignore-case matching is identical on both engines.
    user_name_lower          text        COLLATE "C" NOT NULL,
    email                    text        COLLATE "C" NOT NULL DEFAULT '',
    email_lower              text        COLLATE "C" NOT NULL DEFAULT '',
    first_name               text        COLLATE "C" NOT NULL DEFAULT '',
    last_name                text        COLLATE "C" NOT NULL DEFAULT '',
    nick_name                text        COLLATE "C" NOT NULL DEFAULT '',
    display_name             text        COLLATE "C" NOT NULL DEFAULT ''
);

-- Removed users (state 3) free their name.
CREATE UNIQUE INDEX users_org_user_name ON users (org_id, user_name) WHERE state <> 3;
CREATE INDEX users_user_name_lower ON users (user_name_lower);
CREATE INDEX users_email_lower ON users (email_lower);

CREATE TABLE members (
    org_id     text        COLLATE "C" NOT NULL, -- '' = instance scope
    user_id    text        COLLATE "C" NOT NULL,
    roles      jsonb       NOT NULL,
    created_at timestamptz,
    changed_at timestamptz,
    sequence   bigint      NOT NULL,
    PRIMARY KEY (org_id, user_id)
);
CREATE INDEX members_user ON members (user_id);

CREATE TABLE pats (
    id         text        COLLATE "C" PRIMARY KEY,
    user_id    text        COLLATE "C" NOT NULL,
    org_id     text        COLLATE "C" NOT NULL,
    hash       bytea       NOT NULL UNIQUE,
    expiration timestamptz, -- NULL = never expires
    created_at timestamptz,
    epoch      bigint      NOT NULL,
    sequence   bigint      NOT NULL
);
CREATE INDEX pats_user ON pats (user_id);

CREATE TABLE events (
    aggregate_type text        COLLATE "C" NOT NULL,
    aggregate_id   text        COLLATE "C" NOT NULL,
    sequence       bigint      NOT NULL,
    type           text        COLLATE "C" NOT NULL,
    created_at     timestamptz,
    creator_id     text        COLLATE "C" NOT NULL,
    resource_owner text        COLLATE "C" NOT NULL,
    payload        bytea,      -- JSON, kept byte for byte
    PRIMARY KEY (aggregate_id, sequence)
);
