-- Per-route and per-key web-search switch: 'auto' (the group's Tavily provider decides) or 'off'.
ALTER TABLE routes ADD COLUMN web_search TEXT NOT NULL DEFAULT 'auto';
ALTER TABLE api_keys ADD COLUMN web_search TEXT NOT NULL DEFAULT 'auto';
