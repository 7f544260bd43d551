-- Policies and catalogues as published data: immutable versions with the day they take
-- effect. The body is the version's JSON (a policy, or a catalogue with its items).
CREATE TABLE published_versions (
    kind           TEXT NOT NULL,
    version        TEXT NOT NULL,
    effective_from TEXT NOT NULL,
    body           TEXT NOT NULL,
    published_at   TEXT NOT NULL,
    PRIMARY KEY (kind, version)
);
