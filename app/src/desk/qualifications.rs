//! Chronic qualifications at the desk (门诊慢特病认定): the person's qualifications as this
//! tablet knows them, and an application filed for the township to decide — kept here as
//! pending at once, written with its outbox entry in one durable transaction.

use std::collections::HashSet;

use chrono::{Datelike, NaiveDate};
use cunbao_domain::policy::ChronicCondition;
use cunbao_domain::qualification::{Qualification, QualificationStatus};
use cunbao_domain::sync::MutationBody;
use cunbao_domain::text::{Bilingual, Text};

use super::changes::{standing, ChangeFailed, Maker};
use crate::storage::records::Notice;
use crate::storage::{Batch, StorageError, Store, StoreName};
use crate::sync::outbox;

/// The conditions a clinic can apply for (两病一症), in the order the form offers them.
pub const CONDITIONS: [ChronicCondition; 3] = [
    ChronicCondition::Hypertension,
    ChronicCondition::Diabetes,
    ChronicCondition::StrokeSequelae,
];

/// Longest evidence text accepted (a document's name and number).
pub const MAX_EVIDENCE: usize = 100;

#[derive(Debug, Clone, PartialEq)]
pub enum ApplicationFailed {
    /// No evidence document named.
    EvidenceMissing,
    EvidenceTooLong,
    /// An application for the condition is already awaiting the township.
    AlreadyPending(ChronicCondition),
    /// The person already holds a qualification for the condition, valid today.
    AlreadyQualified(ChronicCondition),
    /// The person's enrolment is not on this tablet, or does not stand.
    NotFound,
    /// The enrolment is not for the year of the application (the server accepts one from
    /// the clinic where the person is enrolled for that year).
    NotEnrolledFor(i32),
    /// Nobody is signed in: nothing is saved.
    NotSignedIn,
    Storage(StorageError),
}

impl From<outbox::SaveError> for ApplicationFailed {
    fn from(err: outbox::SaveError) -> Self {
        match err {
            outbox::SaveError::NotSignedIn => ApplicationFailed::NotSignedIn,
            outbox::SaveError::Storage(err) => ApplicationFailed::Storage(err),
        }
    }
}

impl ApplicationFailed {
    /// Whether it concerns the evidence field (shown next to it).
    pub fn is_about_evidence(&self) -> bool {
        matches!(
            self,
            ApplicationFailed::EvidenceMissing | ApplicationFailed::EvidenceTooLong
        )
    }
}

impl From<StorageError> for ApplicationFailed {
    fn from(err: StorageError) -> Self {
        ApplicationFailed::Storage(err)
    }
}

impl Bilingual for ApplicationFailed {
    fn text(&self) -> Text {
        match self {
            ApplicationFailed::EvidenceMissing => Text::new(
                "请填写医院诊断证明（名称与编号）",
                "Enter the hospital's diagnosis document (name and number)",
            ),
            ApplicationFailed::EvidenceTooLong => Text::new(
                format!("诊断证明最多{MAX_EVIDENCE}个字"),
                format!("At most {MAX_EVIDENCE} characters"),
            ),
            ApplicationFailed::AlreadyPending(c) => {
                let c = c.text();
                Text::new(
                    format!("{}的认定申请已提交，待乡镇审核", c.zh),
                    format!(
                        "An application for {} is already awaiting the township",
                        c.en
                    ),
                )
            }
            ApplicationFailed::AlreadyQualified(c) => {
                let c = c.text();
                Text::new(
                    format!("已有有效的{}认定", c.zh),
                    format!(
                        "The person already holds a valid qualification for {}",
                        c.en
                    ),
                )
            }
            ApplicationFailed::NotFound => ChangeFailed::NotFound.text(),
            ApplicationFailed::NotEnrolledFor(year) => Text::new(
                format!("本人{year}年度未在本卫生室参保，不能申请认定"),
                format!("The person is not enrolled here for {year} and cannot apply here"),
            ),
            ApplicationFailed::NotSignedIn => outbox::SaveError::NotSignedIn.text(),
            ApplicationFailed::Storage(err) => err.text(),
        }
    }
}

/// The person's qualifications on this tablet, oldest application first. An application
/// filed here that the server refused never reached the township: it is left out (the sync
/// screen lists it with the reason), and may be filed again.
pub async fn qualifications_of(
    store: &impl Store,
    person: &str,
) -> Result<Vec<Qualification>, StorageError> {
    let held = Notice::qualifications_of(store, person).await?;
    let pending = |q: &Qualification| q.status == QualificationStatus::Pending;
    if !held.iter().any(pending) {
        return Ok(held);
    }
    let refused: HashSet<String> = outbox::rejected(store)
        .await?
        .into_iter()
        .map(|e| e.mutation.record_id)
        .collect();
    Ok(held
        .into_iter()
        .filter(|q| !(pending(q) && refused.contains(&q.id)))
        .collect())
}

/// The evidence as it will be sent: trimmed, present, not too long, no control characters.
pub fn check_evidence(text: &str) -> Result<String, ApplicationFailed> {
    let text: String = text.trim().chars().filter(|c| !c.is_control()).collect();
    match text.chars().count() {
        0 => Err(ApplicationFailed::EvidenceMissing),
        n if n > MAX_EVIDENCE => Err(ApplicationFailed::EvidenceTooLong),
        _ => Ok(text),
    }
}

/// Files an application for the person of `enrolment_id` (申请慢特病认定): kept here as
/// pending and queued for the server, in one durable transaction.
pub async fn apply(
    store: &impl Store,
    enrolment_id: &str,
    condition: ChronicCondition,
    evidence: &str,
    today: NaiveDate,
    maker: Maker,
) -> Result<Qualification, ApplicationFailed> {
    let evidence = check_evidence(evidence)?;
    let who = outbox::signed_in(store).await?;
    let record = standing(store, enrolment_id).await.map_err(|e| match e {
        ChangeFailed::Storage(err) => ApplicationFailed::Storage(err),
        ChangeFailed::NotSignedIn => ApplicationFailed::NotSignedIn,
        _ => ApplicationFailed::NotFound,
    })?;
    if record.scheme_year != today.year() {
        return Err(ApplicationFailed::NotEnrolledFor(today.year()));
    }
    let person = record.member.id_number;
    let held = qualifications_of(store, person.as_str()).await?;
    let same = held.iter().filter(|q| q.condition == condition);
    for q in same {
        if q.status == QualificationStatus::Pending {
            return Err(ApplicationFailed::AlreadyPending(condition));
        }
        if q.covers(condition, today) {
            return Err(ApplicationFailed::AlreadyQualified(condition));
        }
    }
    let application = Qualification {
        id: maker.new_id.clone(),
        person: person.clone(),
        condition,
        evidence: evidence.clone(),
        applied_on: today,
        clinic_id: maker.clinic_id,
        status: QualificationStatus::Pending,
        valid_from: None,
        valid_to: None,
        decided_by: None,
        note: None,
    };
    let (key, value) = Notice::qualification(&application);
    let mut batch = Batch::default();
    batch.put(StoreName::Notices, &key, &value)?;
    let body = MutationBody::QualificationApplication {
        person,
        condition,
        evidence,
        applied_on: today,
    };
    outbox::commit_with_entries(store, &who, batch, vec![(maker.new_id, body)], maker.now_ms)
        .await?;
    Ok(application)
}

#[cfg(test)]
mod tests;
