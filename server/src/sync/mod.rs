//! The server side of the sync contract (ENGINEERING.md §3): handshake, push (a device's
//! mutations applied in order, exactly once, the last applied sequence recorded in the same
//! transaction as the effects) and incremental pull scoped to what the caller may see.

mod apply;

use cunbao_domain::sync::{
    Change, Handshake, Mutation, MutationResult, MutationStatus, PullResponse, PushResponse,
};
use sqlx::{AnyPool, Row};

use crate::auth::Caller;
use crate::error::ApiError;
use crate::feed::{audit, AuditEntry};

pub async fn handshake(
    pool: &AnyPool,
    caller: &Caller,
    catalogue_version: &str,
    policy_version: &str,
) -> Result<Handshake, ApiError> {
    let last: i64 = sqlx::query_scalar("SELECT last_seq FROM devices WHERE id = $1")
        .bind(&caller.device_id)
        .fetch_one(pool)
        .await?;
    Ok(Handshake {
        server_epoch: crate::db::epoch(pool).await?,
        last_applied_seq: last as u64,
        user: caller.user.clone(),
        catalogue_version: catalogue_version.to_string(),
        policy_version: policy_version.to_string(),
    })
}

/// Applies a batch in one transaction: all of its effects and the device's new last sequence
/// commit together or not at all, so a retried batch (after a lost reply, a dropped connection
/// or a crash) is answered from the mutation log instead of being applied twice.
pub async fn push(
    pool: &AnyPool,
    lock: &tokio::sync::Mutex<()>,
    catalogue: &cunbao_domain::catalogue::Catalogue,
    caller: &Caller,
    mutations: &[Mutation],
) -> Result<PushResponse, ApiError> {
    let clinic = caller.clinic()?.to_string();
    let _writer = lock.lock().await;
    let mut tx = pool.begin().await?;
    let mut last: i64 = sqlx::query_scalar("SELECT last_seq FROM devices WHERE id = $1")
        .bind(&caller.device_id)
        .fetch_one(&mut *tx)
        .await?;
    let mut results = Vec::with_capacity(mutations.len());
    for m in mutations {
        let seq = m.seq as i64;
        if seq <= last {
            results.push(already_applied(&mut tx, caller, m).await?);
        } else if seq == last + 1 {
            let result = apply::apply(&mut tx, caller, &clinic, catalogue, m).await?;
            sqlx::query(
                "INSERT INTO mutations (device_id, seq, record_id, kind, body, result, applied_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(&caller.device_id)
            .bind(seq)
            .bind(&m.record_id)
            .bind(apply::kind(&m.body))
            .bind(serde_json::to_string(&m.body).expect("serialisable"))
            .bind(serde_json::to_string(&result).expect("serialisable"))
            .bind(chrono::Utc::now().to_rfc3339())
            .execute(&mut *tx)
            .await?;
            audit(
                &mut tx,
                AuditEntry {
                    username: &caller.user.username,
                    device_id: Some(&caller.device_id),
                    action: apply::kind(&m.body),
                    subject: &m.record_id,
                    detail: &serde_json::json!({ "seq": m.seq, "status": result.status }),
                },
            )
            .await?;
            last = seq;
            results.push(result);
        } else {
            results.push(MutationResult {
                seq: m.seq,
                record_id: m.record_id.clone(),
                status: MutationStatus::Rejected,
                original_status: None,
                code: Some("sequence_gap".into()),
                message_zh: Some(format!(
                    "缺少第{}条之前的数据，请从第{}条重新上传",
                    m.seq,
                    last + 1
                )),
                message_en: Some(format!(
                    "Mutations before {} are missing; send again from {}",
                    m.seq,
                    last + 1
                )),
                reference: None,
            });
        }
    }
    sqlx::query("UPDATE devices SET last_seq = $1 WHERE id = $2")
        .bind(last)
        .bind(&caller.device_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(PushResponse {
        results,
        last_applied_seq: last as u64,
    })
}

async fn already_applied(
    tx: &mut crate::feed::Tx<'_>,
    caller: &Caller,
    m: &Mutation,
) -> Result<MutationResult, ApiError> {
    let row =
        sqlx::query("SELECT record_id, result FROM mutations WHERE device_id = $1 AND seq = $2")
            .bind(&caller.device_id)
            .bind(m.seq as i64)
            .fetch_optional(&mut **tx)
            .await?;
    let conflict = || MutationResult {
        seq: m.seq,
        record_id: m.record_id.clone(),
        status: MutationStatus::Rejected,
        original_status: None,
        code: Some("sequence_conflict".into()),
        message_zh: Some("该序号已用于另一条记录".into()),
        message_en: Some("This sequence number was used for another record".into()),
        reference: None,
    };
    let Some(row) = row else {
        return Ok(conflict());
    };
    let record_id: String = row.try_get("record_id")?;
    if record_id != m.record_id {
        return Ok(conflict());
    }
    let mut original: MutationResult = serde_json::from_str(&row.try_get::<String, _>("result")?)
        .map_err(|e| ApiError::Internal(e.to_string()))?;
    original.original_status = Some(original.status);
    original.status = MutationStatus::AlreadyApplied;
    Ok(original)
}

/// The changes after `after` that the caller may see: a clinic's own changes and
/// township-wide ones for clinic staff; everything in the township for township staff.
pub async fn pull(
    pool: &AnyPool,
    caller: &Caller,
    after: u64,
    limit: u32,
) -> Result<PullResponse, ApiError> {
    let limit = limit.clamp(1, 5_000) as i64;
    let rows = match &caller.user.clinic_id {
        Some(clinic) => {
            sqlx::query(
                "SELECT cursor, entity, entity_id, data FROM changes WHERE township_id = $1 \
                 AND cursor > $2 AND (clinic_id IS NULL OR clinic_id = $3) ORDER BY cursor LIMIT $4",
            )
            .bind(&caller.user.township_id)
            .bind(after as i64)
            .bind(clinic)
            .bind(limit + 1)
            .fetch_all(pool)
            .await?
        }
        None => {
            sqlx::query(
                "SELECT cursor, entity, entity_id, data FROM changes WHERE township_id = $1 \
                 AND cursor > $2 ORDER BY cursor LIMIT $3",
            )
            .bind(&caller.user.township_id)
            .bind(after as i64)
            .bind(limit + 1)
            .fetch_all(pool)
            .await?
        }
    };
    let more = rows.len() as i64 > limit;
    let mut changes = Vec::with_capacity(rows.len());
    for row in rows.iter().take(limit as usize) {
        let data: String = row.try_get("data")?;
        changes.push(Change {
            cursor: row.try_get::<i64, _>("cursor")? as u64,
            entity: row.try_get("entity")?,
            id: row.try_get("entity_id")?,
            data: serde_json::from_str(&data).map_err(|e| ApiError::Internal(e.to_string()))?,
        });
    }
    let cursor = changes.last().map_or(after, |c| c.cursor);
    Ok(PullResponse {
        changes,
        cursor,
        more,
    })
}
