//! Cash collected, with its receipt. Cash collected for an enrolment that did not stand (a
//! duplicate) is owed back to the payer: a refund due is recorded for it.

use cunbao_domain::money::Money;
use cunbao_domain::sync::{
    ChangeBody, Mutation, MutationBody, MutationResult, RecordedContribution, RefundDue,
};
use cunbao_domain::text::Text;

use super::Context;
use crate::error::ApiError;
use crate::records::{self, NewRecord, RecordKind, RecordStatus};
use crate::write_tx::Tx;

pub async fn apply(
    tx: &mut Tx<'_>,
    ctx: &Context<'_>,
    m: &Mutation,
) -> Result<MutationResult, ApiError> {
    let MutationBody::Contribution {
        receipt_no,
        household_id,
        enrolment_ids,
        amount,
        collected_on,
    } = &m.body
    else {
        unreachable!("dispatched by kind")
    };
    // A receipt covers this clinic's own enrolments only.
    for enrolment_id in enrolment_ids {
        let Some(standing) = records::standing(tx, enrolment_id).await? else {
            continue;
        };
        if standing.kind != RecordKind::Enrolment.as_str() || standing.clinic_id != ctx.clinic {
            return Ok(MutationResult::rejected(
                m,
                "not_this_clinics_enrolment",
                Text::new(
                    format!("收费凭证所列的{enrolment_id}不是本卫生室的参保登记"),
                    format!("{enrolment_id} on the receipt is not an enrolment of this clinic"),
                ),
            ));
        }
    }
    let contribution = RecordedContribution {
        receipt_no: receipt_no.clone(),
        household_id: household_id.clone(),
        enrolment_ids: enrolment_ids.clone(),
        amount: *amount,
        collected_on: *collected_on,
        operator: Some(ctx.operator.clone()),
    };
    // The body as sent, and who collected the cash: credited to them, not to the pusher.
    let mut data = serde_json::to_value(&m.body)?;
    data["operator"] = serde_json::to_value(ctx.operator)?;
    let new = NewRecord {
        id: &m.record_id,
        kind: RecordKind::Contribution,
        person: None,
        scheme_year: None,
        status: RecordStatus::Recorded,
        data: data.to_string(),
    };
    ctx.record_and_announce(tx, new, &ChangeBody::Contribution(contribution))
        .await?;
    let mut refunded = Money::ZERO;
    for enrolment_id in enrolment_ids {
        let Some(enrolment) = records::duplicate_enrolment(tx, enrolment_id).await? else {
            continue;
        };
        let due = enrolment.contribution.due;
        refunded = refunded + due;
        let refund = RefundDue {
            // Derived ids carry ':', which no record id a tablet sends may: never a collision.
            refund_id: format!("refund:{}:{enrolment_id}", m.record_id),
            contribution_id: m.record_id.clone(),
            enrolment_id: enrolment_id.clone(),
            duplicate_of: enrolment.duplicate_of.clone(),
            amount: due,
            clinic_id: ctx.clinic.to_string(),
        };
        let new = NewRecord {
            id: &refund.refund_id,
            kind: RecordKind::RefundDue,
            person: Some(enrolment.member.id_number.as_str()),
            scheme_year: None,
            status: RecordStatus::Due,
            data: serde_json::to_string(&refund)?,
        };
        ctx.record_and_announce(tx, new, &ChangeBody::RefundDue(refund.clone()))
            .await?;
    }
    if refunded.is_zero() {
        return Ok(MutationResult::applied(m));
    }
    Ok(MutationResult::applied_with(
        m,
        "refund_due",
        Text::new(
            format!("其中{refunded}元因重复参保应退还缴费人"),
            format!("{refunded} yuan of it is owed back to the payer (duplicate enrolment)"),
        ),
    ))
}
