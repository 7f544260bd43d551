//! A device voids one of its own records that the township has not yet acted on.

use cunbao_domain::claim::{ClaimAction, ClaimStatus};
use cunbao_domain::sync::{ChangeBody, Mutation, MutationResult, Voided};
use cunbao_domain::text::Text;

use super::Context;
use crate::error::ApiError;
use crate::records::{self, RecordKind, RecordStatus};
use crate::write_tx::Tx;

pub async fn apply(
    tx: &mut Tx<'_>,
    ctx: &Context<'_>,
    m: &Mutation,
    target: &str,
    reason: &str,
) -> Result<MutationResult, ApiError> {
    let voidable = match records::standing(tx, target).await? {
        Some(s) if s.device_id == ctx.caller.device_id => match RecordKind::parse(&s.kind) {
            Some(RecordKind::Enrolment) => s.status == RecordStatus::Active.as_str(),
            Some(RecordKind::Contribution) => s.status == RecordStatus::Recorded.as_str(),
            Some(RecordKind::Claim) => ClaimStatus::parse(&s.status)
                .and_then(|status| status.after(ClaimAction::VoidAtDevice))
                .is_some(),
            _ => false,
        },
        _ => false,
    };
    if !voidable || reason.trim().is_empty() {
        return Ok(MutationResult::rejected(
            m,
            "cannot_void",
            Text::new(
                "只能作废本机录入、尚未处理的记录，且须填写原因；其他情况请由乡镇办理",
                "Only this device's records not yet acted on can be voided here, with a \
                 reason; otherwise the township handles it",
            ),
        ));
    }
    records::set_status(tx, target, RecordStatus::Void).await?;
    let change = ChangeBody::Void(Voided {
        target_record_id: target.to_string(),
        reason: reason.to_string(),
    });
    ctx.announce(tx, target, &change).await?;
    Ok(MutationResult::applied(m))
}
