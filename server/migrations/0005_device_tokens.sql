-- Device tokens expire and rotate; each device's last sync and what it still held then.
--
-- A token is valid until `expires_at` (NULL: issued before tokens expired; such a token is
-- replaced at its device's next handshake). A rotation keeps the replaced token, and when it
-- would have expired, in `previous_token_hash` and `previous_expires_at` until the new token
-- is first used (a tablet that lost the answer carrying the new token is not stranded).
ALTER TABLE devices ADD COLUMN token_issued_at TEXT;
ALTER TABLE devices ADD COLUMN expires_at TEXT;
ALTER TABLE devices ADD COLUMN previous_token_hash TEXT;
ALTER TABLE devices ADD COLUMN previous_expires_at TEXT;
-- The device's last handshake: when, its first ever, the work it reported pending then and
-- the sequence it had reached on the server then (what it pushed since is no longer pending),
-- and the app version it runs.
ALTER TABLE devices ADD COLUMN first_sync_at TEXT;
ALTER TABLE devices ADD COLUMN last_sync_at TEXT;
ALTER TABLE devices ADD COLUMN pending_at_last_sync BIGINT;
ALTER TABLE devices ADD COLUMN seq_at_last_sync BIGINT;
ALTER TABLE devices ADD COLUMN app_version TEXT;

CREATE INDEX devices_previous_token_hash ON devices (previous_token_hash);
