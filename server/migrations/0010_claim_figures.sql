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
CREATE INDEX records_township_year ON records (township_id, kind, scheme_year);

-- The enrolment the township expects of each clinic for the scheme year under way (township
-- data; none: the dashboard shows the count alone).
ALTER TABLE clinics ADD COLUMN enrolment_target BIGINT;
