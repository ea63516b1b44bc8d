-- Key pools: per-provider failover knobs (NULL = the global default), per-key model limits and base URL.
ALTER TABLE providers ADD COLUMN max_retries BIGINT NULL;
ALTER TABLE providers ADD COLUMN key_failure_threshold BIGINT NULL;
ALTER TABLE providers ADD COLUMN key_cooldown_seconds BIGINT NULL;
ALTER TABLE provider_keys ADD COLUMN models TEXT NOT NULL DEFAULT '[]';
ALTER TABLE provider_keys ADD COLUMN base_url TEXT NULL;

-- Fallback targets of a route, tried in priority order (lower first) after the route's own binding.
CREATE TABLE route_providers (
    rp_id          TEXT PRIMARY KEY,
    route_id       TEXT NOT NULL REFERENCES routes(route_id) ON DELETE CASCADE,
    provider_id    TEXT NOT NULL REFERENCES providers(provider_id) ON DELETE CASCADE,
    upstream_model TEXT NOT NULL,
    priority       BIGINT NOT NULL DEFAULT 0,
    enabled        BIGINT NOT NULL DEFAULT 1,
    created_at     TEXT NOT NULL,
    UNIQUE (route_id, provider_id)
);
CREATE INDEX ix_route_providers_route ON route_providers(route_id);

-- A group's unified alias: one fixed model name whose route (and optionally key) an admin switches.
CREATE TABLE group_unified_models (
    group_id   TEXT PRIMARY KEY REFERENCES groups(group_id) ON DELETE CASCADE,
    alias      TEXT NOT NULL,
    route_id   TEXT NOT NULL REFERENCES routes(route_id) ON DELETE CASCADE,
    key_name   TEXT NULL,
    updated_at TEXT NOT NULL
);

-- Cooldown and quarantine state of upstream keys, written in the background so it survives a restart.
CREATE TABLE key_health (
    key_id               TEXT PRIMARY KEY REFERENCES provider_keys(key_id) ON DELETE CASCADE,
    provider_id          TEXT NOT NULL,
    consecutive_failures BIGINT NOT NULL DEFAULT 0,
    credential_failures  BIGINT NOT NULL DEFAULT 0,
    cooldown_until       TEXT NULL,
    model_cooldowns      TEXT NOT NULL DEFAULT '{}',
    quarantine_reason    TEXT NULL,
    quarantined_at       TEXT NULL,
    last_status          BIGINT NULL,
    last_error           TEXT NULL,
    last_failure_at      TEXT NULL
);

-- Each attempt of a request: [{"provider":…,"key":…,"status":…}], key names only, never secrets.
ALTER TABLE request_logs ADD COLUMN attempt_log TEXT NULL;
