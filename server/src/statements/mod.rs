//! The monthly statement per clinic (月度结算单): a draft worked out on read ([`draft`]), an
//! issued statement frozen in the `statements` table with what it took in `statement_items`,
//! and being paid recorded beside it. The SQL for statements lives here.

pub mod draft;
pub mod export;

use std::collections::HashMap;

use chrono::NaiveDate;
use cunbao_domain::claim::ClaimStatus;
use cunbao_domain::id_number::IdNumber;
use cunbao_domain::money::Money;
use cunbao_domain::signed_money::SignedMoney;
use cunbao_domain::statement::{Statement, StatementState};
use serde::Deserialize;
use sqlx::{AnyConnection, Row};

pub use crate::clinics::{clinic, clinics, Clinic};
use crate::error::ApiError;
use crate::ledger::Dated;
use crate::records::{RecordKind, RecordStatus};
use draft::{ClaimFacts, Item, Taken};

/// The statement of `clinic` for `month`: as issued, or the draft worked out now.
pub async fn statement(
    conn: &mut AnyConnection,
    clinic: &Clinic,
    month: &str,
    last: NaiveDate,
) -> Result<Statement, ApiError> {
    match issued(conn, &clinic.id, month).await? {
        Some(issued) => Ok(issued),
        None => Ok(read_draft(conn, clinic, month, last).await?.0),
    }
}

/// The issued statement of `clinic` for `month`, as it was issued, with its payment.
pub async fn issued(
    conn: &mut AnyConnection,
    clinic: &str,
    month: &str,
) -> Result<Option<Statement>, ApiError> {
    let row = sqlx::query(
        "SELECT state, body, paid_on, payment_reference FROM statements \
         WHERE clinic_id = $1 AND month = $2",
    )
    .bind(clinic)
    .bind(month)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let mut statement: Statement = serde_json::from_str(&row.try_get::<String, _>("body")?)?;
    let state: String = row.try_get("state")?;
    statement.state = StatementState::parse(&state)
        .ok_or_else(|| ApiError::internal(format!("a statement in state {state}")))?;
    statement.paid_on = row
        .try_get::<Option<String>, _>("paid_on")?
        .map(|d| d.parse())
        .transpose()
        .map_err(|e| ApiError::internal(format!("a statement's paid_on: {e}")))?;
    statement.payment_reference = row.try_get("payment_reference")?;
    Ok(Some(statement))
}

/// The latest month issued for the clinic, if any.
pub async fn latest_issued(
    conn: &mut AnyConnection,
    clinic: &str,
) -> Result<Option<String>, sqlx::Error> {
    sqlx::query_scalar("SELECT MAX(month) FROM statements WHERE clinic_id = $1")
        .bind(clinic)
        .fetch_one(&mut *conn)
        .await
}

/// The clinic's draft for `month` (ending on `last`) and what issuing it would take.
pub async fn read_draft(
    conn: &mut AnyConnection,
    clinic: &Clinic,
    month: &str,
    last: NaiveDate,
) -> Result<(Statement, Vec<Item>), ApiError> {
    let taken = taken(conn, &clinic.id).await?;
    let claims = claims(conn, &clinic.id, last).await?;
    let receipts = receipts(conn, &clinic.id).await?;
    let refunds = crate::proposals::approved_refunds(conn, &clinic.id).await?;
    let cash = crate::cash::dated(conn, &clinic.id).await?;
    let deductions = crate::sampling::deductions(conn, &clinic.id).await?;
    let worked = draft::work_out(
        &claims,
        &receipts,
        &refunds,
        &cash,
        &deductions,
        &taken,
        last,
    );
    let statement = Statement {
        clinic_id: clinic.id.clone(),
        clinic_name: clinic.name.clone(),
        township_name: clinic.township_name.clone(),
        month: month.to_string(),
        state: StatementState::Draft,
        totals: worked.totals,
        lines: worked.lines,
        issued_by: None,
        issued_at: None,
        paid_on: None,
        payment_reference: None,
    };
    Ok((statement, worked.items))
}

/// What the clinic's issued statements took, summed per record.
async fn taken(conn: &mut AnyConnection, clinic: &str) -> Result<Taken, ApiError> {
    let rows = sqlx::query(
        "SELECT i.record_id, i.amount FROM statement_items i \
         JOIN statements s ON s.id = i.statement_id WHERE s.clinic_id = $1",
    )
    .bind(clinic)
    .fetch_all(&mut *conn)
    .await?;
    let mut taken: Taken = HashMap::with_capacity(rows.len());
    for row in &rows {
        let amount: String = row.try_get("amount")?;
        let amount = SignedMoney::parse(&amount)
            .ok_or_else(|| ApiError::internal(format!("a statement item of {amount}")))?;
        let entry = taken.entry(row.try_get("record_id")?).or_default();
        *entry = *entry + amount;
    }
    Ok(taken)
}

#[derive(Deserialize)]
struct ClaimData {
    visit_date: NaiveDate,
    person: IdNumber,
    server_settlement: SettlementData,
}

#[derive(Deserialize)]
struct SettlementData {
    total: Money,
    fund: Money,
}

/// The clinic's claims of the scheme years up to `last`'s.
async fn claims(
    conn: &mut AnyConnection,
    clinic: &str,
    last: NaiveDate,
) -> Result<Vec<ClaimFacts>, ApiError> {
    use chrono::Datelike;
    let rows = sqlx::query(
        "SELECT id, status, data FROM records WHERE clinic_id = $1 AND kind = $2 \
         AND scheme_year <= $3",
    )
    .bind(clinic)
    .bind(RecordKind::Claim.as_str())
    .bind(i64::from(last.year()))
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            let id: String = row.try_get("id")?;
            let status: String = row.try_get("status")?;
            let status = ClaimStatus::parse(&status)
                .ok_or_else(|| ApiError::internal(format!("claim {id} is {status}")))?;
            let data: ClaimData = serde_json::from_str(&row.try_get::<String, _>("data")?)?;
            Ok(ClaimFacts {
                id,
                status,
                visit_date: data.visit_date,
                person: data.person.masked(),
                total: data.server_settlement.total,
                fund: data.server_settlement.fund,
            })
        })
        .collect()
}

#[derive(Deserialize)]
struct ContributionData {
    amount: Money,
    collected_on: NaiveDate,
}

/// The clinic's contribution receipts that stand (not voided), all time.
pub async fn receipts(conn: &mut AnyConnection, clinic: &str) -> Result<Vec<Dated>, ApiError> {
    let rows = sqlx::query(
        "SELECT id, data FROM records WHERE clinic_id = $1 AND kind = $2 AND status <> $3",
    )
    .bind(clinic)
    .bind(RecordKind::Contribution.as_str())
    .bind(RecordStatus::Void.as_str())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            let data: ContributionData = serde_json::from_str(&row.try_get::<String, _>("data")?)?;
            Ok(Dated {
                id: row.try_get("id")?,
                amount: data.amount,
                on: data.collected_on,
            })
        })
        .collect()
}

/// An issued statement's id (and its audit entries' subject).
pub fn statement_id(clinic: &str, month: &str) -> String {
    format!("statement:{clinic}:{month}")
}

/// Records an issued statement and what it took (the caller holds the clinic's statement lock
/// and has checked the month is not issued).
pub async fn insert_issued(
    conn: &mut AnyConnection,
    clinic: &Clinic,
    statement: &Statement,
    items: &[Item],
) -> Result<String, ApiError> {
    let id = statement_id(&clinic.id, &statement.month);
    sqlx::query(
        "INSERT INTO statements (id, township_id, clinic_id, month, state, body, issued_by, \
         issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&id)
    .bind(&clinic.township_id)
    .bind(&clinic.id)
    .bind(&statement.month)
    .bind(StatementState::Issued.as_str())
    .bind(serde_json::to_string(statement)?)
    .bind(statement.issued_by.as_deref().unwrap_or_default())
    .bind(statement.issued_at.as_deref().unwrap_or_default())
    .execute(&mut *conn)
    .await?;
    // 200 rows of 4 values per INSERT: well inside both databases' limits.
    for chunk in items.chunks(200) {
        let values = (0..chunk.len())
            .map(|i| {
                format!(
                    "(${}, ${}, ${}, ${})",
                    4 * i + 1,
                    4 * i + 2,
                    4 * i + 3,
                    4 * i + 4
                )
            })
            .collect::<Vec<_>>()
            .join(", ");
        let sql = format!(
            "INSERT INTO statement_items (statement_id, kind, record_id, amount) VALUES {values}"
        );
        let mut query = sqlx::query(&sql);
        for item in chunk {
            query = query
                .bind(&id)
                .bind(item.kind.as_str())
                .bind(&item.record_id)
                .bind(item.amount.to_string());
        }
        query.execute(&mut *conn).await?;
    }
    Ok(id)
}

/// Marks an issued statement paid.
pub async fn mark_paid(
    conn: &mut AnyConnection,
    clinic: &str,
    month: &str,
    paid_on: NaiveDate,
    reference: &str,
    paid_by: &str,
) -> Result<(), sqlx::Error> {
    sqlx::query(
        "UPDATE statements SET state = $1, paid_on = $2, payment_reference = $3, paid_by = $4, \
         paid_at = $5 WHERE clinic_id = $6 AND month = $7",
    )
    .bind(StatementState::Paid.as_str())
    .bind(paid_on.to_string())
    .bind(reference)
    .bind(paid_by)
    .bind(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    .bind(clinic)
    .bind(month)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// The clinic's cash: receipts that stand (all time), handed in, the gap, the hand-ins.
pub async fn cash_standing(
    conn: &mut AnyConnection,
    clinic: &Clinic,
) -> Result<cunbao_domain::statement::CashStanding, ApiError> {
    let receipts = receipts(conn, &clinic.id).await?;
    let refunds = crate::proposals::approved_refunds(conn, &clinic.id).await?;
    let hand_ins = crate::cash::hand_ins(conn, &clinic.id).await?;
    let receipts_total: Money = receipts.iter().map(|r| r.amount).sum();
    let refunded: Money = refunds.iter().map(|r| r.amount).sum();
    let handed_in: Money = hand_ins.iter().map(|h| h.amount).sum();
    Ok(cunbao_domain::statement::CashStanding {
        clinic_id: clinic.id.clone(),
        clinic_name: clinic.name.clone(),
        receipts: receipts.len() as u32,
        receipts_total,
        refunded,
        handed_in,
        gap: SignedMoney::from(receipts_total)
            - SignedMoney::from(refunded)
            - SignedMoney::from(handed_in),
        hand_ins,
    })
}
