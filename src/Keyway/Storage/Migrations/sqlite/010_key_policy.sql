-- Access policy of issued keys: allowed_aliases is a JSON array of aliases or globs ([] = every alias of the group);
-- a NULL limit or budget means none. A visitor key is served only by upstream keys with allow_visitor = 1 and only
-- on routes with allow_visitors = 1; its request-log rows have visitor = 1.
ALTER TABLE api_keys ADD COLUMN allowed_aliases TEXT NOT NULL DEFAULT '[]';
ALTER TABLE api_keys ADD COLUMN rpm INTEGER NULL;
ALTER TABLE api_keys ADD COLUMN tpm INTEGER NULL;
ALTER TABLE api_keys ADD COLUMN max_concurrency INTEGER NULL;
ALTER TABLE api_keys ADD COLUMN daily_token_budget INTEGER NULL;
ALTER TABLE api_keys ADD COLUMN monthly_token_budget INTEGER NULL;
ALTER TABLE api_keys ADD COLUMN visitor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE provider_keys ADD COLUMN allow_visitor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE routes ADD COLUMN allow_visitors INTEGER NOT NULL DEFAULT 0;
ALTER TABLE request_logs ADD COLUMN visitor INTEGER NOT NULL DEFAULT 0;

-- Usage of issued keys per UTC day (yyyy-MM-dd), one row per Keyway instance (a new instance_id at every start).
-- Each instance upserts its own absolute counts about once a second and reads the others' rows: the sum over
-- instance_id is the key's usage of the day, and a month is the sum of its days.
CREATE TABLE key_usage (
    key_id             TEXT NOT NULL,
    day                TEXT NOT NULL,
    instance_id        TEXT NOT NULL,
    requests           INTEGER NOT NULL DEFAULT 0,
    errors             INTEGER NOT NULL DEFAULT 0,
    input_tokens       INTEGER NOT NULL DEFAULT 0,
    output_tokens      INTEGER NOT NULL DEFAULT 0,
    cache_read_tokens  INTEGER NOT NULL DEFAULT 0,
    cache_write_tokens INTEGER NOT NULL DEFAULT 0,
    reasoning_tokens   INTEGER NOT NULL DEFAULT 0,
    updated_at         TEXT NOT NULL,
    PRIMARY KEY (key_id, day, instance_id)
);
CREATE INDEX ix_key_usage_day ON key_usage(day);
