-- Territory, people, devices, the mutation log, synced records, the change feed and the audit
-- log. Portable SQL: the same migration runs on SQLite and PostgreSQL (integers are BIGINT,
-- money and times are TEXT, JSON bodies are TEXT).

CREATE TABLE townships (
    id   TEXT PRIMARY KEY NOT NULL,
    name TEXT NOT NULL
);

CREATE TABLE clinics (
    id          TEXT PRIMARY KEY NOT NULL,
    township_id TEXT NOT NULL REFERENCES townships (id),
    name        TEXT NOT NULL
);

CREATE TABLE users (
    username      TEXT PRIMARY KEY NOT NULL,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    township_id   TEXT NOT NULL REFERENCES townships (id),
    clinic_id     TEXT REFERENCES clinics (id)
);

-- One row per signed-in device. The token is stored as its SHA-256; `last_seq` is the last
-- mutation of this device applied, updated in the same transaction as the effect.
CREATE TABLE devices (
    id         TEXT PRIMARY KEY NOT NULL,
    username   TEXT NOT NULL REFERENCES users (username),
    name       TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    revoked_at TEXT,
    last_seq   BIGINT NOT NULL DEFAULT 0
);

-- Every mutation applied, with the answer given, so a retry gets the same answer.
CREATE TABLE mutations (
    device_id  TEXT NOT NULL REFERENCES devices (id),
    seq        BIGINT NOT NULL,
    record_id  TEXT NOT NULL,
    kind       TEXT NOT NULL,
    body       TEXT NOT NULL,
    result     TEXT NOT NULL,
    applied_at TEXT NOT NULL,
    PRIMARY KEY (device_id, seq)
);

-- Synced business records (enrolment, contribution, claim, adjustment, refund_due).
CREATE TABLE records (
    id          TEXT PRIMARY KEY NOT NULL,
    kind        TEXT NOT NULL,
    township_id TEXT NOT NULL,
    clinic_id   TEXT NOT NULL,
    device_id   TEXT NOT NULL,
    person      TEXT,
    scheme_year BIGINT,
    status      TEXT NOT NULL,
    data        TEXT NOT NULL,
    created_at  TEXT NOT NULL
);
CREATE INDEX records_person ON records (person, scheme_year, kind);
CREATE INDEX records_clinic ON records (clinic_id, kind);
-- One active enrolment per person per scheme year, whatever the clinic.
CREATE UNIQUE INDEX records_one_active_enrolment ON records (person, scheme_year)
    WHERE kind = 'enrolment' AND status = 'active';

-- The change feed pulled by devices and township screens, in cursor order. A change with a
-- clinic is visible to that clinic and its township; without one, to the whole township.
CREATE TABLE changes (
    cursor      BIGINT PRIMARY KEY NOT NULL,
    township_id TEXT NOT NULL,
    clinic_id   TEXT,
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    data        TEXT NOT NULL
);
CREATE INDEX changes_scope ON changes (township_id, cursor);

-- Append-only, hash-chained: each row's hash covers its content and the previous hash.
CREATE TABLE audit_log (
    id        BIGINT PRIMARY KEY NOT NULL,
    at        TEXT NOT NULL,
    username  TEXT NOT NULL,
    device_id TEXT,
    action    TEXT NOT NULL,
    subject   TEXT NOT NULL,
    detail    TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash      TEXT NOT NULL
);
