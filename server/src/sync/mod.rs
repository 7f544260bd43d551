//! The server side of the sync contract (ENGINEERING.md §3): handshake, push (a device's
//! mutations applied in order, exactly once, the last applied sequence recorded in the same
//! transaction as the effects) and incremental pull scoped to what the caller may see.

pub(crate) mod apply;
pub(crate) use apply::year_to_date;
mod batch;
mod body_values;
pub mod reading;

use std::collections::HashMap;

use chrono::Datelike;
use cunbao_domain::sync::{
    Handshake, Mutation, MutationBody, MutationResult, Operator, PushResponse, UserInfo,
};
use cunbao_domain::text::Text;
use sqlx::{AnyPool, Row};

use crate::audit::AuditEntry;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::feed::StoredChange;

pub async fn handshake(
    pool: &AnyPool,
    caller: &Caller,
    in_force: &crate::state::InForce,
) -> Result<Handshake, ApiError> {
    let last: i64 = sqlx::query_scalar("SELECT last_seq FROM devices WHERE id = $1")
        .bind(&caller.device_id)
        .fetch_one(pool)
        .await?;
    Ok(Handshake {
        server_epoch: crate::db::epoch(pool).await?,
        last_applied_seq: last as u64,
        user: caller.user.clone(),
        catalogue_version: in_force.catalogue.version.clone(),
        policy_version: in_force.policy.version.clone(),
        policy_versions: in_force.policy_versions(),
        renewed_token: None,
    })
}

/// Applies a batch in one transaction: all of its effects and the device's new last sequence
/// commit together or not at all, so a retried batch (after a lost reply, a dropped connection
/// or a crash) is answered from the mutation log instead of being applied twice.
pub async fn push(
    pool: &AnyPool,
    writers: &crate::write_tx::Writers,
    in_force: &crate::state::InForce,
    caller: &Caller,
    mutations: &[Mutation],
) -> Result<PushResponse, ApiError> {
    let pushed = mutations
        .iter()
        .map(|m| Pushed::Read {
            body: serde_json::to_string(&m.body).expect("serialisable"),
            m: m.clone(),
        })
        .collect();
    push_each(pool, writers, in_force, caller, pushed).await
}

/// A batch as it arrived over HTTP: each mutation read on its own ([`reading::read`]).
pub async fn push_raw(
    pool: &AnyPool,
    writers: &crate::write_tx::Writers,
    in_force: &crate::state::InForce,
    caller: &Caller,
    raw: Vec<reading::RawMutation>,
) -> Result<PushResponse, ApiError> {
    let pushed = raw
        .into_iter()
        .map(|raw| {
            let read = reading::read(&raw);
            let body = Box::<str>::from(raw.body).into_string();
            match read {
                Ok(m) => Pushed::Read { m, body },
                Err(result) => Pushed::Refused {
                    result: *result,
                    body,
                },
            }
        })
        .collect();
    push_each(pool, writers, in_force, caller, pushed).await
}

/// One mutation of a batch, read or refused as it arrived, with its body as sent for the log.
enum Pushed {
    Read {
        m: Mutation,
        body: String,
    },
    Refused {
        result: MutationResult,
        body: String,
    },
}

impl Pushed {
    fn seq(&self) -> u64 {
        match self {
            Pushed::Read { m, .. } => m.seq,
            Pushed::Refused { result, .. } => result.seq,
        }
    }

    fn record_id(&self) -> &str {
        match self {
            Pushed::Read { m, .. } => &m.record_id,
            Pushed::Refused { result, .. } => &result.record_id,
        }
    }
}

async fn push_each(
    pool: &AnyPool,
    writers: &crate::write_tx::Writers,
    in_force: &crate::state::InForce,
    caller: &Caller,
    mutations: Vec<Pushed>,
) -> Result<PushResponse, ApiError> {
    let clinic = caller.clinic()?.to_string();
    let mut operators = Operators::default();
    let mut tx = writers.begin(pool).await?;
    // The device's row first: its batches run one after another on any server process.
    let mut last: i64 = sqlx::query_scalar(&format!(
        "SELECT last_seq FROM devices WHERE id = $1{}",
        tx.for_update()
    ))
    .bind(&caller.device_id)
    .fetch_one(&mut *tx)
    .await?;
    // Then every record and person the batch names, in one order.
    let keys = mutations.iter().flat_map(|pushed| match pushed {
        Pushed::Read { m, .. } => batch::lock_keys(m),
        Pushed::Refused { .. } => Vec::new(),
    });
    tx.lock_keys(keys).await?;
    // Which of the batch's record ids are new, in one query rather than one per mutation.
    let ids: Vec<&str> = mutations
        .iter()
        .filter_map(|pushed| match pushed {
            Pushed::Read { m, .. } => Some(m.record_id.as_str()),
            Pushed::Refused { .. } => None,
        })
        .collect();
    tx.note_absent(&ids).await?;
    // What re-settling the batch's claims reads of their people, in one query.
    tx.buffer_records();
    let claims = mutations.iter().filter_map(|pushed| match pushed {
        Pushed::Read {
            m:
                Mutation {
                    body: MutationBody::Claim(claim),
                    ..
                },
            ..
        } => Some((claim.person.as_str().to_string(), claim.visit_date.year())),
        _ => None,
    });
    let (people, years): (Vec<String>, Vec<i32>) = claims.unzip();
    if let Some(first) = years.iter().min() {
        crate::records::read_claimants_ahead(&mut tx, &people, first - 1).await?;
    }
    let mut results = Vec::with_capacity(mutations.len());
    let mut logged = Vec::with_capacity(mutations.len());
    for pushed in mutations {
        // Beyond i64 is beyond any device's sequence: a gap.
        let seq = i64::try_from(pushed.seq()).unwrap_or(i64::MAX);
        let record_id = pushed.record_id().to_string();
        if seq <= last {
            results
                .push(already_applied(&mut tx, caller, &logged, pushed.seq(), &record_id).await?);
            continue;
        }
        if seq != last + 1 {
            results.push(MutationResult::sequence_gap_at(
                pushed.seq(),
                &record_id,
                last as u64 + 1,
            ));
            continue;
        }
        let (kind, body, result, detail) = match pushed {
            Pushed::Read { m, body } => {
                let result = match operators.of(&mut tx, caller, &clinic, &m).await? {
                    Some(operator) => {
                        let ctx = apply::Context {
                            caller,
                            clinic: &clinic,
                            in_force,
                            operator: &operator,
                        };
                        apply::apply(&mut tx, &ctx, &m).await?
                    }
                    None => operator_not_of_clinic(&m),
                };
                let detail = batch::audit_detail(seq, Some(&m), &result, &caller.user.username);
                (m.body.kind(), body, result, detail)
            }
            Pushed::Refused { result, body } => {
                let detail = batch::audit_detail(seq, None, &result, &caller.user.username);
                ("unreadable", body, result, detail)
            }
        };
        tx.audit(AuditEntry {
            username: &caller.user.username,
            device_id: Some(&caller.device_id),
            action: kind,
            subject: &record_id,
            detail: &detail,
        });
        logged.push(Logged {
            seq,
            record_id,
            kind,
            body,
            result: serde_json::to_string(&result).expect("serialisable"),
        });
        last = seq;
        results.push(result);
    }
    log_mutations(&mut tx, &caller.device_id, &logged).await?;
    sqlx::query("UPDATE devices SET last_seq = $1 WHERE id = $2")
        .bind(last)
        .bind(&caller.device_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(PushResponse {
        pulled: None,
        results,
        last_applied_seq: last as u64,
    })
}

/// The operators a batch names, each looked up once: the users of the pushing device's clinic
/// they are, or not.
#[derive(Default)]
struct Operators {
    known: HashMap<String, Option<UserInfo>>,
}

impl Operators {
    /// Who made `m`, as the server names them: a user of `clinic`; the pusher for a mutation
    /// sent without an operator (a tablet older than the field); none if the named user does
    /// not exist or is not of the clinic.
    async fn of(
        &mut self,
        tx: &mut crate::write_tx::Tx<'_>,
        caller: &Caller,
        clinic: &str,
        m: &Mutation,
    ) -> Result<Option<Operator>, ApiError> {
        let Some(sent) = &m.operator else {
            return Ok(Some(Operator::of(&caller.user)));
        };
        let user = match self.known.get(&sent.username) {
            Some(user) => user.clone(),
            None => {
                let user = crate::accounts::user(tx, &sent.username).await?;
                self.known.insert(sent.username.clone(), user.clone());
                user
            }
        };
        Ok(user
            .filter(|u| {
                u.role == cunbao_domain::sync::Role::ClinicAssistant
                    && u.clinic_id.as_deref() == Some(clinic)
            })
            .map(|u| Operator::of(&u)))
    }
}

/// The answer to a mutation whose operator is not a user of the device's clinic (the same
/// words whether the user exists elsewhere or not at all).
fn operator_not_of_clinic(m: &Mutation) -> MutationResult {
    let username = m.operator.as_ref().map_or("", |o| o.username.as_str());
    MutationResult::rejected(
        m,
        "operator_not_of_clinic",
        Text::new(
            format!("经办人{username}不是本卫生室的用户，记录未被接受"),
            format!("The operator {username} is not a user of this clinic; the record is refused"),
        ),
    )
}

/// A mutation applied (or refused as unreadable) and the answer given, for the log.
struct Logged {
    seq: i64,
    record_id: String,
    kind: &'static str,
    body: String,
    result: String,
}

/// Writes the batch's mutations and answers to the log, several rows per statement.
async fn log_mutations(
    tx: &mut crate::write_tx::Tx<'_>,
    device_id: &str,
    logged: &[Logged],
) -> Result<(), sqlx::Error> {
    let applied_at = chrono::Utc::now().to_rfc3339();
    for chunk in logged.chunks(100) {
        let sql = format!(
            "INSERT INTO mutations (device_id, seq, record_id, kind, body, result, applied_at) VALUES {}",
            crate::feed::placeholders(tx, chunk.len(), 7)
        );
        let mut query = sqlx::query(&sql);
        for l in chunk {
            query = query
                .bind(device_id)
                .bind(l.seq)
                .bind(l.record_id.as_str())
                .bind(l.kind)
                .bind(l.body.as_str())
                .bind(l.result.as_str())
                .bind(applied_at.as_str());
        }
        query.execute(&mut **tx).await?;
    }
    Ok(())
}

/// The answer to a mutation sent again: the one given the first time (from this batch or the
/// log), or a conflict if its sequence number was used for another record.
async fn already_applied(
    tx: &mut crate::write_tx::Tx<'_>,
    caller: &Caller,
    this_batch: &[Logged],
    seq: u64,
    record_id: &str,
) -> Result<MutationResult, ApiError> {
    let row =
        match this_batch.iter().find(|l| l.seq as u64 == seq) {
            Some(l) => Some((l.record_id.clone(), l.result.clone())),
            None => sqlx::query(
                "SELECT record_id, result FROM mutations WHERE device_id = $1 AND seq = $2",
            )
            .bind(&caller.device_id)
            .bind(seq as i64)
            .fetch_optional(&mut **tx)
            .await?
            .map(|row| Ok::<_, sqlx::Error>((row.try_get("record_id")?, row.try_get("result")?)))
            .transpose()?,
        };
    let conflict = || {
        MutationResult::unreadable(
            seq,
            record_id,
            "sequence_conflict",
            Text::new(
                "该序号已用于另一条记录",
                "This sequence number was used for another record",
            ),
        )
    };
    let Some((logged, result)) = row else {
        return Ok(conflict());
    };
    if logged != record_id {
        return Ok(conflict());
    }
    let original: MutationResult = serde_json::from_str(&result)?;
    Ok(MutationResult::already_applied(original))
}

/// The changes after `after` that the caller may see: a clinic's own changes and
/// township-wide ones for clinic staff; everything in the township for township staff.
pub async fn pull(
    pool: &AnyPool,
    caller: &Caller,
    after: u64,
    limit: u32,
) -> Result<PulledPage, ApiError> {
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
    let changes = rows
        .iter()
        .take(limit as usize)
        .map(StoredChange::from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let cursor = changes.last().map_or(after, |c| c.cursor);
    Ok(PulledPage {
        changes,
        cursor,
        more,
    })
}

/// A page of the feed as [`PullResponse`] has it on the wire, its changes as stored.
#[derive(Debug, serde::Serialize)]
pub struct PulledPage {
    pub changes: Vec<StoredChange>,
    pub cursor: u64,
    pub more: bool,
}
