-- Users looked after by the township's administrators: a first or reset password that must be
-- changed at the next sign-in (1) before any token is issued; a disabled user (the time) signs
-- in nowhere and every token of theirs is refused; `./run.sh`'s sample accounts (1), whose
-- password is public, are marked as such.
ALTER TABLE users ADD COLUMN must_change_password BIGINT NOT NULL DEFAULT 0;
ALTER TABLE users ADD COLUMN disabled_at TEXT;
ALTER TABLE users ADD COLUMN sample BIGINT NOT NULL DEFAULT 0;
