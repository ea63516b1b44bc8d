-- PostgreSQL twin of sqlite/001: SQLite INTEGER is 64-bit, so BIGINT here; times stay ISO-8601 text, flags 0/1, as in SQLite.
-- Configuration aggregates. Timestamps are ISO-8601 UTC text; secrets are SecretBox-sealed text.
CREATE TABLE meta (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE groups (
    group_id   TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    enabled    BIGINT NOT NULL DEFAULT 1,
    note       TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE providers (
    provider_id     TEXT PRIMARY KEY,
    group_id        TEXT NOT NULL REFERENCES groups(group_id) ON DELETE CASCADE,
    name            TEXT NOT NULL,
    base_url        TEXT NOT NULL,
    protocol        TEXT NOT NULL,
    enabled         BIGINT NOT NULL DEFAULT 1,
    note            TEXT NOT NULL DEFAULT '',
    timeout_seconds BIGINT NOT NULL DEFAULT 600,
    extra_headers   TEXT NOT NULL DEFAULT '{}',
    routing_mode    TEXT NOT NULL DEFAULT 'round_robin',
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL
);
CREATE INDEX ix_providers_group ON providers(group_id);

CREATE TABLE provider_keys (
    key_id        TEXT PRIMARY KEY,
    provider_id   TEXT NOT NULL REFERENCES providers(provider_id) ON DELETE CASCADE,
    name          TEXT NOT NULL,
    sealed_secret TEXT NOT NULL,
    enabled       BIGINT NOT NULL DEFAULT 1,
    sort_order    BIGINT NOT NULL DEFAULT 0,
    created_at    TEXT NOT NULL,
    UNIQUE (provider_id, name)
);

CREATE TABLE routes (
    route_id       TEXT PRIMARY KEY,
    group_id       TEXT NOT NULL REFERENCES groups(group_id) ON DELETE CASCADE,
    alias          TEXT NOT NULL,
    provider_id    TEXT NOT NULL REFERENCES providers(provider_id) ON DELETE CASCADE,
    upstream_model TEXT NOT NULL,
    upstream_path  TEXT NOT NULL DEFAULT '',
    enabled        BIGINT NOT NULL DEFAULT 1,
    note           TEXT NOT NULL DEFAULT '',
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (group_id, alias)
);

CREATE TABLE api_keys (
    key_id           TEXT PRIMARY KEY,
    group_id         TEXT NOT NULL REFERENCES groups(group_id) ON DELETE CASCADE,
    name             TEXT NOT NULL DEFAULT '',
    owner_user_id    TEXT NOT NULL DEFAULT '',
    key_hash         TEXT NOT NULL UNIQUE,
    key_prefix       TEXT NOT NULL,
    sealed_plaintext TEXT NOT NULL,
    enabled          BIGINT NOT NULL DEFAULT 1,
    expires_at       TEXT NULL,
    last_used_at     TEXT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
);
CREATE INDEX ix_api_keys_group ON api_keys(group_id);

CREATE TABLE tool_providers (
    tool_id        TEXT PRIMARY KEY,
    group_id       TEXT NOT NULL REFERENCES groups(group_id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL DEFAULT 'tavily',
    sealed_api_key TEXT NOT NULL DEFAULT '',
    config         TEXT NOT NULL DEFAULT '{}',
    enabled        BIGINT NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
);
CREATE INDEX ix_tool_providers_group ON tool_providers(group_id);

-- Admin sessions: only the SHA-256 of the cookie value is kept.
CREATE TABLE admin_sessions (
    session_hash TEXT PRIMARY KEY,
    created_at   TEXT NOT NULL,
    expires_at   TEXT NOT NULL
);
