-- One row per client request, written in batches by the request-log writer.
-- created_at is unix milliseconds (UTC) so time-range filters and retention are index scans.
CREATE TABLE request_logs (
    log_id             INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at         INTEGER NOT NULL,
    group_id           TEXT NOT NULL,
    api_key_id         TEXT NULL,
    route_alias        TEXT NULL,
    provider_id        TEXT NULL,
    upstream_model     TEXT NULL,
    endpoint           TEXT NOT NULL,
    client_protocol    TEXT NOT NULL,
    upstream_protocol  TEXT NULL,
    stream             INTEGER NOT NULL DEFAULT 0,
    status_code        INTEGER NOT NULL,
    error              TEXT NULL,
    latency_ms         INTEGER NOT NULL,
    ttfb_ms            INTEGER NULL,
    input_tokens       INTEGER NULL,
    output_tokens      INTEGER NULL,
    cache_read_tokens  INTEGER NULL,
    cache_write_tokens INTEGER NULL,
    reasoning_tokens   INTEGER NULL,
    attempts           INTEGER NOT NULL DEFAULT 1,
    user_agent         TEXT NULL
);
CREATE INDEX ix_request_logs_created ON request_logs(created_at);
CREATE INDEX ix_request_logs_key ON request_logs(api_key_id, created_at);
CREATE INDEX ix_request_logs_group ON request_logs(group_id, created_at);
