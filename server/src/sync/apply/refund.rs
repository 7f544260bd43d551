//! A refund of one of the clinic's contributions proposed (退费申请: paid twice, or cover
//! stopped before the year began). It waits for the township's approval (a second person,
//! 双人复核); the receipt can no longer be voided at the clinic meanwhile.

use cunbao_domain::sync::{
    ChangeBody, Mutation, MutationBody, MutationResult, ProposedRefund, RecordedContribution,
};
use cunbao_domain::text::Text;

use super::{not_this_clinics, Context};
use crate::error::ApiError;
use crate::records::{self, NewRecord, RecordKind, RecordStatus};
use crate::write_tx::Tx;

pub async fn apply(
    tx: &mut Tx<'_>,
    ctx: &Context<'_>,
    m: &Mutation,
) -> Result<MutationResult, ApiError> {
    let MutationBody::RefundProposal {
        contribution_id,
        reason,
    } = &m.body
    else {
        unreachable!("dispatched by kind")
    };
    let Some(stored) =
        records::of_clinic(tx, contribution_id, RecordKind::Contribution, ctx.clinic).await?
    else {
        return Ok(not_this_clinics(m, Text::new("收费凭证", "receipt")));
    };
    if stored.status == RecordStatus::RefundProposed.as_str() {
        return Ok(MutationResult::rejected(
            m,
            "refund_already_proposed",
            Text::new(
                "这张收费凭证已申请退费，待乡镇审批",
                "A refund of this receipt is already awaiting the township",
            ),
        ));
    }
    if stored.status != RecordStatus::Recorded.as_str() {
        return Ok(MutationResult::rejected(
            m,
            "not_refundable",
            Text::new(
                "这张收费凭证已作废，不能申请退费",
                "This receipt was voided; no refund can be proposed",
            ),
        ));
    }
    let contribution: RecordedContribution = serde_json::from_str(&stored.data)?;
    records::set_status(tx, contribution_id, RecordStatus::RefundProposed).await?;
    let made = ctx.made_by(tx).await?;
    let proposal = ProposedRefund {
        proposal_id: m.record_id.clone(),
        contribution_id: contribution_id.clone(),
        receipt_no: contribution.receipt_no,
        amount: contribution.amount,
        reason: *reason,
        clinic_id: ctx.clinic.to_string(),
        by: made.by,
        device_id: made.device_id,
        device_name: made.device_name,
        at: made.at,
    };
    let new = NewRecord {
        id: &m.record_id,
        kind: RecordKind::RefundProposal,
        person: None,
        scheme_year: None,
        status: RecordStatus::AwaitingApproval,
        data: serde_json::to_value(&proposal)?,
    };
    ctx.record_and_announce(tx, new, &ChangeBody::RefundProposed(proposal.clone()))
        .await?;
    let detail = serde_json::json!({
        "proposal_id": m.record_id, "receipt_no": proposal.receipt_no,
        "amount": proposal.amount, "reason": reason, "earlier_status": stored.status,
    });
    ctx.trail(tx, "refund_proposal", contribution_id, &detail)
        .await?;
    Ok(MutationResult::applied_with(
        m,
        "awaiting_township",
        Text::new(
            format!("退费{}元已申请，待乡镇审批", proposal.amount),
            format!(
                "Refund of {} proposed; awaiting the township",
                proposal.amount
            ),
        ),
    ))
}
