//! A misspelt name or a wrong phone corrected (更正) on one of the clinic's enrolments. The
//! earlier value stays in the correction's record and in the audit trail; the feed carries the
//! new value to the clinic's other tablets. The ID number is never corrected this way.

use cunbao_domain::enrolment::check_correction;
use cunbao_domain::sync::{ChangeBody, Mutation, MutationBody, MutationResult, RecordedCorrection};
use cunbao_domain::text::Text;

use super::{not_this_clinics, rejected_by, Context};
use crate::error::ApiError;
use crate::records::{self, NewRecord, RecordKind, RecordStatus};
use crate::write_tx::Tx;

pub async fn apply(
    tx: &mut Tx<'_>,
    ctx: &Context<'_>,
    m: &Mutation,
) -> Result<MutationResult, ApiError> {
    let MutationBody::Correction {
        enrolment_id,
        correction,
    } = &m.body
    else {
        unreachable!("dispatched by kind")
    };
    let Some(mut enrolment) = ctx.standing_enrolment(tx, enrolment_id).await? else {
        return Ok(not_this_clinics(
            m,
            Text::new("有效的参保登记", "standing enrolment"),
        ));
    };
    if let Err(err) = check_correction(&enrolment.member, correction) {
        return Ok(rejected_by(m, "unchanged", err));
    }
    let earlier = correction.current(&enrolment.member);
    correction.apply_to(&mut enrolment.member);
    records::set_data(tx, enrolment_id, &serde_json::to_value(&enrolment)?).await?;
    let made = ctx.made_by(tx).await?;
    let recorded = RecordedCorrection {
        correction_id: m.record_id.clone(),
        enrolment_id: enrolment_id.clone(),
        earlier,
        value: correction.clone(),
        clinic_id: ctx.clinic.to_string(),
        by: made.by,
        device_id: made.device_id,
        device_name: made.device_name,
        at: made.at,
    };
    let new = NewRecord {
        id: &m.record_id,
        kind: RecordKind::Correction,
        person: Some(enrolment.member.id_number.as_str()),
        scheme_year: Some(enrolment.scheme_year),
        status: RecordStatus::Recorded,
        data: serde_json::to_string(&recorded)?,
    };
    ctx.record_and_announce(tx, new, &ChangeBody::Corrected(recorded.clone()))
        .await?;
    let detail = serde_json::json!({
        "correction_id": m.record_id, "earlier": recorded.earlier, "value": recorded.value,
    });
    ctx.trail(tx, "correction", enrolment_id, &detail).await?;
    Ok(MutationResult::applied(m))
}
