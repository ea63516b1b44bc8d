-- A provider's base URLs for protocols other than its main one: {"anthropic":"https://api.deepseek.com/anthropic"}.
ALTER TABLE providers ADD COLUMN native_endpoints TEXT NOT NULL DEFAULT '{}';
