-- When a key was last reset (an admin reset or a successful quarantine probe), ISO-8601 UTC text like the other times.
-- Across instances the later reset wins: it clears what was recorded before it, and a state written by an instance that
-- has not seen it yet is not stored.
ALTER TABLE key_health ADD COLUMN reset_at TEXT NULL;
