-- What the township's dashboard counts, kept beside each claim when it is written (so that a
-- year of a township's claims is summed by the database, not read back from their JSON):
-- the visit's month (YYYY-MM), the benefit settled under (its JSON), the fund's share by the
-- server's settlement in fen (whole numbers sum exactly), the risk rules that fired
-- (comma-separated) and, once rejected, the reason's code. NULL for records other than
-- claims. Claims written before this migration are filled in when the server starts.
ALTER TABLE records ADD COLUMN visit_month TEXT;
ALTER TABLE records ADD COLUMN benefit TEXT;
ALTER TABLE records ADD COLUMN fund_fen BIGINT;
ALTER TABLE records ADD COLUMN rules TEXT;
ALTER TABLE records ADD COLUMN reject_reason TEXT;
-- The dashboard's sums read this index alone, never the rows with their JSON. It leads with
-- the scheme year so that queries without one (a claim by id, the review queue) do not take it.
CREATE INDEX records_year_figures ON records (scheme_year, township_id, kind, status,
    clinic_id, visit_month, benefit, fund_fen, rules, reject_reason);

-- The claims waiting for review (the review queue, the dashboard's review ages), oldest first,
-- without reading the other claims: a partial index, taken by the queries that name the same
-- kind and statuses as literals (`records::WAITING`).
CREATE INDEX records_waiting ON records (township_id, created_at, id)
    WHERE kind = 'claim' AND status IN ('flagged', 'pending_review');

-- The claims whose figures are still to be filled in at start-up (none once filled: the
-- start-up's look for them reads an empty index, not the table).
CREATE INDEX records_unfilled ON records (id) WHERE kind = 'claim' AND rules IS NULL;

-- The enrolment the township expects of each clinic for the scheme year under way (township
-- data; none: the dashboard shows the count alone).
ALTER TABLE clinics ADD COLUMN enrolment_target BIGINT;
