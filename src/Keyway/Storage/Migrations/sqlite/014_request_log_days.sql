-- Daily roll-up of request-log rows the retention pass deleted, so stats keep counting them: the pass adds each
-- batch it deletes here in the same transaction. One row per UTC day (yyyy-MM-dd) and key; '' stands for a NULL
-- route_alias, provider_id or api_key_id, since a NULL never conflicts in a unique key. latency_ms_sum divided by
-- requests is the mean (latency_ms is never NULL). Percentiles cannot be rolled up.
CREATE TABLE request_log_days (
    day                TEXT NOT NULL,
    group_id           TEXT NOT NULL,
    route_alias        TEXT NOT NULL,
    provider_id        TEXT NOT NULL,
    api_key_id         TEXT NOT NULL,
    visitor            INTEGER NOT NULL,
    requests           INTEGER NOT NULL,
    errors             INTEGER NOT NULL,
    input_tokens       INTEGER NOT NULL,
    output_tokens      INTEGER NOT NULL,
    cache_read_tokens  INTEGER NOT NULL,
    cache_write_tokens INTEGER NOT NULL,
    reasoning_tokens   INTEGER NOT NULL,
    latency_ms_sum     INTEGER NOT NULL,
    PRIMARY KEY (day, group_id, route_alias, provider_id, api_key_id, visitor)
);
