-- Which Keyway instance served the request (KEYWAY_INSTANCE_ID); null for rows written before it existed.
ALTER TABLE request_logs ADD COLUMN instance_id TEXT NULL;
