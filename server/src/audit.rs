//! The append-only, hash-chained audit log (业务办理轨迹): who did what, when, from which
//! device. Written at the commit of the caller's transaction, under the feed lock, so ids are
//! handed out in commit order; [`verify_audit_chain`] finds an edited or deleted row.

use sha2::{Digest, Sha256};
use sqlx::{AnyConnection, Row};

pub struct AuditEntry<'a> {
    pub username: &'a str,
    pub device_id: Option<&'a str>,
    pub action: &'a str,
    pub subject: &'a str,
    pub detail: &'a serde_json::Value,
}

/// An entry waiting for its place in the chain (its time is when it was made).
pub struct NewAuditEntry {
    at: String,
    username: String,
    device_id: Option<String>,
    action: String,
    subject: String,
    detail: String,
}

/// Each row's hash covers its content and the previous row's hash, so an edited or deleted
/// row breaks the chain ([`verify_audit_chain`]). Its time is when it was made.
impl From<AuditEntry<'_>> for NewAuditEntry {
    fn from(entry: AuditEntry<'_>) -> Self {
        NewAuditEntry {
            at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true),
            username: entry.username.to_string(),
            device_id: entry.device_id.map(str::to_string),
            action: entry.action.to_string(),
            subject: entry.subject.to_string(),
            detail: entry.detail.to_string(),
        }
    }
}

/// Rows per INSERT: well inside both databases' limits on bound values.
const ROWS_PER_INSERT: usize = 200;

/// Chains and writes `entries` after the newest row (the caller holds the feed lock).
pub(crate) async fn write_entries(
    conn: &mut AnyConnection,
    entries: &[NewAuditEntry],
) -> Result<(), sqlx::Error> {
    if entries.is_empty() {
        return Ok(());
    }
    let last = sqlx::query("SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1")
        .fetch_optional(&mut *conn)
        .await?;
    let (mut id, mut prev_hash) = match last {
        Some(row) => (
            row.try_get::<i64, _>("id")?,
            row.try_get::<String, _>("hash")?,
        ),
        None => (0, String::new()),
    };
    for chunk in entries.chunks(ROWS_PER_INSERT) {
        let sql = format!(
            "INSERT INTO audit_log (id, at, username, device_id, action, subject, detail, prev_hash, hash) VALUES {}",
            crate::feed::placeholders(conn, chunk.len(), 9)
        );
        let mut query = sqlx::query(&sql);
        for e in chunk {
            id += 1;
            let hash = chain_hash(
                &prev_hash,
                &[
                    &id.to_string(),
                    &e.at,
                    &e.username,
                    e.device_id.as_deref().unwrap_or(""),
                    &e.action,
                    &e.subject,
                    &e.detail,
                ],
            );
            query = query
                .bind(id)
                .bind(e.at.as_str())
                .bind(e.username.as_str())
                .bind(e.device_id.as_deref())
                .bind(e.action.as_str())
                .bind(e.subject.as_str())
                .bind(e.detail.as_str())
                .bind(std::mem::replace(&mut prev_hash, hash.clone()))
                .bind(hash);
        }
        query.execute(&mut *conn).await?;
    }
    Ok(())
}

fn chain_hash(prev: &str, fields: &[&str]) -> String {
    let mut digest = Sha256::new();
    digest.update(prev.as_bytes());
    for field in fields {
        digest.update([0x1f]);
        digest.update(field.as_bytes());
    }
    // Hex written in place (one entry per mutation pushed: no string for each byte).
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let mut hex = String::with_capacity(64);
    for b in digest.finalize() {
        hex.push(HEX[usize::from(b >> 4)] as char);
        hex.push(HEX[usize::from(b & 0xf)] as char);
    }
    hex
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

#[cfg(test)]
mod tests {
    use super::chain_hash;

    #[test]
    fn the_chain_hash_is_sha256_in_lower_case_hex() {
        assert_eq!(
            chain_hash("", &[]),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        // "abc" as the previous hash and no fields: SHA-256 of "abc".
        assert_eq!(
            chain_hash("abc", &[]),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
