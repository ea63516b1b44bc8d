-- Route defaults, applied when the client leaves the parameter out (null: no default).
ALTER TABLE routes ADD COLUMN default_reasoning_effort TEXT NULL;
ALTER TABLE routes ADD COLUMN max_tokens_cap BIGINT NULL;
ALTER TABLE routes ADD COLUMN default_temperature DOUBLE PRECISION NULL;
-- The provider serves the Responses WebSocket mode (GET /v1/responses with an upgrade is relayed to it).
ALTER TABLE providers ADD COLUMN websocket BIGINT NOT NULL DEFAULT 0;
-- What the tool-schema fallback removed before its one retry (null when it did not run).
ALTER TABLE request_logs ADD COLUMN tool_fallback TEXT NULL;
