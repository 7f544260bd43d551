//! The change feed devices pull from. A writer adds its changes to its transaction
//! ([`crate::write_tx::Tx::append_change`]); they are written at commit, under the feed lock, so cursors are handed
//! out in commit order ([`crate::write_tx`]). Changes are typed ([`ChangeBody`]); the table
//! keeps the kind and the payload in two columns.

use std::fmt::Write as _;

use cunbao_domain::sync::ChangeBody;
use sqlx::{AnyConnection, Row};

/// A change waiting for its cursor.
pub struct NewChange {
    township: String,
    clinic: Option<String>,
    id: String,
    kind: &'static str,
    payload: String,
}

impl NewChange {
    pub(crate) fn new(township: &str, clinic: Option<&str>, id: &str, body: &ChangeBody) -> Self {
        NewChange {
            township: township.to_string(),
            clinic: clinic.map(str::to_string),
            id: id.to_string(),
            kind: body.kind().as_str(),
            payload: body.payload_json(),
        }
    }
}

/// Rows per INSERT: well inside both databases' limits on bound values.
const ROWS_PER_INSERT: usize = 200;

/// Writes `changes` with the next cursors (the caller holds the feed lock).
pub(crate) async fn write_changes(
    conn: &mut AnyConnection,
    changes: &[NewChange],
) -> Result<(), sqlx::Error> {
    if changes.is_empty() {
        return Ok(());
    }
    let mut next: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(cursor), 0) + 1 FROM changes")
        .fetch_one(&mut *conn)
        .await?;
    for chunk in changes.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO changes (cursor, township_id, clinic_id, entity, entity_id, data) VALUES {}",
            placeholders(conn, chunk.len(), 6)
        );
        let mut query = sqlx::query(&sql);
        for change in chunk {
            query = query
                .bind(next)
                .bind(change.township.as_str())
                .bind(change.clinic.as_deref())
                .bind(change.kind)
                .bind(change.id.as_str())
                .bind(change.payload.as_str());
            next += 1;
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

/// `($1, $2), ($3, $4)` for `rows` rows of `columns` values; on SQLite `(?, ?), (?, ?)`.
///
/// SQLite looks a numbered parameter's name up by walking the statement's list of names, and
/// sqlx asks for every parameter's name as it binds: quadratic in the number of parameters,
/// 14 % of a push's time with a thousand of them. Anonymous `?` parameters have no names.
pub(crate) fn placeholders(conn: &AnyConnection, rows: usize, columns: usize) -> String {
    let numbered = conn.backend_name() != "SQLite";
    let mut sql = String::with_capacity(rows * columns * 6);
    for r in 0..rows {
        sql.push_str(if r == 0 { "(" } else { ", (" });
        for c in 0..columns {
            if c > 0 {
                sql.push_str(", ");
            }
            if numbered {
                // Written in place: a statement of 100 rows has 1,500 of them.
                let _ = write!(sql, "${}", r * columns + c + 1);
            } else {
                sql.push('?');
            }
        }
        sql.push(')');
    }
    sql
}

/// A change as the feed stores it, sent on as it is: the wire shape of [`cunbao_domain::sync::Change`] (its
/// cursor, id, kind as `entity` and payload as `data`), without parsing the payload into its
/// type and writing it out again.
#[derive(Debug, serde::Serialize)]
pub struct StoredChange {
    pub cursor: u64,
    pub id: String,
    pub entity: String,
    pub data: Box<serde_json::value::RawValue>,
}

impl StoredChange {
    pub fn from_row(row: &sqlx::any::AnyRow) -> Result<StoredChange, crate::error::ApiError> {
        Ok(StoredChange {
            cursor: row.try_get::<i64, _>("cursor")? as u64,
            id: row.try_get("entity_id")?,
            entity: row.try_get("entity")?,
            data: serde_json::value::RawValue::from_string(row.try_get("data")?)?,
        })
    }
}
