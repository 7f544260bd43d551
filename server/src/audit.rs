//! The append-only, hash-chained audit log (业务办理轨迹): who did what, when, from which
//! device. Written inside the caller's transaction, under the server's write lock, so ids are
//! allocated without races; [`verify_audit_chain`] finds an edited or deleted row.

use sha2::{Digest, Sha256};
use sqlx::Row;

use crate::feed::Tx;

pub struct AuditEntry<'a> {
    pub username: &'a str,
    pub device_id: Option<&'a str>,
    pub action: &'a str,
    pub subject: &'a str,
    pub detail: &'a serde_json::Value,
}

/// Appends to the audit log; each row's hash covers its content and the previous row's hash,
/// so an edited or deleted row breaks the chain ([`verify_audit_chain`]).
pub async fn audit(tx: &mut Tx<'_>, entry: AuditEntry<'_>) -> Result<(), sqlx::Error> {
    let last = sqlx::query("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
        .fetch_optional(&mut **tx)
        .await?;
    let (id, prev_hash) = match last {
        Some(row) => (
            row.try_get::<i64, _>("id")? + 1,
            row.try_get::<String, _>("hash")?,
        ),
        None => (1, String::new()),
    };
    let at = chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let detail = entry.detail.to_string();
    let hash = chain_hash(
        &prev_hash,
        &[
            &id.to_string(),
            &at,
            entry.username,
            entry.device_id.unwrap_or(""),
            entry.action,
            entry.subject,
            &detail,
        ],
    );
    sqlx::query(
        "INSERT INTO audit_log (id, at, username, device_id, action, subject, detail, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(id)
    .bind(at)
    .bind(entry.username)
    .bind(entry.device_id)
    .bind(entry.action)
    .bind(entry.subject)
    .bind(detail)
    .bind(prev_hash)
    .bind(hash)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

fn chain_hash(prev: &str, fields: &[&str]) -> String {
    let mut digest = Sha256::new();
    digest.update(prev.as_bytes());
    for field in fields {
        digest.update([0x1f]);
        digest.update(field.as_bytes());
    }
    digest
        .finalize()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// The newest entry of the chain and how many there are: written to the log regularly and
/// shown on the health page, so that deleting the newest rows (which leaves a shorter chain
/// that still verifies) shows against a head noted earlier.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainHead {
    pub entries: i64,
    pub hash: String,
}

pub async fn chain_head(pool: &sqlx::AnyPool) -> Result<ChainHead, sqlx::Error> {
    let row = sqlx::query("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
        .fetch_optional(pool)
        .await?;
    Ok(match row {
        Some(row) => ChainHead {
            entries: row.try_get("id")?,
            hash: row.try_get("hash")?,
        },
        None => ChainHead {
            entries: 0,
            hash: String::new(),
        },
    })
}

/// Recomputes the audit chain; the id of the first row that does not match, if any.
pub async fn verify_audit_chain(pool: &sqlx::AnyPool) -> Result<Option<i64>, sqlx::Error> {
    let rows = sqlx::query(
        "SELECT id, at, username, device_id, action, subject, detail, prev_hash, hash \
         FROM audit_log ORDER BY id",
    )
    .fetch_all(pool)
    .await?;
    let mut prev = String::new();
    for (i, row) in rows.iter().enumerate() {
        let id: i64 = row.try_get("id")?;
        let device: Option<String> = row.try_get("device_id")?;
        let fields = [
            id.to_string(),
            row.try_get("at")?,
            row.try_get("username")?,
            device.unwrap_or_default(),
            row.try_get("action")?,
            row.try_get("subject")?,
            row.try_get("detail")?,
        ];
        let refs: Vec<&str> = fields.iter().map(String::as_str).collect();
        let stored_prev: String = row.try_get("prev_hash")?;
        let stored: String = row.try_get("hash")?;
        if id != i as i64 + 1 || stored_prev != prev || stored != chain_hash(&prev, &refs) {
            return Ok(Some(id));
        }
        prev = stored;
    }
    Ok(None)
}
