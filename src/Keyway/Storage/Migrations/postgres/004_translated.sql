-- Whether a request's answer was translated between the client's protocol and the upstream's.
ALTER TABLE request_logs ADD COLUMN translated BIGINT NOT NULL DEFAULT 0;
