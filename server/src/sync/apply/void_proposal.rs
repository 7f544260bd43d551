//! A clinic proposes voiding one of its claims that has synced (作废申请): it takes effect
//! only when a township user approves it (双人复核, [`crate::proposals`]).

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
    let MutationBody::VoidProposal { claim_id, reason } = &m.body else {
        unreachable!("dispatched by kind")
    };
    let by = Proposer {
        display_name: &ctx.operator.display_name,
        username: &ctx.operator.username,
    };
    let proposed = proposals::propose_void(
        tx,
        ctx.caller,
        Some(ctx.clinic),
        &m.record_id,
        claim_id,
        reason,
        &by,
    )
    .await?;
    Ok(match proposed {
        Ok(p) => MutationResult::applied_with(
            m,
            "awaiting_township",
            Text::new(
                format!("作废申请已提交（基金支付{}元），待乡镇复核", p.fund),
                format!(
                    "Void proposed (fund share {}); awaiting the township",
                    p.fund
                ),
            ),
        ),
        Err((proposals::UNKNOWN_TARGET, _)) => not_this_clinics(m, Text::new("就诊记录", "claim")),
        Err((code, why)) => MutationResult::rejected(m, code, why),
    })
}
