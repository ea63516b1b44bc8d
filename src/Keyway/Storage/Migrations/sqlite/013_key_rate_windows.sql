-- Issued keys' rpm/tpm windows and requests in flight, one row per key and Keyway instance (a new instance_id at
-- every start); since migration 015, also the requests in flight of upstream keys with a max_concurrency (rows
-- without window counts, by the upstream key's id). Each instance upserts its changed rows about once a second (a
-- row with requests in flight every second, so updated_at says it is alive) and reads the others': a key's limits
-- apply to the sum over instances.
-- Rows not updated for two minutes hold neither a running window nor live requests and are deleted.
CREATE TABLE key_rate_windows (
    key_id       TEXT NOT NULL,
    instance_id  TEXT NOT NULL,
    window_start TEXT NOT NULL,
    requests     INTEGER NOT NULL,
    tokens       INTEGER NOT NULL,
    in_flight    INTEGER NOT NULL,
    updated_at   TEXT NOT NULL,
    PRIMARY KEY (key_id, instance_id)
);
CREATE INDEX ix_key_rate_windows_updated_at ON key_rate_windows(updated_at);

-- Usage rows of issued keys deleted before they were deleted with the key.
DELETE FROM key_usage WHERE NOT EXISTS (SELECT 1 FROM api_keys WHERE api_keys.key_id = key_usage.key_id);
