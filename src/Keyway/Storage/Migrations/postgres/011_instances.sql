-- Which Keyway instance served the request (KEYWAY_INSTANCE_ID); null for rows written before it existed.
ALTER TABLE request_logs ADD COLUMN instance_id TEXT NULL;

-- Scale-out: every committed configuration write bumps config_version and notifies channel keyway_config, in the
-- writing transaction, so each instance's watcher rebuilds its snapshot (the version is also polled, in case a
-- notification is missed while an instance is reconnecting). Updates of usage columns alone (api_keys.last_used_at,
-- tool_providers' search counters) are not configuration and do not fire.
CREATE TABLE config_version (
    id      BIGINT PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO config_version (id, version) VALUES (1, 0);

CREATE FUNCTION keyway_config_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    current_version BIGINT;
BEGIN
    UPDATE config_version SET version = version + 1 WHERE id = 1 RETURNING version INTO current_version;
    PERFORM pg_notify('keyway_config', current_version::text);
    RETURN NULL;
END
$$;

CREATE TRIGGER groups_config_changed AFTER INSERT OR UPDATE OR DELETE ON groups
    FOR EACH STATEMENT EXECUTE FUNCTION keyway_config_changed();
CREATE TRIGGER providers_config_changed AFTER INSERT OR UPDATE OR DELETE ON providers
    FOR EACH STATEMENT EXECUTE FUNCTION keyway_config_changed();
CREATE TRIGGER provider_keys_config_changed AFTER INSERT OR UPDATE OR DELETE ON provider_keys
    FOR EACH STATEMENT EXECUTE FUNCTION keyway_config_changed();
CREATE TRIGGER routes_config_changed AFTER INSERT OR UPDATE OR DELETE ON routes
    FOR EACH STATEMENT EXECUTE FUNCTION keyway_config_changed();
CREATE TRIGGER route_providers_config_changed AFTER INSERT OR UPDATE OR DELETE ON route_providers
    FOR EACH STATEMENT EXECUTE FUNCTION keyway_config_changed();
CREATE TRIGGER group_unified_models_config_changed AFTER INSERT OR UPDATE OR DELETE ON group_unified_models
    FOR EACH STATEMENT EXECUTE FUNCTION keyway_config_changed();
CREATE TRIGGER api_keys_config_changed AFTER INSERT OR DELETE OR UPDATE OF group_id, name, owner_user_id, key_hash, enabled, expires_at, web_search,
    allowed_aliases, rpm, tpm, max_concurrency, daily_token_budget, monthly_token_budget, visitor ON api_keys
    FOR EACH STATEMENT EXECUTE FUNCTION keyway_config_changed();
CREATE TRIGGER tool_providers_config_changed AFTER INSERT OR DELETE OR UPDATE OF group_id, name, kind, sealed_api_key, config, enabled ON tool_providers
    FOR EACH STATEMENT EXECUTE FUNCTION keyway_config_changed();
