-- Per-route and per-key web-search switch: 'auto' (the group's Tavily provider decides) or 'off'.
ALTER TABLE routes ADD COLUMN web_search TEXT NOT NULL DEFAULT 'auto';
ALTER TABLE api_keys ADD COLUMN web_search TEXT NOT NULL DEFAULT 'auto';
-- Per search round of the gateway's loop: its latency in ms (comma list, in order) and, only when
-- KEYWAY_LOG_TOOL_QUERIES=true, the queries searched (JSON array).
ALTER TABLE request_logs ADD COLUMN web_search_round_ms TEXT NULL;
ALTER TABLE request_logs ADD COLUMN web_search_queries TEXT NULL;
-- A tool provider's searches and failed searches so far, and when it last searched (written in batches).
ALTER TABLE tool_providers ADD COLUMN search_count BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tool_providers ADD COLUMN search_failures BIGINT NOT NULL DEFAULT 0;
ALTER TABLE tool_providers ADD COLUMN last_search_at TEXT NULL;
