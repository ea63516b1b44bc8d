-- A key's own base URLs for protocols other than its provider's main one (a reseller key that also answers Anthropic Messages):
-- {"anthropic":"https://example.com/tokenplan/anthropic"}; they win over the provider's native_endpoints for that key.
ALTER TABLE provider_keys ADD COLUMN native_endpoints TEXT NOT NULL DEFAULT '{}';
