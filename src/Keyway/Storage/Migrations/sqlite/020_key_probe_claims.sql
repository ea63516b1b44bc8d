-- Who probes a quarantined upstream key next, on PostgreSQL (see its 019): one instance on SQLite probes every key
-- itself and leaves this table empty; it exists so both schemas stay the same.
CREATE TABLE key_probe_claims (
    key_id TEXT PRIMARY KEY REFERENCES provider_keys(key_id) ON DELETE CASCADE,
    due_at TEXT NOT NULL
);
