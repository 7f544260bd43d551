//! The records repository: every business record a clinic synced (enrolments, contributions,
//! claims, and what the server derived from them: adjustments, refunds due), with its kind and
//! status as enums. The SQL for records lives here and nowhere else.

use cunbao_domain::claim::ClaimStatus;
use cunbao_domain::sync::RecordedEnrolment;
pub use cunbao_domain::township::RecordKind;
use serde_json::Value;
use sqlx::Row;

use crate::auth::Caller;
pub use crate::claim_figures::ClaimFigures;
use crate::error::ApiError;
use crate::record_buffer::ClaimantRow;
use crate::write_tx::Tx;

/// The claims waiting for review, as a condition on `records` written with literals, so that
/// the partial index `records_waiting` (migration 0010) serves the queries that use it.
pub const WAITING: &str = "kind = 'claim' AND status IN ('flagged', 'pending_review')";

/// A record's status; claims have their own state machine ([`ClaimStatus`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordStatus {
    /// An enrolment that stands.
    Active,
    /// An enrolment that did not stand (a duplicate).
    Duplicate,
    /// A contribution, as collected.
    Recorded,
    /// A refund owed to a payer.
    Due,
    /// An adjustment not yet on a statement.
    Open,
    Claim(ClaimStatus),
    /// Voided by the device that made it.
    Void,
    /// A contribution whose refund a clinic proposed.
    RefundProposed,
    /// A contribution refunded to the payer, approved by a second person (已退费).
    Refunded,
    /// A void or refund proposal: awaiting a second person, approved or refused.
    Proposal(cunbao_domain::second_person::ProposalState),
    /// A chronic qualification: pending, approved or rejected.
    Qualification(cunbao_domain::qualification::QualificationStatus),
}

impl RecordStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            RecordStatus::Active => "active",
            RecordStatus::Duplicate => "rejected",
            RecordStatus::Recorded => "recorded",
            RecordStatus::Due => "due",
            RecordStatus::Open => "open",
            RecordStatus::Claim(status) => status.as_str(),
            RecordStatus::Void => "void",
            RecordStatus::RefundProposed => "refund_proposed",
            RecordStatus::Refunded => "refunded",
            RecordStatus::Proposal(state) => state.as_str(),
            RecordStatus::Qualification(status) => match status {
                cunbao_domain::qualification::QualificationStatus::Pending => "pending",
                cunbao_domain::qualification::QualificationStatus::Approved => "approved",
                cunbao_domain::qualification::QualificationStatus::Rejected => "rejected",
            },
        }
    }
}

pub struct NewRecord<'a> {
    pub id: &'a str,
    pub kind: RecordKind,
    pub person: Option<&'a str>,
    pub scheme_year: Option<i32>,
    pub status: RecordStatus,
    /// The record as JSON.
    pub data: String,
}

/// Inserts a record (held back in a push until something reads `records`,
/// [`crate::record_buffer`]).
pub async fn insert(
    tx: &mut Tx<'_>,
    caller: &Caller,
    clinic: &str,
    r: NewRecord<'_>,
) -> Result<(), sqlx::Error> {
    let figures = ClaimFigures::of(&r.data);
    insert_with_figures(tx, caller, clinic, r, figures).await
}

/// Inserts a record whose figures the caller already has ([`ClaimFigures::of_settled`]).
pub async fn insert_with_figures(
    tx: &mut Tx<'_>,
    caller: &Caller,
    clinic: &str,
    r: NewRecord<'_>,
    figures: ClaimFigures,
) -> Result<(), sqlx::Error> {
    let record = crate::record_buffer::PendingRecord {
        id: r.id.to_string(),
        kind: r.kind.as_str(),
        township_id: caller.user.township_id.clone(),
        clinic_id: clinic.to_string(),
        device_id: caller.device_id.clone(),
        person: r.person.map(str::to_string),
        scheme_year: r.scheme_year.map(i64::from),
        status: r.status.as_str(),
        figures,
        data: r.data,
        created_at: chrono::Utc::now().to_rfc3339(),
    };
    tx.inserted(r.id);
    match tx.buffer() {
        Some(buffer) => {
            buffer.written_for(r.person);
            buffer.pending.push(record);
        }
        None => crate::record_buffer::write(tx, &[record]).await?,
    }
    Ok(())
}

pub async fn exists(tx: &mut Tx<'_>, id: &str) -> Result<bool, sqlx::Error> {
    if tx.known_absent(id) {
        return Ok(false);
    }
    tx.flush_records().await?;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM records WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(n > 0)
}

pub struct ActiveEnrolment {
    pub id: String,
    pub township_id: String,
    pub clinic_id: String,
    pub record: RecordedEnrolment,
}

/// The person's enrolment that stands for the scheme year, if any.
pub async fn active_enrolment(
    tx: &mut Tx<'_>,
    person: &str,
    scheme_year: i32,
) -> Result<Option<ActiveEnrolment>, ApiError> {
    tx.flush_records().await?;
    // Kind and status written in (our enums' names): bound, they would make SQLite prepare
    // the statement again at every use, to see whether a partial index applies.
    let sql = format!(
        "SELECT id, township_id, clinic_id, data FROM records WHERE kind = '{}' AND status = '{}' \
         AND person = $1 AND scheme_year = $2",
        RecordKind::Enrolment.as_str(),
        RecordStatus::Active.as_str()
    );
    let row = sqlx::query(&sql)
        .bind(person)
        .bind(i64::from(scheme_year))
        .fetch_optional(&mut **tx)
        .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(ActiveEnrolment {
        id: row.try_get("id")?,
        township_id: row.try_get("township_id")?,
        clinic_id: row.try_get("clinic_id")?,
        record: serde_json::from_str(&row.try_get::<String, _>("data")?)?,
    }))
}

/// An enrolment that did not stand (a duplicate), if `id` is one.
pub async fn duplicate_enrolment(
    tx: &mut Tx<'_>,
    id: &str,
) -> Result<Option<RecordedEnrolment>, ApiError> {
    tx.flush_records().await?;
    let sql = format!(
        "SELECT data FROM records WHERE id = $1 AND kind = '{}' AND status = '{}'",
        RecordKind::Enrolment.as_str(),
        RecordStatus::Duplicate.as_str()
    );
    let row = sqlx::query(&sql).bind(id).fetch_optional(&mut **tx).await?;
    match row {
        Some(row) => Ok(Some(serde_json::from_str(
            &row.try_get::<String, _>("data")?,
        )?)),
        None => Ok(None),
    }
}

/// A record of one kind made at one clinic: its status and stored data.
pub struct ClinicRecord {
    pub status: String,
    pub data: String,
}

/// The record `id` of `kind`, if it is `clinic`'s: another clinic's record reads as none.
pub async fn of_clinic(
    tx: &mut Tx<'_>,
    id: &str,
    kind: RecordKind,
    clinic: &str,
) -> Result<Option<ClinicRecord>, sqlx::Error> {
    tx.flush_records().await?;
    let sql = format!(
        "SELECT status, data FROM records WHERE id = $1 AND kind = '{}' AND clinic_id = $2",
        kind.as_str()
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .bind(clinic)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|row| {
        Ok(ClinicRecord {
            status: row.try_get("status")?,
            data: row.try_get("data")?,
        })
    })
    .transpose()
}

/// Replaces a record's stored data (a change after enrolment: the earlier value stays in the
/// change's own record and the audit trail).
pub async fn set_data(tx: &mut Tx<'_>, id: &str, data: &Value) -> Result<(), sqlx::Error> {
    tx.flush_records().await?;
    tx.records_changed();
    let data = data.to_string();
    let f = ClaimFigures::of(&data);
    sqlx::query(
        "UPDATE records SET data = $1, visit_month = $2, benefit = $3, fund_fen = $4, \
         rules = $5, reject_reason = $6 WHERE id = $7",
    )
    .bind(&data)
    .bind(f.visit_month)
    .bind(f.benefit)
    .bind(f.fund_fen)
    .bind(f.rules)
    .bind(f.reject_reason)
    .bind(id)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Fills in the figures of claims written before they were kept (migration 0010); a few
/// hundred at a time, until none is left. The number filled.
pub async fn fill_claim_figures(db: &sqlx::AnyPool) -> Result<usize, sqlx::Error> {
    let mut filled = 0;
    loop {
        // Literal conditions, so that the partial index `records_unfilled` serves it.
        let rows = sqlx::query(
            "SELECT id, data FROM records WHERE kind = 'claim' AND rules IS NULL LIMIT 500",
        )
        .fetch_all(db)
        .await?;
        if rows.is_empty() {
            return Ok(filled);
        }
        let mut tx = db.begin().await?;
        for row in &rows {
            let id: String = row.try_get("id")?;
            let mut f = ClaimFigures::of(&row.try_get::<String, _>("data")?);
            // A claim without a server settlement still gets a mark, so it is read once.
            f.rules.get_or_insert_with(String::new);
            sqlx::query(
                "UPDATE records SET visit_month = $1, benefit = $2, fund_fen = $3, rules = $4, \
                 reject_reason = $5 WHERE id = $6",
            )
            .bind(f.visit_month)
            .bind(f.benefit)
            .bind(f.fund_fen)
            .bind(f.rules)
            .bind(f.reject_reason)
            .bind(&id)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        filled += rows.len();
    }
}

/// A record's kind, status and the clinic and device that made it.
pub struct Standing {
    pub kind: String,
    pub status: String,
    pub clinic_id: String,
    pub device_id: String,
}

pub async fn standing(tx: &mut Tx<'_>, id: &str) -> Result<Option<Standing>, sqlx::Error> {
    tx.flush_records().await?;
    let row = sqlx::query("SELECT kind, status, clinic_id, device_id FROM records WHERE id = $1")
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
    row.map(|row| {
        Ok(Standing {
            kind: row.try_get("kind")?,
            status: row.try_get("status")?,
            clinic_id: row.try_get("clinic_id")?,
            device_id: row.try_get("device_id")?,
        })
    })
    .transpose()
}

pub async fn set_status(
    tx: &mut Tx<'_>,
    id: &str,
    status: RecordStatus,
) -> Result<(), sqlx::Error> {
    tx.flush_records().await?;
    tx.records_changed();
    sqlx::query("UPDATE records SET status = $1 WHERE id = $2")
        .bind(status.as_str())
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// One claim the server already holds: its id, clinic and stored data.
pub struct StoredClaim {
    pub id: String,
    pub clinic_id: String,
    pub data: String,
}

/// What settling a claim needs of the person's enrolment: its cover and when it was stopped
/// (read from the enrolment's record, the rest of it skipped).
#[derive(Debug, serde::Deserialize)]
pub struct EnrolmentCover {
    pub coverage: cunbao_domain::enrolment::Coverage,
    #[serde(default)]
    pub stopped: Option<cunbao_domain::enrolment::CoverStop>,
}

/// What settling a claim needs to know of its person, read in one query: the approved chronic
/// qualifications, the enrolment that stands for the scheme year, and the paid claims of that
/// year and the one before.
pub struct ClaimantView {
    pub qualifications: Vec<cunbao_domain::qualification::Qualification>,
    pub enrolment: Option<EnrolmentCover>,
    pub paid_claims: Vec<StoredClaim>,
}

pub async fn claimant_view(
    tx: &mut Tx<'_>,
    person: &str,
    scheme_year: i32,
) -> Result<ClaimantView, ApiError> {
    let wanted = |row: &&ClaimantRow| wanted(row, scheme_year);
    if let Some(rows) = tx
        .buffer()
        .and_then(|b| b.claimant(person, scheme_year - 1))
    {
        return view_of(rows.iter().filter(wanted).cloned());
    }
    tx.flush_records().await?;
    let sql = format!(
        "SELECT {CLAIMANT_COLUMNS} FROM records WHERE person = $1 AND {}",
        claimant_condition(scheme_year - 1)
    );
    let rows = sqlx::query(&sql)
        .bind(person)
        .fetch_all(&mut **tx)
        .await?
        .iter()
        .map(ClaimantRow::of)
        .collect::<Result<Vec<_>, _>>()?;
    view_of(rows.iter().filter(wanted).cloned())
}

/// Reads ahead, for a push, what settling a claim reads of each of `people`, with their claims
/// from scheme year `from_year` on ([`crate::record_buffer`]).
pub async fn read_claimants_ahead(
    tx: &mut Tx<'_>,
    people: &[String],
    from_year: i32,
) -> Result<(), sqlx::Error> {
    tx.flush_records().await?;
    let mut rows = Vec::new();
    for chunk in people.chunks(500) {
        let sql = format!(
            "SELECT person, {CLAIMANT_COLUMNS} FROM records WHERE person IN {} AND {}",
            crate::feed::placeholders(tx, 1, chunk.len()),
            claimant_condition(from_year)
        );
        let mut query = sqlx::query(&sql);
        for person in chunk {
            query = query.bind(person);
        }
        for row in query.fetch_all(&mut **tx).await? {
            rows.push((row.try_get("person")?, ClaimantRow::of(&row)?));
        }
    }
    if let Some(buffer) = tx.buffer() {
        buffer.read_ahead(from_year, people, rows);
    }
    Ok(())
}

const CLAIMANT_COLUMNS: &str = "id, kind, status, township_id, clinic_id, scheme_year, data";

/// A person's records of scheme year `from_year` on, and their qualifications of any year (the
/// year is ours, a number): what settling their claim reads is among them ([`wanted`]). Only
/// the person is a condition an index serves, so every database looks them up by person.
fn claimant_condition(from_year: i32) -> String {
    format!(
        "(kind = '{}' OR scheme_year >= {from_year})",
        RecordKind::Qualification.as_str()
    )
}

/// Whether settling a claim of `scheme_year` reads `row`: an approved qualification, the
/// enrolment that stands for the year, a claim of the year or the one before that the fund
/// pays.
fn wanted(row: &ClaimantRow, scheme_year: i32) -> bool {
    let approved =
        RecordStatus::Qualification(cunbao_domain::qualification::QualificationStatus::Approved);
    match row.kind.as_str() {
        k if k == RecordKind::Qualification.as_str() => row.status == approved.as_str(),
        k if k == RecordKind::Enrolment.as_str() => {
            row.status == RecordStatus::Active.as_str()
                && row.scheme_year == Some(scheme_year.into())
        }
        k if k == RecordKind::Claim.as_str() => {
            ClaimStatus::ALL
                .into_iter()
                .any(|s| s.pays() && s.as_str() == row.status)
                && row
                    .scheme_year
                    .is_some_and(|y| y >= i64::from(scheme_year - 1))
        }
        _ => false,
    }
}

/// The view from a person's rows for one scheme year.
fn view_of(rows: impl Iterator<Item = ClaimantRow>) -> Result<ClaimantView, ApiError> {
    let mut view = ClaimantView {
        qualifications: Vec::new(),
        enrolment: None,
        paid_claims: Vec::new(),
    };
    for row in rows {
        if row.kind == RecordKind::Qualification.as_str() {
            view.qualifications.push(serde_json::from_str(&row.data)?);
        } else if row.kind == RecordKind::Enrolment.as_str() {
            view.enrolment = Some(serde_json::from_str(&row.data)?);
        } else {
            view.paid_claims.push(StoredClaim {
                id: row.id,
                clinic_id: row.clinic_id,
                data: row.data,
            });
        }
    }
    Ok(view)
}

/// A record as the township's lists show it.
pub struct TownshipRow {
    pub id: String,
    pub clinic_id: String,
    pub clinic_name: String,
    pub status: String,
    pub created_at: String,
    pub data: Value,
}

/// The township's records of one kind, oldest first (at most 2,000).
pub async fn township_list(
    pool: &sqlx::AnyPool,
    township: &str,
    kind: RecordKind,
) -> Result<Vec<TownshipRow>, ApiError> {
    let rows = sqlx::query(
        "SELECT r.id, r.clinic_id, c.name AS clinic_name, r.status, r.created_at, r.data \
         FROM records r JOIN clinics c ON c.id = r.clinic_id \
         WHERE r.township_id = $1 AND r.kind = $2 ORDER BY r.created_at, r.id LIMIT 2000",
    )
    .bind(township)
    .bind(kind.as_str())
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(TownshipRow {
                id: row.try_get("id")?,
                clinic_id: row.try_get("clinic_id")?,
                clinic_name: row.try_get("clinic_name")?,
                status: row.try_get("status")?,
                created_at: row.try_get("created_at")?,
                data: serde_json::from_str(&row.try_get::<String, _>("data")?)?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use cunbao_domain::claim::ClaimStatus;

    #[test]
    fn the_waiting_condition_names_the_statuses_as_stored() {
        for status in [ClaimStatus::Flagged, ClaimStatus::PendingReview] {
            assert!(super::WAITING.contains(&format!("'{}'", status.as_str())));
        }
        assert!(super::WAITING.contains(&format!("'{}'", super::RecordKind::Claim.as_str())));
    }
}
