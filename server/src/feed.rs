//! The change feed devices pull from: every business change is appended inside the caller's
//! transaction, under the server's write lock, so cursors are allocated without races.
//! Changes are typed ([`ChangeBody`]); the table keeps the kind and the payload in two columns.

use cunbao_domain::sync::{Change, ChangeBody};
use sqlx::{Any, Row, Transaction};

pub type Tx<'a> = Transaction<'a, Any>;

/// Appends a change about record `id`, visible to `clinic` (and its township), or to the
/// whole township.
pub async fn append_change(
    tx: &mut Tx<'_>,
    township: &str,
    clinic: Option<&str>,
    id: &str,
    body: &ChangeBody,
) -> Result<i64, sqlx::Error> {
    let cursor: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(cursor), 0) + 1 FROM changes")
        .fetch_one(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO changes (cursor, township_id, clinic_id, entity, entity_id, data) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(cursor)
    .bind(township)
    .bind(clinic)
    .bind(body.kind().as_str())
    .bind(id)
    .bind(body.payload().to_string())
    .execute(&mut **tx)
    .await?;
    Ok(cursor)
}

/// A change as read back from the feed's row.
pub fn change_from_row(row: &sqlx::any::AnyRow) -> Result<Change, crate::error::ApiError> {
    let kind: String = row.try_get("entity")?;
    let payload: serde_json::Value = serde_json::from_str(&row.try_get::<String, _>("data")?)?;
    Ok(Change {
        cursor: row.try_get::<i64, _>("cursor")? as u64,
        id: row.try_get("entity_id")?,
        body: ChangeBody::from_parts(&kind, payload)?,
    })
}
