//! A refund of one of the clinic's contributions proposed (退费申请: paid twice, or cover
//! stopped before the year began). It waits for a township user's approval (a second person,
//! 双人复核, [`crate::proposals`]); the receipt can no longer be voided at the clinic meanwhile.

use cunbao_domain::sync::{Mutation, MutationBody, MutationResult};
use cunbao_domain::text::Text;

use super::{not_this_clinics, Context};
use crate::error::ApiError;
use crate::proposals::{self, Proposer};
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
    let made = ctx.made_by(tx).await?;
    let by = Proposer {
        display_name: &made.by,
        username: &ctx.operator.username,
    };
    let proposed = proposals::propose_refund(
        tx,
        ctx.caller,
        Some(ctx.clinic),
        &m.record_id,
        contribution_id,
        *reason,
        &by,
        &made.device_name,
    )
    .await?;
    Ok(match proposed {
        Ok(proposal) => MutationResult::applied_with(
            m,
            "awaiting_township",
            Text::new(
                format!("退费{}元已申请，待乡镇审批", proposal.amount),
                format!(
                    "Refund of {} proposed; awaiting the township",
                    proposal.amount
                ),
            ),
        ),
        Err((proposals::UNKNOWN_TARGET, _)) => {
            not_this_clinics(m, Text::new("收费凭证", "receipt"))
        }
        Err((code, why)) => MutationResult::rejected(m, code, why),
    })
}
