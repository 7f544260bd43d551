//! Within a push, records written behind and claimants read ahead, so that a batch of claims
//! costs a few statements instead of two for every claim.
//!
//! - **Written behind.** The records a batch inserts wait in the transaction and are written
//!   several rows to a statement before anything else reads `records`
//!   ([`crate::write_tx::Tx::flush_records`]: every read in [`crate::records`] asks for it
//!   first, the push does before any mutation that is not a claim, and the commit does).
//! - **Read ahead.** What re-settling a claim reads of its person ([`ClaimantRow`]) is read
//!   for all of a batch's people in one query after their locks are taken. A person's rows
//!   stand until the batch writes one of their records (then they are read again); any other
//!   change to `records` forgets them all.

use std::collections::HashMap;

use sqlx::{AnyConnection, Row};

/// A record waiting to be written, with every column as stored.
pub struct PendingRecord {
    pub id: String,
    pub kind: &'static str,
    pub township_id: String,
    pub clinic_id: String,
    pub device_id: String,
    pub person: Option<String>,
    pub scheme_year: Option<i64>,
    pub status: &'static str,
    pub data: String,
    pub created_at: String,
    pub figures: crate::claim_figures::ClaimFigures,
}

/// Rows per INSERT (15 values each): well inside both databases' limits on bound values.
const ROWS_PER_INSERT: usize = 100;

/// Writes `records`, several rows to a statement.
pub async fn write(conn: &mut AnyConnection, records: &[PendingRecord]) -> Result<(), sqlx::Error> {
    for chunk in records.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO records (id, kind, township_id, clinic_id, device_id, person, scheme_year, \
             status, data, created_at, visit_month, benefit, fund_fen, rules, reject_reason) \
             VALUES {}",
            crate::feed::placeholders(conn, chunk.len(), 15)
        );
        let mut query = sqlx::query(&sql);
        for r in chunk {
            let f = &r.figures;
            query = query
                .bind(r.id.as_str())
                .bind(r.kind)
                .bind(r.township_id.as_str())
                .bind(r.clinic_id.as_str())
                .bind(r.device_id.as_str())
                .bind(r.person.as_deref())
                .bind(r.scheme_year)
                .bind(r.status)
                .bind(r.data.as_str())
                .bind(r.created_at.as_str())
                .bind(f.visit_month.as_deref())
                .bind(f.benefit.as_deref())
                .bind(f.fund_fen)
                .bind(f.rules.as_deref())
                .bind(f.reject_reason.as_deref());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// One of a person's records that settling their claim reads: an approved qualification, an
/// enrolment that stands, or a claim the fund pays.
#[derive(Clone)]
pub struct ClaimantRow {
    pub id: String,
    pub kind: String,
    pub status: String,
    pub township_id: String,
    pub clinic_id: String,
    pub scheme_year: Option<i64>,
    pub data: String,
}

impl ClaimantRow {
    pub fn of(row: &sqlx::any::AnyRow) -> Result<ClaimantRow, sqlx::Error> {
        Ok(ClaimantRow {
            id: row.try_get("id")?,
            kind: row.try_get("kind")?,
            status: row.try_get("status")?,
            township_id: row.try_get("township_id")?,
            clinic_id: row.try_get("clinic_id")?,
            scheme_year: row.try_get("scheme_year")?,
            data: row.try_get("data")?,
        })
    }
}

/// What a push holds back and reads ahead.
#[derive(Default)]
pub struct Buffer {
    pub pending: Vec<PendingRecord>,
    /// The claims read ahead reach back to this scheme year.
    from_year: i32,
    claimants: HashMap<String, Vec<ClaimantRow>>,
}

impl Buffer {
    /// Keeps what was read ahead for `people` (each of them, with or without rows), whose
    /// claims were read from scheme year `from_year`.
    pub fn read_ahead(
        &mut self,
        from_year: i32,
        people: &[String],
        rows: Vec<(String, ClaimantRow)>,
    ) {
        self.from_year = from_year;
        self.claimants = people.iter().map(|p| (p.clone(), Vec::new())).collect();
        for (person, row) in rows {
            if let Some(rows) = self.claimants.get_mut(&person) {
                rows.push(row);
            }
        }
    }

    /// The person's rows read ahead, if they stand and reach back to `from_year`.
    pub fn claimant(&self, person: &str, from_year: i32) -> Option<&[ClaimantRow]> {
        (from_year >= self.from_year)
            .then(|| self.claimants.get(person).map(Vec::as_slice))
            .flatten()
    }

    /// A record of `person` is written: their rows are read again when next asked for.
    pub fn written_for(&mut self, person: Option<&str>) {
        if let Some(person) = person {
            self.claimants.remove(person);
        }
    }

    /// Records changed some other way: nothing read ahead stands.
    pub fn forget(&mut self) {
        self.claimants.clear();
    }
}
