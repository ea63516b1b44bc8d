-- The place of the last request-log row each writer (one per Keyway process) committed, moved on in the same
-- transaction as its rows: a batch whose commit was cut off from its answer (the connection lost after the server
-- committed) is retried knowing which of its rows are in already, so none is written twice. The log's retention
-- deletes the marks of writers that wrote nothing within the retention period.
CREATE TABLE request_log_writers (
    writer_id  TEXT PRIMARY KEY,
    last_row   BIGINT NOT NULL,
    written_at BIGINT NOT NULL
);
