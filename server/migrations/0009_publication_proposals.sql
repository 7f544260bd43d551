-- A catalogue or a policy proposed by one township user, published when a second approves:
-- the file as sent (`body`: the CSV or the policy JSON), what it changes in words (`changes`:
-- a JSON list of {zh, en}), who proposed it and who decided it. At most one proposal of a
-- version awaits at a time.
CREATE TABLE publication_proposals (
    id               TEXT PRIMARY KEY NOT NULL,
    township_id      TEXT NOT NULL REFERENCES townships (id),
    kind             TEXT NOT NULL,
    version          TEXT NOT NULL,
    effective_from   TEXT NOT NULL,
    body             TEXT NOT NULL,
    changes          TEXT NOT NULL,
    proposed_by      TEXT NOT NULL,
    proposed_by_name TEXT NOT NULL,
    proposed_at      TEXT NOT NULL,
    state            TEXT NOT NULL,
    decided_by       TEXT,
    decided_by_name  TEXT,
    decided_at       TEXT,
    note             TEXT
);
CREATE UNIQUE INDEX publication_proposals_awaiting ON publication_proposals (kind, version)
    WHERE state = 'awaiting_approval';
CREATE INDEX publication_proposals_township ON publication_proposals (township_id, state);
