-- The place of the last request-log row each writer committed, on PostgreSQL (see its 020): a SQLite commit is never
-- cut off from its answer, so SQLite leaves this table empty; it exists so both schemas stay the same.
CREATE TABLE request_log_writers (
    writer_id  TEXT PRIMARY KEY,
    last_row   INTEGER NOT NULL,
    written_at INTEGER NOT NULL
);
