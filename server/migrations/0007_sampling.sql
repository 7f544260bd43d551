-- Sampling (结果质检): each month a policy-set share of a clinic's paid claims is drawn for a
-- second look. One draw per clinic and month, with the seed it used (drawing again with that
-- seed over the same claims gives the same sample), and each claim drawn with its finding
-- once recorded. A finding's deduction (TEXT decimal) goes on the clinic's statement as an
-- adjustment; the statement item's record id is `finding-<claim id>`.
CREATE TABLE samplings (
    id            TEXT PRIMARY KEY NOT NULL,
    township_id   TEXT NOT NULL REFERENCES townships (id),
    clinic_id     TEXT NOT NULL REFERENCES clinics (id),
    month         TEXT NOT NULL,
    percent       BIGINT NOT NULL,
    seed          TEXT NOT NULL,
    population    BIGINT NOT NULL,
    drawn_by      TEXT NOT NULL,
    drawn_by_name TEXT NOT NULL,
    drawn_at      TEXT NOT NULL
);
CREATE UNIQUE INDEX samplings_clinic_month ON samplings (clinic_id, month);

CREATE TABLE sampled_claims (
    sampling_id TEXT NOT NULL REFERENCES samplings (id),
    claim_id    TEXT NOT NULL,
    finding     TEXT,
    deduction   TEXT,
    found_on    TEXT,
    PRIMARY KEY (sampling_id, claim_id)
);
CREATE INDEX sampled_claims_claim ON sampled_claims (claim_id);
