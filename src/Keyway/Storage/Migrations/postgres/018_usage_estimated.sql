-- Whether the row's token counts are Keyway's estimate: the upstream never reported usage for an answer that reached the
-- client (a stream the client left, or the upstream cut, before its usage event), so the budgets still count it.
ALTER TABLE request_logs ADD COLUMN usage_estimated BIGINT NOT NULL DEFAULT 0;
