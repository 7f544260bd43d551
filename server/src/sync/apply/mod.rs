//! Applying one mutation inside the push transaction, one module per kind of mutation.
//! Business rules come from the domain crate; a business rejection is an answer, recorded like
//! any other, never an error.

pub(crate) mod claim;
pub(crate) use claim::year_to_date;
mod contribution;
mod correction;
mod enrolment;
mod qualification;
mod refund;
mod stop;
mod void;
mod void_proposal;

use cunbao_domain::policy::Policy;
use cunbao_domain::sync::{
    ChangeBody, Mutation, MutationBody, MutationResult, MutationStatus, Operator, RecordedEnrolment,
};
use cunbao_domain::text::{Bilingual, Text};
use sqlx::Row;

use crate::auth::Caller;
use crate::error::ApiError;
use crate::records::{self, NewRecord, RecordKind, RecordStatus};
use crate::state::InForce;
use crate::write_tx::Tx;

/// Who is pushing, from which clinic, who made the mutation, and what is in force: what every
/// kind of mutation needs.
pub struct Context<'a> {
    pub caller: &'a Caller,
    pub clinic: &'a str,
    pub in_force: &'a InForce,
    /// The user of the clinic who made the record on the tablet (checked against the users,
    /// named as the server knows them); the pusher for a mutation sent without one.
    pub operator: &'a Operator,
}

impl Context<'_> {
    fn township(&self) -> &str {
        &self.caller.user.township_id
    }

    /// Inserts the record and announces `change` about it to the clinic (and through it the
    /// township).
    async fn record_and_announce(
        &self,
        tx: &mut Tx<'_>,
        record: NewRecord<'_>,
        change: &ChangeBody,
    ) -> Result<(), sqlx::Error> {
        let id = record.id;
        records::insert(tx, self.caller, self.clinic, record).await?;
        self.announce(tx, id, change).await
    }

    async fn announce(
        &self,
        tx: &mut Tx<'_>,
        id: &str,
        change: &ChangeBody,
    ) -> Result<(), sqlx::Error> {
        tx.append_change(self.township(), Some(self.clinic), id, change);
        Ok(())
    }
}

pub async fn apply(
    tx: &mut Tx<'_>,
    ctx: &Context<'_>,
    m: &Mutation,
) -> Result<MutationResult, ApiError> {
    if !matches!(m.body, MutationBody::Void { .. }) && records::exists(tx, &m.record_id).await? {
        if let Some(earlier) = sent_before(tx, ctx, m, &m.record_id).await? {
            return Ok(earlier);
        }
        return Ok(MutationResult::rejected(
            m,
            "record_exists",
            Text::new("记录编号已存在", "A record with this id already exists"),
        ));
    }
    // Only a claim's reads know what is held back ([`crate::record_buffer`]); the others read
    // `records` as written.
    if !matches!(m.body, MutationBody::Claim(_)) {
        tx.flush_records().await?;
        tx.records_changed();
    }
    let result = match &m.body {
        MutationBody::Enrolment { .. } => enrolment::apply(tx, ctx, m).await,
        MutationBody::Contribution { .. } => contribution::apply(tx, ctx, m).await,
        MutationBody::Claim { .. } => claim::apply(tx, ctx, m).await,
        MutationBody::Void {
            target_record_id,
            reason,
        } => void::apply(tx, ctx, m, target_record_id, reason).await,
        MutationBody::StopCover { .. } => stop::apply(tx, ctx, m).await,
        MutationBody::Correction { .. } => correction::apply(tx, ctx, m).await,
        MutationBody::RefundProposal { .. } => refund::apply(tx, ctx, m).await,
        MutationBody::VoidProposal { .. } => void_proposal::apply(tx, ctx, m).await,
        MutationBody::QualificationApplication { .. } => qualification::apply(tx, ctx, m).await,
    }?;
    if let MutationBody::Void {
        target_record_id, ..
    } = &m.body
    {
        if result.status == MutationStatus::Rejected {
            if let Some(earlier) = sent_before(tx, ctx, m, target_record_id).await? {
                return Ok(earlier);
            }
        }
    }
    Ok(result)
}

/// This very mutation — same place in the tablet's sequence, record id, kind and body — as
/// applied earlier under the device that made `record` (the tablet before it signed in
/// again): the answer given then, as "already applied". A tablet that signs in again starts a
/// new device whose sequence begins at 1, so it sends its whole outbox again (the server may
/// have lost part of it in a restore); what the server has is answered, not refused, and is
/// never applied twice.
async fn sent_before(
    tx: &mut Tx<'_>,
    ctx: &Context<'_>,
    m: &Mutation,
    record: &str,
) -> Result<Option<MutationResult>, ApiError> {
    let Some(standing) = records::standing(tx, record).await? else {
        return Ok(None);
    };
    if standing.clinic_id != ctx.clinic {
        return Ok(None);
    }
    let row = sqlx::query(
        "SELECT record_id, kind, body, result FROM mutations WHERE device_id = $1 AND seq = $2",
    )
    .bind(&standing.device_id)
    .bind(i64::try_from(m.seq).unwrap_or(i64::MAX))
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let same = row.try_get::<String, _>("record_id")? == m.record_id
        && row.try_get::<String, _>("kind")? == m.body.kind()
        && serde_json::from_str::<MutationBody>(&row.try_get::<String, _>("body")?)
            .ok()
            .as_ref()
            == Some(&m.body);
    if !same {
        return Ok(None);
    }
    let earlier: MutationResult = serde_json::from_str(&row.try_get::<String, _>("result")?)?;
    Ok(Some(MutationResult {
        seq: m.seq,
        record_id: m.record_id.clone(),
        ..MutationResult::already_applied(earlier)
    }))
}

/// A rejection whose words come from a domain error.
fn rejected_by(m: &Mutation, code: &str, err: impl Bilingual) -> MutationResult {
    MutationResult::rejected(m, code, err.text())
}

impl Context<'_> {
    /// The published policy a mutation names.
    fn policy_named(&self, version: &str) -> Option<&Policy> {
        self.in_force.policy(version)
    }
}

/// The answer to a change naming a record that is not this clinic's (or does not exist): the
/// same words either way, so nothing is learnt of other clinics' records.
fn not_this_clinics(m: &Mutation, what: Text) -> MutationResult {
    MutationResult::rejected(
        m,
        "not_found",
        Text::new(
            format!("本卫生室没有这条{}", what.zh),
            format!("This clinic has no such {}", what.en),
        ),
    )
}

impl Context<'_> {
    /// Who made a change, from which device (its id and name), and when, as its record and
    /// the feed carry it.
    async fn made_by(&self, tx: &mut Tx<'_>) -> Result<MadeBy, sqlx::Error> {
        let device_name: Option<String> =
            sqlx::query_scalar("SELECT name FROM devices WHERE id = $1")
                .bind(&self.caller.device_id)
                .fetch_optional(&mut **tx)
                .await?;
        Ok(MadeBy {
            by: self.operator.display_name.clone(),
            device_id: self.caller.device_id.clone(),
            device_name: device_name.unwrap_or_default(),
            at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        })
    }

    /// The clinic's enrolment `id` if it stands (not a duplicate, not voided); another
    /// clinic's reads as none.
    async fn standing_enrolment(
        &self,
        tx: &mut Tx<'_>,
        id: &str,
    ) -> Result<Option<RecordedEnrolment>, ApiError> {
        match records::of_clinic(tx, id, RecordKind::Enrolment, self.clinic).await? {
            Some(r) if r.status == RecordStatus::Active.as_str() => {
                Ok(Some(serde_json::from_str(&r.data)?))
            }
            _ => Ok(None),
        }
    }

    /// An audit entry for a change, beside the push's own entry: what changed, with the
    /// earlier value.
    async fn trail(
        &self,
        tx: &mut Tx<'_>,
        action: &str,
        subject: &str,
        detail: &serde_json::Value,
    ) -> Result<(), sqlx::Error> {
        tx.audit(crate::audit::AuditEntry {
            username: &self.caller.user.username,
            device_id: Some(&self.caller.device_id),
            action,
            subject,
            detail,
        });
        Ok(())
    }
}

/// Who made a change after enrolment, from which device, and when.
struct MadeBy {
    by: String,
    device_id: String,
    device_name: String,
    at: String,
}

/// The answer to a mutation naming a policy the server does not have.
fn unknown_policy(m: &Mutation, version: &str) -> MutationResult {
    MutationResult::rejected(
        m,
        "unknown_policy",
        Text::new(
            format!("未知的政策版本{version}"),
            format!("Unknown policy version {version}"),
        ),
    )
}
