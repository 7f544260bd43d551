-- The township's monthly statements per clinic (月度结算单) and the cash clinics hand in (解缴).
--
-- A statement is stored only once it is issued: a draft is worked out afresh each time it is
-- read. `body` is the statement as issued (JSON) and never changes; being paid adds the date
-- and the payment reference beside it. One statement per clinic and month.
CREATE TABLE statements (
    id                TEXT PRIMARY KEY NOT NULL,
    township_id       TEXT NOT NULL REFERENCES townships (id),
    clinic_id         TEXT NOT NULL REFERENCES clinics (id),
    month             TEXT NOT NULL,
    state             TEXT NOT NULL,
    body              TEXT NOT NULL,
    issued_by         TEXT NOT NULL,
    issued_at         TEXT NOT NULL,
    paid_on           TEXT,
    payment_reference TEXT,
    paid_by           TEXT,
    paid_at           TEXT
);
CREATE UNIQUE INDEX statements_clinic_month ON statements (clinic_id, month);

-- What an issued statement took: each claim with what it paid for it (for a claim carried
-- from an earlier statement, the difference), each contribution receipt and each cash hand-in
-- with its amount. A record on an issued statement is not taken again, except a claim whose
-- payable changed since (carried as the difference). Amounts are TEXT decimals.
CREATE TABLE statement_items (
    statement_id TEXT NOT NULL REFERENCES statements (id),
    kind         TEXT NOT NULL,
    record_id    TEXT NOT NULL,
    amount       TEXT NOT NULL,
    PRIMARY KEY (statement_id, record_id)
);
CREATE INDEX statement_items_record ON statement_items (record_id);

-- Cash handed in by a clinic to the township, as the township received it.
CREATE TABLE cash_hand_ins (
    id               TEXT PRIMARY KEY NOT NULL,
    township_id      TEXT NOT NULL REFERENCES townships (id),
    clinic_id        TEXT NOT NULL REFERENCES clinics (id),
    amount           TEXT NOT NULL,
    received_on      TEXT NOT NULL,
    receipts_covered TEXT NOT NULL,
    recorded_by      TEXT NOT NULL,
    recorded_by_name TEXT NOT NULL,
    recorded_at      TEXT NOT NULL
);
CREATE INDEX cash_hand_ins_clinic ON cash_hand_ins (clinic_id, received_on);
