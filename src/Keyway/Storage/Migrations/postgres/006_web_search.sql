-- The gateway's own web-search loop: searches it ran and extra upstream rounds it took (null when it did not run).
ALTER TABLE request_logs ADD COLUMN web_search_calls BIGINT NULL;
ALTER TABLE request_logs ADD COLUMN web_search_rounds BIGINT NULL;
