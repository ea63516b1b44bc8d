-- Responses API turns Keyway stores for routes it translates (store not false): one row per response, pointing at the
-- response it continued. sealed_turn holds the turn's input items and response object, sealed like an upstream key
-- (AES-256-GCM with the key derived from KEYWAY_SECRET): the database never holds a conversation in plaintext. A row
-- is read only by the issued key (and group) it was stored for, and until expires_at (KEYWAY_RESPONSE_STORE_DAYS).
CREATE TABLE stored_responses (
    response_id          TEXT NOT NULL PRIMARY KEY,
    previous_response_id TEXT NULL,
    key_id               TEXT NOT NULL,
    group_id             TEXT NOT NULL,
    sealed_turn          TEXT NOT NULL,
    created_at           TEXT NOT NULL,
    expires_at           TEXT NOT NULL
);
CREATE INDEX ix_stored_responses_expires_at ON stored_responses(expires_at);
