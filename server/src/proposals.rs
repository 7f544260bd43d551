//! The second person (双人复核): proposals to void a synced claim or to refund a contribution,
//! recorded as records of kind `void_proposal` and `refund_proposal` of the target's clinic,
//! and what a township user's approval or refusal does. The proposer — a clinic user at the
//! tablet or a township user — never decides their own.

use chrono::{Datelike, NaiveDate};
use cunbao_domain::claim::{ClaimAction, ClaimStatus};
use cunbao_domain::enrolment::RefundReason;
use cunbao_domain::id_number::IdNumber;
use cunbao_domain::money::Money;
use cunbao_domain::review::{DecidedClaim, RecordedDecision};
use cunbao_domain::second_person::{
    DecidedProposal, Proposal, ProposalAction, ProposalDecided, ProposalDecision, ProposalOutcome,
    ProposalResponse, ProposalState, ProposedVoid,
};
use cunbao_domain::sync::{ChangeBody, ProposedRefund, RecordedContribution};
use cunbao_domain::text::Text;
use serde_json::{json, Value};
use sqlx::{AnyConnection, Row};

use crate::audit::AuditEntry;
use crate::auth::Caller;
use crate::error::ApiError;
use crate::records::{self, NewRecord, RecordKind, RecordStatus};
use crate::write_tx::Tx;

/// Why a proposal cannot be made: a code and the words for the user.
pub type Refusal = (&'static str, Text);

/// The code of a refusal naming no claim or receipt of the clinic or township.
pub const UNKNOWN_TARGET: &str = "unknown_target";

/// Who proposes: their display name and username, as recorded with the proposal.
pub struct Proposer<'a> {
    pub display_name: &'a str,
    pub username: &'a str,
}

/// A claim of `clinic` (or of any clinic of the township when `clinic` is none) as a void
/// needs it, read under the claim's lock.
struct ClaimToVoid {
    clinic: String,
    person: String,
    scheme_year: Option<i64>,
    status: ClaimStatus,
    data: Value,
}

async fn claim_to_void(
    tx: &mut Tx<'_>,
    township: &str,
    clinic: Option<&str>,
    id: &str,
) -> Result<Option<ClaimToVoid>, ApiError> {
    let row = sqlx::query(
        "SELECT clinic_id, person, scheme_year, status, data FROM records \
         WHERE id = $1 AND kind = $2 AND township_id = $3 AND ($4 = '' OR clinic_id = $4)",
    )
    .bind(id)
    .bind(RecordKind::Claim.as_str())
    .bind(township)
    .bind(clinic.unwrap_or(""))
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let status: String = row.try_get("status")?;
    Ok(Some(ClaimToVoid {
        clinic: row.try_get("clinic_id")?,
        person: row.try_get("person")?,
        scheme_year: row.try_get("scheme_year")?,
        status: ClaimStatus::parse(&status)
            .ok_or_else(|| ApiError::internal(format!("claim {id} is {status}")))?,
        data: serde_json::from_str(&row.try_get::<String, _>("data")?)?,
    }))
}

/// Proposes voiding claim `claim_id` of the township (of `clinic`, when a clinic proposes).
/// `Err` says why it cannot be proposed, with its code: a bad reason, no such claim
/// (`unknown_target`), not voidable, or a void of it already awaiting a second person.
#[allow(clippy::too_many_arguments)]
pub async fn propose_void(
    tx: &mut Tx<'_>,
    caller: &Caller,
    clinic: Option<&str>,
    proposal_id: &str,
    claim_id: &str,
    reason: &str,
    by: &Proposer<'_>,
) -> Result<Result<ProposedVoid, Refusal>, ApiError> {
    if let Err(text) = cunbao_domain::second_person::check_text(reason) {
        return Ok(Err(("bad_reason", text)));
    }
    let township = caller.user.township_id.clone();
    let Some(claim) = claim_to_void(tx, &township, clinic, claim_id).await? else {
        return Ok(Err((
            UNKNOWN_TARGET,
            Text::new("找不到这条就诊记录", "No such claim"),
        )));
    };
    tx.lock_keys([
        format!("record:{claim_id}"),
        format!("person:{}", claim.person),
    ])
    .await?;
    if claim.status.after(ClaimAction::VoidApproved).is_none() {
        return Ok(Err((
            "not_voidable",
            Text::new(
                "这条就诊记录已被拒付或作废，不能再申请作废",
                "This claim was rejected or voided already",
            ),
        )));
    }
    if awaiting_void(tx, &claim.person, claim_id).await? {
        return Ok(Err((
            "void_already_proposed",
            Text::new(
                "这条就诊记录已申请作废，待复核",
                "A void of this claim already awaits a second person",
            ),
        )));
    }
    let person: IdNumber = serde_json::from_value(claim.data["person"].clone())?;
    let proposal = ProposedVoid {
        proposal_id: proposal_id.to_string(),
        claim_id: claim_id.to_string(),
        person: person.masked(),
        visit_date: serde_json::from_value(claim.data["visit_date"].clone())?,
        fund: paid_now(claim.status, &claim.data),
        reason: reason.trim().to_string(),
        clinic_id: claim.clinic.clone(),
        by: by.display_name.to_string(),
        by_username: by.username.to_string(),
        at: now(),
    };
    records::insert(
        tx,
        caller,
        &claim.clinic,
        NewRecord {
            id: proposal_id,
            kind: RecordKind::VoidProposal,
            person: Some(&claim.person),
            scheme_year: claim.scheme_year.map(|y| y as i32),
            status: RecordStatus::Proposal(ProposalState::Awaiting),
            data: serde_json::to_string(&proposal)?,
        },
    )
    .await?;
    tx.audit(AuditEntry {
        username: by.username,
        device_id: Some(&caller.device_id),
        action: "void_proposal",
        subject: claim_id,
        detail: &json!({
            "proposal_id": proposal_id, "fund": proposal.fund, "reason": proposal.reason,
            "status": claim.status,
        }),
    });
    Ok(Ok(proposal))
}

/// Proposes refunding contribution `contribution_id` of the township (of `clinic`, when a
/// clinic proposes); the receipt can no longer be voided at the clinic meanwhile. `Err` says
/// why it cannot be proposed, with its code.
#[allow(clippy::too_many_arguments)]
pub async fn propose_refund(
    tx: &mut Tx<'_>,
    caller: &Caller,
    clinic: Option<&str>,
    proposal_id: &str,
    contribution_id: &str,
    reason: RefundReason,
    by: &Proposer<'_>,
    device_name: &str,
) -> Result<Result<ProposedRefund, Refusal>, ApiError> {
    let row = sqlx::query(
        "SELECT clinic_id, status, data FROM records WHERE id = $1 AND kind = $2 \
         AND township_id = $3 AND ($4 = '' OR clinic_id = $4)",
    )
    .bind(contribution_id)
    .bind(RecordKind::Contribution.as_str())
    .bind(&caller.user.township_id)
    .bind(clinic.unwrap_or(""))
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else {
        return Ok(Err((
            UNKNOWN_TARGET,
            Text::new("找不到这张收费凭证", "No such receipt"),
        )));
    };
    let status: String = row.try_get("status")?;
    if status == RecordStatus::RefundProposed.as_str() {
        return Ok(Err((
            "refund_already_proposed",
            Text::new(
                "这张收费凭证已申请退费，待乡镇审批",
                "A refund of this receipt is already awaiting the township",
            ),
        )));
    }
    if status != RecordStatus::Recorded.as_str() {
        return Ok(Err((
            "not_refundable",
            Text::new(
                "这张收费凭证已作废或已退费，不能申请退费",
                "This receipt was voided or refunded; no refund can be proposed",
            ),
        )));
    }
    let target_clinic: String = row.try_get("clinic_id")?;
    let contribution: RecordedContribution =
        serde_json::from_str(&row.try_get::<String, _>("data")?)?;
    records::set_status(tx, contribution_id, RecordStatus::RefundProposed).await?;
    let proposal = ProposedRefund {
        proposal_id: proposal_id.to_string(),
        contribution_id: contribution_id.to_string(),
        receipt_no: contribution.receipt_no,
        amount: contribution.amount,
        reason,
        clinic_id: target_clinic.clone(),
        by: by.display_name.to_string(),
        by_username: by.username.to_string(),
        device_id: caller.device_id.clone(),
        device_name: device_name.to_string(),
        at: now(),
    };
    records::insert(
        tx,
        caller,
        &target_clinic,
        NewRecord {
            id: proposal_id,
            kind: RecordKind::RefundProposal,
            person: None,
            scheme_year: None,
            status: RecordStatus::Proposal(ProposalState::Awaiting),
            data: serde_json::to_string(&proposal)?,
        },
    )
    .await?;
    tx.append_change(
        &caller.user.township_id,
        Some(&target_clinic),
        proposal_id,
        &ChangeBody::RefundProposed(proposal.clone()),
    );
    tx.audit(AuditEntry {
        username: by.username,
        device_id: Some(&caller.device_id),
        action: "refund_proposal",
        subject: contribution_id,
        detail: &json!({
            "proposal_id": proposal_id, "receipt_no": proposal.receipt_no,
            "amount": proposal.amount, "reason": reason, "earlier_status": status,
        }),
    });
    Ok(Ok(proposal))
}

/// Whether a void of `claim_id` (of `person`) awaits a second person.
async fn awaiting_void(tx: &mut Tx<'_>, person: &str, claim_id: &str) -> Result<bool, ApiError> {
    let rows: Vec<String> = sqlx::query_scalar(
        "SELECT data FROM records WHERE person = $1 AND kind = $2 AND status = $3",
    )
    .bind(person)
    .bind(RecordKind::VoidProposal.as_str())
    .bind(ProposalState::Awaiting.as_str())
    .fetch_all(&mut **tx)
    .await?;
    for data in rows {
        let p: ProposedVoid = serde_json::from_str(&data)?;
        if p.claim_id == claim_id {
            return Ok(true);
        }
    }
    Ok(false)
}

/// What the fund pays for a claim in `status` by the server's settlement.
fn paid_now(status: ClaimStatus, data: &Value) -> Money {
    if status.pays() {
        Money::parse(data["server_settlement"]["fund"].as_str().unwrap_or("0")).unwrap_or_default()
    } else {
        Money::ZERO
    }
}

fn now() -> String {
    chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

const LIST_SELECT: &str = "SELECT r.id, r.kind, r.clinic_id, c.name AS clinic_name, r.status, \
     r.data FROM records r JOIN clinics c ON c.id = r.clinic_id \
     WHERE r.township_id = $1 AND r.kind IN ($2, $3)";

/// The township's proposals: those awaiting a second person (oldest first), or the latest
/// decided (newest first, at most `limit`).
pub async fn list(
    conn: &mut AnyConnection,
    township: &str,
    decided: bool,
    limit: i64,
) -> Result<Vec<Proposal>, ApiError> {
    let filter = if decided {
        "AND r.status <> $4 ORDER BY r.created_at DESC, r.id LIMIT $5"
    } else {
        "AND r.status = $4 ORDER BY r.created_at, r.id LIMIT $5"
    };
    let rows = sqlx::query(&format!("{LIST_SELECT} {filter}"))
        .bind(township)
        .bind(RecordKind::VoidProposal.as_str())
        .bind(RecordKind::RefundProposal.as_str())
        .bind(ProposalState::Awaiting.as_str())
        .bind(limit)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(proposal_row).collect()
}

/// One proposal of the township.
pub async fn one(
    conn: &mut AnyConnection,
    township: &str,
    id: &str,
) -> Result<Option<Proposal>, ApiError> {
    let row = sqlx::query(&format!("{LIST_SELECT} AND r.id = $4"))
        .bind(township)
        .bind(RecordKind::VoidProposal.as_str())
        .bind(RecordKind::RefundProposal.as_str())
        .bind(id)
        .fetch_optional(&mut *conn)
        .await?;
    row.as_ref().map(proposal_row).transpose()
}

fn proposal_row(row: &sqlx::any::AnyRow) -> Result<Proposal, ApiError> {
    let id: String = row.try_get("id")?;
    let kind: String = row.try_get("kind")?;
    let status: String = row.try_get("status")?;
    let data: Value = serde_json::from_str(&row.try_get::<String, _>("data")?)?;
    // A refund proposal's status was `awaiting_approval` before there were decisions.
    let state = ProposalState::parse(&status)
        .ok_or_else(|| ApiError::internal(format!("proposal {id} is {status}")))?;
    let decided: Option<ProposalDecided> = match data.get("decision") {
        Some(d) => Some(serde_json::from_value(d.clone())?),
        None => None,
    };
    let (action, target_id, subject, amount, reason, by, by_username, at) =
        if kind == RecordKind::VoidProposal.as_str() {
            let p: ProposedVoid = serde_json::from_value(data)?;
            (
                ProposalAction::VoidClaim,
                p.claim_id,
                format!("{} {}", p.person, p.visit_date),
                p.fund,
                p.reason,
                p.by,
                p.by_username,
                p.at,
            )
        } else {
            let p: ProposedRefund = serde_json::from_value(data)?;
            (
                ProposalAction::RefundContribution,
                p.contribution_id,
                p.receipt_no,
                p.amount,
                p.reason.as_str().to_string(),
                p.by,
                p.by_username,
                p.at,
            )
        };
    Ok(Proposal {
        proposal_id: id,
        action,
        clinic_id: row.try_get("clinic_id")?,
        clinic_name: row.try_get("clinic_name")?,
        target_id,
        subject,
        amount,
        reason,
        proposed_by: by,
        proposed_by_username: by_username,
        proposed_at: at,
        state,
        decided,
    })
}

/// A township user decides proposal `id` of their township: once; never their own.
pub async fn decide(
    state: &crate::AppState,
    caller: &Caller,
    id: &str,
    decision: ProposalDecision,
) -> Result<ProposalResponse, ApiError> {
    let township = caller.require_township_staff()?.to_string();
    let decision = decision
        .checked()
        .map_err(|t| ApiError::bad("bad_decision", t.zh, t.en))?;
    let wanted = match decision {
        ProposalDecision::Approve => ProposalState::Approved,
        ProposalDecision::Refuse { .. } => ProposalState::Refused,
    };
    let mut tx = state.writers.begin(&state.db).await?;
    let missing = || ApiError::Missing {
        code: "unknown_proposal",
        zh: "本乡镇没有这条申请".into(),
        en: "No such proposal in this township".into(),
    };
    // Everything the decision touches is locked at once, in the one order every writer
    // follows: the proposal, its target, and a claim's person.
    let peek = one(&mut tx, &township, id).await?.ok_or_else(missing)?;
    let mut keys = vec![format!("record:{id}"), format!("record:{}", peek.target_id)];
    if peek.action == ProposalAction::VoidClaim {
        if let Some(claim) = claim_to_void(&mut tx, &township, None, &peek.target_id).await? {
            keys.push(format!("person:{}", claim.person));
        }
    }
    tx.lock_keys(keys).await?;
    let proposal = one(&mut tx, &township, id).await?.ok_or_else(missing)?;
    if proposal.state == wanted {
        tx.commit().await?;
        return Ok(ProposalResponse {
            outcome: ProposalOutcome::Unchanged,
            proposal,
        });
    }
    if proposal.state != ProposalState::Awaiting {
        return Err(ApiError::conflict(
            "already_decided",
            "这条申请已由他人处理",
            "This proposal was decided already",
        ));
    }
    if !proposal.decidable_by(&caller.user.username) {
        return Err(ApiError::conflict(
            "own_proposal",
            "本人提出的申请须由另一位工作人员复核",
            "A proposal is decided by someone other than its proposer",
        ));
    }
    let decided = ProposalDecided {
        state: wanted,
        note: match &decision {
            ProposalDecision::Refuse { note } => Some(note.clone()),
            ProposalDecision::Approve => None,
        },
        decided_by: caller.user.display_name.clone(),
        decided_by_username: caller.user.username.clone(),
        decided_at: now(),
    };
    match (proposal.action, wanted) {
        (ProposalAction::VoidClaim, ProposalState::Approved) => {
            void_claim(&mut tx, caller, &township, &proposal, &decided).await?
        }
        (ProposalAction::RefundContribution, state) => {
            let status = if state == ProposalState::Approved {
                RecordStatus::Refunded
            } else {
                RecordStatus::Recorded
            };
            records::set_status(&mut tx, &proposal.target_id, status).await?;
        }
        (ProposalAction::VoidClaim, _) => {}
    }
    let data: String = sqlx::query_scalar("SELECT data FROM records WHERE id = $1")
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
    let mut data: Value = serde_json::from_str(&data)?;
    data["decision"] = serde_json::to_value(&decided)?;
    records::set_status(&mut tx, id, RecordStatus::Proposal(wanted)).await?;
    records::set_data(&mut tx, id, &data).await?;
    tx.append_change(
        &township,
        Some(&proposal.clinic_id),
        id,
        &ChangeBody::ProposalDecided(DecidedProposal {
            proposal_id: id.to_string(),
            action: proposal.action,
            target_id: proposal.target_id.clone(),
            subject: proposal.subject.clone(),
            amount: proposal.amount,
            decided: decided.clone(),
        }),
    );
    tx.audit(AuditEntry {
        username: &caller.user.username,
        device_id: Some(&caller.device_id),
        action: "proposal_decision",
        subject: id,
        detail: &json!({
            "action": proposal.action, "target": proposal.target_id, "state": wanted,
            "note": decided.note, "proposed_by": proposal.proposed_by_username,
            "amount": proposal.amount,
        }),
    });
    tx.commit().await?;
    let proposal = Proposal {
        state: wanted,
        decided: Some(decided),
        ..proposal
    };
    Ok(ProposalResponse {
        outcome: ProposalOutcome::Decided,
        proposal,
    })
}

/// The approved void: the claim pays nothing from now; the person's figures drop if it was
/// paid; the clinic hears of it as a decision on the claim. A claim an issued statement took
/// is carried on the next statement as the difference.
async fn void_claim(
    tx: &mut Tx<'_>,
    caller: &Caller,
    township: &str,
    proposal: &Proposal,
    decided: &ProposalDecided,
) -> Result<(), ApiError> {
    let id = &proposal.target_id;
    let claim = claim_to_void(tx, township, None, id)
        .await?
        .ok_or_else(|| ApiError::internal(format!("proposal for a missing claim {id}")))?;
    let Some(next) = claim.status.after(ClaimAction::VoidApproved) else {
        return Err(ApiError::conflict(
            "not_voidable",
            "这条就诊记录已被拒付或作废，请驳回此申请",
            "The claim was rejected or voided meanwhile: refuse the proposal",
        ));
    };
    let mut data = claim.data;
    let visit_date: NaiveDate = serde_json::from_value(data["visit_date"].clone())?;
    let year = visit_date.year();
    let pool = data["cap_pool"].as_str().unwrap_or_default().to_string();
    records::set_status(tx, id, RecordStatus::Claim(next)).await?;
    let accumulators = if claim.status.pays() {
        Some(crate::sync::apply::claim::year_to_date(tx, &claim.person, year, &pool).await?)
    } else {
        None
    };
    data["decision"] = serde_json::to_value(RecordedDecision {
        status: next,
        reason: None,
        note: Some(proposal.reason.clone()),
        decided_by: decided.decided_by.clone(),
        decided_at: decided.decided_at.clone(),
    })?;
    records::set_data(tx, id, &data).await?;
    let person: IdNumber = serde_json::from_value(data["person"].clone())?;
    tx.append_change(
        township,
        Some(&claim.clinic),
        id,
        &ChangeBody::ClaimDecided(DecidedClaim {
            claim_id: id.clone(),
            person: person.masked(),
            visit_date,
            status: next,
            reason: None,
            note: Some(proposal.reason.clone()),
            fund: Money::ZERO,
            decided_by: decided.decided_by.clone(),
            decided_at: decided.decided_at.clone(),
            accumulators: accumulators.map(|a| {
                crate::sync::apply::claim::figures_after(&claim.person, &pool, a, visit_date)
            }),
        }),
    );
    tx.audit(AuditEntry {
        username: &caller.user.username,
        device_id: Some(&caller.device_id),
        action: "claim_decision",
        subject: id,
        detail: &json!({
            "from": claim.status, "to": next, "note": proposal.reason,
            "proposal": proposal.proposal_id, "fund": Money::ZERO,
        }),
    });
    Ok(())
}

/// The refunds approved for `clinic`: the proposal, the amount, the day approved (a statement
/// takes each once; the clinic owes that much less cash).
pub async fn approved_refunds(
    conn: &mut AnyConnection,
    clinic: &str,
) -> Result<Vec<crate::ledger::Dated>, ApiError> {
    let rows = sqlx::query(
        "SELECT id, data FROM records WHERE clinic_id = $1 AND kind = $2 AND status = $3",
    )
    .bind(clinic)
    .bind(RecordKind::RefundProposal.as_str())
    .bind(ProposalState::Approved.as_str())
    .fetch_all(&mut *conn)
    .await?;
    rows.iter()
        .map(|row| {
            let id: String = row.try_get("id")?;
            let data: Value = serde_json::from_str(&row.try_get::<String, _>("data")?)?;
            let refund: ProposedRefund = serde_json::from_value(data.clone())?;
            let decided: ProposalDecided = serde_json::from_value(data["decision"].clone())?;
            let on = chrono::DateTime::parse_from_rfc3339(&decided.decided_at)
                .map_err(|e| ApiError::internal(format!("refund {id} decided at: {e}")))?
                .with_timezone(&chrono::Local)
                .date_naive();
            Ok(crate::ledger::Dated {
                id,
                amount: refund.amount,
                on,
            })
        })
        .collect()
}
