//! A person enrolled for a scheme year. One active enrolment per person and year: a second one
//! (made at another clinic while both were offline) is kept as a duplicate, and both clinics
//! hear of it.

use cunbao_domain::enrolment::{coverage, member_contribution};
use cunbao_domain::sync::{
    ChangeBody, DuplicateEnrolment, Mutation, MutationBody, MutationResult, RecordedEnrolment,
};
use cunbao_domain::text::Text;

use super::{rejected_by, unknown_policy, Context};
use crate::error::ApiError;
use crate::records::{self, NewRecord, RecordKind, RecordStatus};
use crate::write_tx::Tx;

pub async fn apply(
    tx: &mut Tx<'_>,
    ctx: &Context<'_>,
    m: &Mutation,
) -> Result<MutationResult, ApiError> {
    let MutationBody::Enrolment {
        household_id,
        member,
        scheme_year,
        enrolled_on,
        policy_version,
    } = &m.body
    else {
        unreachable!("dispatched by kind")
    };
    let Some(policy) = ctx.policy_named(policy_version) else {
        return Ok(unknown_policy(m, policy_version));
    };
    if *scheme_year != policy.scheme_year {
        return Ok(MutationResult::rejected(
            m,
            "wrong_scheme_year",
            Text::new(
                format!("政策{policy_version}不适用于{scheme_year}年度"),
                format!("Policy {policy_version} is not for scheme year {scheme_year}"),
            ),
        ));
    }
    // A lapse within the policy's allowance since last year's cover keeps it continuous
    // (back-payment): no waiting period.
    let prior = records::active_enrolment(tx, member.id_number.as_str(), scheme_year - 1)
        .await?
        .map(|e| e.record.coverage.to);
    let late_renewal = prior.is_some() && policy.late_renewal(*enrolled_on);
    let cover = match coverage(policy, member.id_number.birth_date(), *enrolled_on, prior) {
        Ok(cover) => cover,
        Err(err) => return Ok(rejected_by(m, "outside_scheme", err)),
    };
    let due = match member_contribution(policy, member) {
        Ok(c) => c,
        Err(err) => return Ok(rejected_by(m, "invalid_enrolment", err)),
    };
    let person = member.id_number.as_str();
    let mut record = RecordedEnrolment {
        household_id: household_id.clone(),
        member: member.clone(),
        scheme_year: *scheme_year,
        enrolled_on: *enrolled_on,
        policy_version: policy_version.clone(),
        coverage: cover,
        contribution: due,
        clinic_id: ctx.clinic.to_string(),
        duplicate_of: None,
        late_renewal,
        stopped: None,
        operator: Some(ctx.operator.clone()),
    };
    let Some(existing) = records::active_enrolment(tx, person, *scheme_year).await? else {
        let change = ChangeBody::Enrolment(record.clone());
        let new = NewRecord {
            id: &m.record_id,
            kind: RecordKind::Enrolment,
            person: Some(person),
            scheme_year: Some(*scheme_year),
            status: RecordStatus::Active,
            data: serde_json::to_string(&record)?,
        };
        ctx.record_and_announce(tx, new, &change).await?;
        return Ok(MutationResult::applied(m));
    };
    record.duplicate_of = Some(existing.id.clone());
    let new = NewRecord {
        id: &m.record_id,
        kind: RecordKind::Enrolment,
        person: Some(person),
        scheme_year: Some(*scheme_year),
        status: RecordStatus::Duplicate,
        data: serde_json::to_string(&record)?,
    };
    records::insert(tx, ctx.caller, ctx.clinic, new).await?;
    let notice = ChangeBody::DuplicateEnrolment(DuplicateEnrolment {
        enrolment_id: m.record_id.clone(),
        duplicate_of: existing.id.clone(),
        person: member.id_number.masked(),
        scheme_year: *scheme_year,
        clinic_id: ctx.clinic.to_string(),
        existing_clinic_id: existing.clinic_id.clone(),
    });
    // Both clinics hear of it (once, if it is the same clinic), each through its own
    // township (a person may have enrolled in two townships).
    let mut told = vec![(ctx.township(), ctx.clinic)];
    if existing.clinic_id != ctx.clinic {
        told.push((&existing.township_id, &existing.clinic_id));
    }
    for (township, clinic) in told {
        tx.append_change(township, Some(clinic), &m.record_id, &notice);
    }
    let masked = member.id_number.masked();
    let existing_id = existing.id;
    Ok(MutationResult::rejected(
        m,
        "duplicate_enrolment",
        Text::new(
            format!(
                "{masked}已在{scheme_year}年度参保（登记号{existing_id}），本次登记不生效，所收费用应退还"
            ),
            format!(
                "{masked} is already enrolled for {scheme_year} (enrolment {existing_id}); this \
                 enrolment does not stand and its contribution is to be refunded"
            ),
        ),
    )
    .referring_to(existing_id))
}
