-- Who probes a quarantined upstream key next: every instance's prober asks each probe interval, and only the one whose
-- claim finds the key due (by the database's clock, so the instances' own clocks need not agree) moves due_at on and
-- probes it; the others learn the outcome through key_health, as of any other key state.
CREATE TABLE key_probe_claims (
    key_id TEXT PRIMARY KEY REFERENCES provider_keys(key_id) ON DELETE CASCADE,
    due_at TIMESTAMPTZ NOT NULL
);
