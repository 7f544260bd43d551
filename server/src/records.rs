//! The records repository: every business record a clinic synced (enrolments, contributions,
//! claims, and what the server derived from them: adjustments, refunds due), with its kind and
//! status as enums. The SQL for records lives here and nowhere else.

use cunbao_domain::claim::ClaimStatus;
use cunbao_domain::sync::RecordedEnrolment;
pub use cunbao_domain::township::RecordKind;
use serde_json::Value;
use sqlx::Row;

use crate::auth::Caller;
use crate::error::ApiError;
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
    pub data: Value,
}

/// What the dashboard counts of a claim, kept in columns beside its data (none of it for
/// other records): read from the claim's data whenever it is written.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ClaimFigures {
    pub visit_month: Option<String>,
    pub benefit: Option<String>,
    pub fund_fen: Option<i64>,
    pub rules: Option<String>,
    pub reject_reason: Option<String>,
}

impl ClaimFigures {
    /// A claim's figures from its data (all none for data that is not a claim's).
    pub fn of(data: &Value) -> ClaimFigures {
        let Some(settlement) = data.get("server_settlement") else {
            return ClaimFigures::default();
        };
        let rules: Vec<&str> = data["server_rule_hits"]
            .as_array()
            .map(|hits| hits.iter().filter_map(|h| h["rule"].as_str()).collect())
            .unwrap_or_default();
        ClaimFigures {
            visit_month: data["visit_date"]
                .as_str()
                .and_then(|d| d.get(..7))
                .map(str::to_string),
            benefit: data.get("server_benefit").map(Value::to_string),
            fund_fen: settlement["fund"]
                .as_str()
                .and_then(|f| cunbao_domain::money::Money::parse(f).ok())
                .map(|m| m.fen()),
            rules: Some(rules.join(",")),
            reject_reason: data["decision"]["reason"]["code"]
                .as_str()
                .map(str::to_string),
        }
    }
}

pub async fn insert(
    tx: &mut Tx<'_>,
    caller: &Caller,
    clinic: &str,
    r: NewRecord<'_>,
) -> Result<(), sqlx::Error> {
    let f = ClaimFigures::of(&r.data);
    sqlx::query(
        "INSERT INTO records (id, kind, township_id, clinic_id, device_id, person, scheme_year, \
         status, data, created_at, visit_month, benefit, fund_fen, rules, reject_reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)",
    )
    .bind(r.id)
    .bind(r.kind.as_str())
    .bind(&caller.user.township_id)
    .bind(clinic)
    .bind(&caller.device_id)
    .bind(r.person)
    .bind(r.scheme_year.map(i64::from))
    .bind(r.status.as_str())
    .bind(r.data.to_string())
    .bind(chrono::Utc::now().to_rfc3339())
    .bind(f.visit_month)
    .bind(f.benefit)
    .bind(f.fund_fen)
    .bind(f.rules)
    .bind(f.reject_reason)
    .execute(&mut **tx)
    .await?;
    tx.inserted(r.id);
    Ok(())
}

pub async fn exists(tx: &mut Tx<'_>, id: &str) -> Result<bool, sqlx::Error> {
    if tx.known_absent(id) {
        return Ok(false);
    }
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
    let row = sqlx::query(
        "SELECT id, township_id, clinic_id, data FROM records WHERE kind = $1 AND status = $2 \
         AND person = $3 AND scheme_year = $4",
    )
    .bind(RecordKind::Enrolment.as_str())
    .bind(RecordStatus::Active.as_str())
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
    let row = sqlx::query("SELECT data FROM records WHERE id = $1 AND kind = $2 AND status = $3")
        .bind(id)
        .bind(RecordKind::Enrolment.as_str())
        .bind(RecordStatus::Duplicate.as_str())
        .fetch_optional(&mut **tx)
        .await?;
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
    let row = sqlx::query(
        "SELECT status, data FROM records WHERE id = $1 AND kind = $2 AND clinic_id = $3",
    )
    .bind(id)
    .bind(kind.as_str())
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
    let f = ClaimFigures::of(data);
    sqlx::query(
        "UPDATE records SET data = $1, visit_month = $2, benefit = $3, fund_fen = $4, \
         rules = $5, reject_reason = $6 WHERE id = $7",
    )
    .bind(data.to_string())
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
            let data: Value =
                serde_json::from_str(&row.try_get::<String, _>("data")?).unwrap_or(Value::Null);
            let mut f = ClaimFigures::of(&data);
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

/// What settling a claim needs to know of its person, read in one query: the approved chronic
/// qualifications, the enrolment that stands for the scheme year, and the paid claims of that
/// year and the one before.
pub struct ClaimantView {
    pub qualifications: Vec<cunbao_domain::qualification::Qualification>,
    pub enrolment: Option<ActiveEnrolment>,
    pub paid_claims: Vec<StoredClaim>,
}

pub async fn claimant_view(
    tx: &mut Tx<'_>,
    person: &str,
    scheme_year: i32,
) -> Result<ClaimantView, ApiError> {
    // The statuses are the enums' own names, not input.
    let paying: Vec<String> = ClaimStatus::ALL
        .into_iter()
        .filter(|s| s.pays())
        .map(|s| format!("'{}'", s.as_str()))
        .collect();
    let approved =
        RecordStatus::Qualification(cunbao_domain::qualification::QualificationStatus::Approved);
    let sql = format!(
        "SELECT id, kind, township_id, clinic_id, data FROM records WHERE person = $1 AND (\
         (kind = '{qualification}' AND status = '{approved}') \
         OR (kind = '{enrolment}' AND status = '{active}' AND scheme_year = $2) \
         OR (kind = '{claim}' AND status IN ({paying}) AND scheme_year >= $3))",
        qualification = RecordKind::Qualification.as_str(),
        approved = approved.as_str(),
        enrolment = RecordKind::Enrolment.as_str(),
        active = RecordStatus::Active.as_str(),
        claim = RecordKind::Claim.as_str(),
        paying = paying.join(", "),
    );
    let rows = sqlx::query(&sql)
        .bind(person)
        .bind(i64::from(scheme_year))
        .bind(i64::from(scheme_year - 1))
        .fetch_all(&mut **tx)
        .await?;
    let mut view = ClaimantView {
        qualifications: Vec::new(),
        enrolment: None,
        paid_claims: Vec::new(),
    };
    for row in &rows {
        let kind: String = row.try_get("kind")?;
        let data: String = row.try_get("data")?;
        if kind == RecordKind::Qualification.as_str() {
            view.qualifications.push(serde_json::from_str(&data)?);
        } else if kind == RecordKind::Enrolment.as_str() {
            view.enrolment = Some(ActiveEnrolment {
                id: row.try_get("id")?,
                township_id: row.try_get("township_id")?,
                clinic_id: row.try_get("clinic_id")?,
                record: serde_json::from_str(&data)?,
            });
        } else {
            view.paid_claims.push(StoredClaim {
                id: row.try_get("id")?,
                clinic_id: row.try_get("clinic_id")?,
                data,
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
