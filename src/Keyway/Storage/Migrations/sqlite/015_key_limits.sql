-- Key pool limits: a key's max_concurrency (requests in flight on it over all instances, shared through key_rate_windows; NULL = no limit) and a
-- provider's key_wait_seconds (how long a request waits for a key of the pool to free or recover; NULL = the global default).
ALTER TABLE provider_keys ADD COLUMN max_concurrency INTEGER NULL;
ALTER TABLE providers ADD COLUMN key_wait_seconds INTEGER NULL;
