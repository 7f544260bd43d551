//! Cover of one of the clinic's enrolments stops from a day (停保): the enrolment keeps the
//! stop, and from that day on the person is suspended (a claim on or after it is evaluated so).

use cunbao_domain::enrolment::{check_stop, ChangeError, CoverStop};
use cunbao_domain::sync::{ChangeBody, Mutation, MutationBody, MutationResult, RecordedStop};
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
    let MutationBody::StopCover {
        enrolment_id,
        from,
        reason,
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
    if let Err(err) = check_stop(
        &enrolment.coverage,
        enrolment.scheme_year,
        enrolment.stopped.as_ref(),
        *from,
    ) {
        let code = match err {
            ChangeError::AlreadyStopped { .. } => "already_stopped",
            _ => "invalid_stop_date",
        };
        return Ok(rejected_by(m, code, err));
    }
    enrolment.stopped = Some(CoverStop {
        from: *from,
        reason: *reason,
    });
    records::set_data(tx, enrolment_id, &serde_json::to_value(&enrolment)?).await?;
    let made = ctx.made_by(tx).await?;
    let stop = RecordedStop {
        stop_id: m.record_id.clone(),
        enrolment_id: enrolment_id.clone(),
        from: *from,
        reason: *reason,
        clinic_id: ctx.clinic.to_string(),
        by: made.by,
        device_id: made.device_id,
        device_name: made.device_name,
        at: made.at,
    };
    let person = enrolment.member.id_number.as_str();
    let new = NewRecord {
        id: &m.record_id,
        kind: RecordKind::CoverStop,
        person: Some(person),
        scheme_year: Some(enrolment.scheme_year),
        status: RecordStatus::Recorded,
        data: serde_json::to_string(&stop)?,
    };
    ctx.record_and_announce(tx, new, &ChangeBody::CoverStopped(stop.clone()))
        .await?;
    let detail = serde_json::json!({
        "stop_id": m.record_id, "from": from, "reason": reason, "earlier": null,
    });
    ctx.trail(tx, "stop_cover", enrolment_id, &detail).await?;
    Ok(MutationResult::applied(m))
}
