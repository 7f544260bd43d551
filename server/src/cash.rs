//! The cash a clinic hands in to the township (解缴), against the receipts it issued: each
//! hand-in as the township recorded it, and the clinic's standing — every receipt that stands,
//! all time, against everything handed in, and the gap until it closes.

use chrono::NaiveDate;
use cunbao_domain::money::Money;
use cunbao_domain::statement::RecordedHandIn;
use sqlx::{AnyConnection, Row};

use crate::error::ApiError;
use crate::ledger::Dated;

pub struct NewHandIn<'a> {
    pub township_id: &'a str,
    pub clinic_id: &'a str,
    pub amount: Money,
    pub received_on: NaiveDate,
    pub receipts_covered: &'a str,
    pub username: &'a str,
    pub display_name: &'a str,
}

/// Records a hand-in; its id (`cash:…`: never a record id, which has no ':').
pub async fn insert(conn: &mut AnyConnection, h: NewHandIn<'_>) -> Result<String, sqlx::Error> {
    let id = format!("cash:{}", crate::auth::random_hex(8));
    sqlx::query(
        "INSERT INTO cash_hand_ins (id, township_id, clinic_id, amount, received_on, \
         receipts_covered, recorded_by, recorded_by_name, recorded_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&id)
    .bind(h.township_id)
    .bind(h.clinic_id)
    .bind(h.amount.to_string())
    .bind(h.received_on.to_string())
    .bind(h.receipts_covered)
    .bind(h.username)
    .bind(h.display_name)
    .bind(chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true))
    .execute(&mut *conn)
    .await?;
    Ok(id)
}

/// The clinic's hand-ins, newest first.
pub async fn hand_ins(
    conn: &mut AnyConnection,
    clinic: &str,
) -> Result<Vec<RecordedHandIn>, ApiError> {
    let rows = sqlx::query(
        "SELECT id, amount, received_on, receipts_covered, recorded_by_name, recorded_at \
         FROM cash_hand_ins WHERE clinic_id = $1 ORDER BY received_on DESC, recorded_at DESC, id",
    )
    .bind(clinic)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            let amount: String = row.try_get("amount")?;
            let received_on: String = row.try_get("received_on")?;
            Ok(RecordedHandIn {
                id: row.try_get("id")?,
                amount: Money::parse(&amount)
                    .map_err(|e| ApiError::internal(format!("a hand-in of {amount}: {e}")))?,
                received_on: received_on
                    .parse()
                    .map_err(|e| ApiError::internal(format!("a hand-in on {received_on}: {e}")))?,
                receipts_covered: row.try_get("receipts_covered")?,
                recorded_by: row.try_get("recorded_by_name")?,
                recorded_at: row.try_get("recorded_at")?,
            })
        })
        .collect()
}

/// The clinic's hand-ins as a statement takes them: id, amount, day received.
pub async fn dated(conn: &mut AnyConnection, clinic: &str) -> Result<Vec<Dated>, ApiError> {
    Ok(hand_ins(conn, clinic)
        .await?
        .into_iter()
        .map(|h| Dated {
            id: h.id,
            amount: h.amount,
            on: h.received_on,
        })
        .collect())
}
