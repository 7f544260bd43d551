-- Facts about this server database itself. `epoch` is generated once when the database is
-- created; a database restored from a backup keeps its epoch but loses later mutations, which
-- the sync handshake detects from the per-device sequence numbers (ENGINEERING.md §3).
CREATE TABLE server_meta (
    key   TEXT PRIMARY KEY NOT NULL,
    value TEXT NOT NULL
);
