//! An application for a chronic qualification (门诊慢特病认定) filed by the clinic where the
//! person is enrolled, on a hospital's diagnosis document. It waits for the township's
//! decision (`api::township::decide_qualification`); the clinic hears of it at once as
//! pending, and again when it is decided.

use chrono::Datelike;
use cunbao_domain::qualification::{Qualification, QualificationStatus};
use cunbao_domain::sync::{ChangeBody, Mutation, MutationBody, MutationResult};
use cunbao_domain::text::Text;

use super::Context;
use crate::error::ApiError;
use crate::records::{self, NewRecord, RecordKind, RecordStatus};
use crate::write_tx::Tx;

/// The longest evidence reference (a document number and its issuer).
const MAX_EVIDENCE_CHARS: usize = 100;

pub async fn apply(
    tx: &mut Tx<'_>,
    ctx: &Context<'_>,
    m: &Mutation,
) -> Result<MutationResult, ApiError> {
    let MutationBody::QualificationApplication {
        person,
        condition,
        evidence,
        applied_on,
    } = &m.body
    else {
        unreachable!("dispatched by kind")
    };
    let evidence = evidence.trim();
    if evidence.is_empty() || evidence.chars().count() > MAX_EVIDENCE_CHARS {
        return Ok(MutationResult::rejected(
            m,
            "bad_evidence",
            Text::new(
                format!("请填写医院诊断证明（最多{MAX_EVIDENCE_CHARS}个字）"),
                format!("Give the hospital's diagnosis document (at most {MAX_EVIDENCE_CHARS} characters)"),
            ),
        ));
    }
    // Filed by the clinic where the person is enrolled, for the year of the application or
    // (in the collection period) the next.
    let mut enrolled_here = false;
    for year in [applied_on.year(), applied_on.year() + 1] {
        enrolled_here |= records::active_enrolment(tx, person.as_str(), year)
            .await?
            .is_some_and(|e| e.clinic_id == ctx.clinic);
    }
    if !enrolled_here {
        return Ok(MutationResult::rejected(
            m,
            "not_enrolled_here",
            Text::new(
                format!(
                    "{}在{}年度未在本卫生室参保，不能由本卫生室申请认定",
                    person.masked(),
                    applied_on.year()
                ),
                format!(
                    "{} is not enrolled at this clinic for {}; this clinic cannot apply",
                    person.masked(),
                    applied_on.year()
                ),
            ),
        ));
    }
    let qualification = Qualification {
        id: m.record_id.clone(),
        person: person.clone(),
        condition: *condition,
        evidence: evidence.to_string(),
        applied_on: *applied_on,
        clinic_id: ctx.clinic.to_string(),
        status: QualificationStatus::Pending,
        valid_from: None,
        valid_to: None,
        decided_by: None,
        note: None,
    };
    let new = NewRecord {
        id: &m.record_id,
        kind: RecordKind::Qualification,
        person: Some(person.as_str()),
        scheme_year: Some(applied_on.year()),
        status: RecordStatus::Qualification(QualificationStatus::Pending),
        data: serde_json::to_string(&qualification)?,
    };
    ctx.record_and_announce(tx, new, &ChangeBody::Qualification(qualification))
        .await?;
    Ok(MutationResult::applied(m))
}
