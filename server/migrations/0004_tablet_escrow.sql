-- The escrow of each tablet's data key (lost-tablet protection, PRODUCT.md §6). A tablet keeps
-- its residents' data encrypted under a random key it wraps twice: with its user's PIN, and
-- with the secret kept here for that tablet and the clinic whose data it holds (`holder`:
-- `clinic:<id>` or `township:<id>`). An online sign-in by a user of that clinic is answered
-- with the secret, so the tablet recovers its data after a lockout or a sign-out. Revoking the
-- tablet deletes its secrets: a copy of its storage can then never be opened through here.
CREATE TABLE tablet_escrow (
    tablet_id  TEXT NOT NULL,
    holder     TEXT NOT NULL,
    secret     TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (tablet_id, holder)
);

-- The tablet a device row (one sign-in's token) was issued on.
ALTER TABLE devices ADD COLUMN tablet_id TEXT;
