//! Household enrolment at the desk: the form as typed (kept across reloads), checked field by
//! field with the domain's rules, then saved durably as enrolments + one contribution with a
//! numbered receipt, and queued for upload.

use chrono::NaiveDate;
use cunbao_domain::enrolment::{
    check_not_enrolled, coverage, household_contribution, pending_documents_deadline, Coverage,
    EnrolmentError, Evidence, HouseholdContribution, Member, Relationship, SubsidyCategory,
};
use cunbao_domain::id_number::IdNumber;
use cunbao_domain::money::Money;
use cunbao_domain::names::{PersonName, Phone};
use cunbao_domain::policy::Policy;
use cunbao_domain::sync::MutationBody;
use cunbao_domain::text::{Bilingual, Text};
use serde::{Deserialize, Serialize};

use super::local;
use super::residents::{EnrolmentRecord, PendingDocument, ResidentIndex};
use crate::i18n::option_value;
use crate::storage::{Batch, IndexName, StorageError, Store, StoreName};
use crate::sync::outbox;

/// One member as typed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberDraft {
    pub id_number: String,
    pub name: String,
    /// `Relationship` in snake_case ("head", "spouse", …).
    pub relationship: String,
    pub phone: String,
    /// `SubsidyCategory` in snake_case, or empty for none.
    pub subsidy: String,
    pub evidence_number: String,
    pub disability_grade: String,
    /// A non-essential paper not brought today (容缺受理), or empty.
    pub missing_document: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct HouseholdDraft {
    /// Adding members to a household already known, or empty for a new household.
    pub household_id: String,
    pub members: Vec<MemberDraft>,
}

/// Which field of which member is wrong, and why ("中文 / English").
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub member: usize,
    pub field: &'static str,
    pub message: Text,
    /// For a duplicate: the enrolment that stands (the screen links to it).
    pub existing: Option<String>,
}

/// The household checked and priced, ready to save.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub members: Vec<Member>,
    /// Each member's coverage: a lapse within the policy's allowance since the cover of the
    /// year before keeps it continuous (back-payment, no waiting period).
    pub coverages: Vec<Coverage>,
    pub pending: Vec<Option<String>>,
    pub contribution: HouseholdContribution,
}

fn parse_enum<T: for<'de> Deserialize<'de>>(text: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(text.to_string())).ok()
}

/// Checks one member's fields; the ID number first (it fills birth date and sex).
pub fn check_member(draft: &MemberDraft, index: usize) -> Result<Member, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut err = |field: &'static str, message: Text| {
        errors.push(FieldError {
            member: index,
            field,
            message,
            existing: None,
        })
    };
    let id = IdNumber::parse(draft.id_number.trim()).map_err(|e| err("id_number", e.text()));
    let name = PersonName::parse(draft.name.trim()).map_err(|e| err("name", e.text()));
    let relationship = parse_enum::<Relationship>(&draft.relationship);
    if relationship.is_none() {
        err(
            "relationship",
            Text::new("请选择与户主关系", "Choose the relationship to the head"),
        );
    }
    let phone = match draft.phone.trim() {
        "" => Ok(None),
        text => Phone::parse(text)
            .map(Some)
            .map_err(|e| err("phone", e.text())),
    };
    let subsidy = match draft.subsidy.as_str() {
        "" => Ok(None),
        text => parse_enum::<SubsidyCategory>(text)
            .map(Some)
            .ok_or_else(|| {
                err(
                    "subsidy",
                    Text::new("资助类别无效", "Unknown subsidy category"),
                )
            }),
    };
    let grade = match draft.disability_grade.trim() {
        "" => Ok(None),
        text => match text.parse::<u8>() {
            Ok(g @ 1..=4) => Ok(Some(g)),
            _ => {
                err(
                    "disability_grade",
                    Text::new("残疾等级应为1–4", "The disability grade is 1–4"),
                );
                Err(())
            }
        },
    };
    let (Ok(id), Ok(name), Some(relationship), Ok(phone), Ok(subsidy), Ok(grade)) =
        (id, name, relationship, phone, subsidy, grade)
    else {
        return Err(errors);
    };
    let evidence = subsidy.map(|category: SubsidyCategory| Evidence {
        kind: category.evidence(),
        number: draft.evidence_number.trim().to_string(),
        disability_grade: grade,
    });
    Ok(Member {
        id_number: id,
        name,
        relationship,
        phone,
        subsidy,
        evidence,
    })
}

/// Checks the whole household against the policy and what the tablet knows: every field,
/// one head, subsidy evidence, enrolment window, no duplicate enrolment.
/// The domain's household checks, next to the fields they are about: a new household has
/// exactly one head (the error on the relationship of the first member, or of each extra
/// head), and no ID number twice (on the later one).
fn household_checks(draft: &HouseholdDraft, errors: &mut Vec<FieldError>) {
    let at = |member, field, message: Text| FieldError {
        member,
        field,
        message,
        existing: None,
    };
    let head = option_value(Relationship::Head);
    if draft.household_id.is_empty() && !draft.members.is_empty() {
        let heads: Vec<usize> = (0..draft.members.len())
            .filter(|&i| draft.members[i].relationship == head)
            .collect();
        let message = EnrolmentError::HouseholdHead.text();
        match heads.as_slice() {
            [] => errors.push(at(0, "relationship", message)),
            [_] => {}
            [_, extra @ ..] => {
                for &i in extra {
                    errors.push(at(i, "relationship", message.clone()));
                }
            }
        }
    }
    let typed = |m: &MemberDraft| m.id_number.trim().to_uppercase();
    for (i, m) in draft.members.iter().enumerate() {
        let id = typed(m);
        if !id.is_empty() && draft.members[..i].iter().any(|o| typed(o) == id) {
            let shown = IdNumber::parse(&id).map(|n| n.masked()).unwrap_or(id);
            errors.push(at(
                i,
                "id_number",
                EnrolmentError::RepeatedMember(shown).text(),
            ));
        }
    }
}

pub fn plan(
    draft: &HouseholdDraft,
    policy: &Policy,
    known: &ResidentIndex,
    today: NaiveDate,
) -> Result<Plan, Vec<FieldError>> {
    let mut errors = Vec::new();
    let mut members = Vec::new();
    for (i, m) in draft.members.iter().enumerate() {
        match check_member(m, i) {
            Ok(member) => members.push(member),
            Err(mut e) => errors.append(&mut e),
        }
    }
    if draft.members.is_empty() {
        errors.push(FieldError {
            member: 0,
            field: "household",
            message: Text::new("请至少登记一名成员", "Add at least one member"),
            existing: None,
        });
    }
    household_checks(draft, &mut errors);
    if !errors.is_empty() {
        return Err(errors);
    }
    let known_list = known.known_enrolments();
    let mut coverages = Vec::new();
    for (i, member) in members.iter().enumerate() {
        let at = |field, message: Text| FieldError {
            member: i,
            field,
            message,
            existing: None,
        };
        if let Err(e) = check_not_enrolled(known_list, &member.id_number, policy.scheme_year) {
            let existing = match &e {
                cunbao_domain::enrolment::EnrolmentError::Duplicate { existing, .. } => {
                    Some(existing.clone())
                }
                _ => None,
            };
            errors.push(FieldError {
                existing,
                ..at("id_number", e.text())
            });
        }
        let prior = known.cover_to(member.id_number.as_str(), policy.scheme_year - 1);
        match coverage(policy, member.id_number.birth_date(), today, prior) {
            Ok(cover) => coverages.push(cover),
            Err(e) => errors.push(at("id_number", e.text())),
        }
        if let Err(e) = cunbao_domain::enrolment::member_contribution(policy, member) {
            errors.push(at("evidence_number", e.text()));
        }
    }
    // A new household needs its head; members added to a known one do not.
    let adding = !draft.household_id.is_empty();
    let priced = if adding {
        members
            .iter()
            .map(|m| cunbao_domain::enrolment::member_contribution(policy, m))
            .collect::<Result<Vec<_>, _>>()
            .map(|members| HouseholdContribution {
                total_due: members.iter().map(|m| m.due).sum(),
                members,
            })
    } else {
        household_contribution(policy, &members)
    };
    let contribution = match priced {
        Ok(c) => c,
        Err(e) => {
            if errors.is_empty() {
                errors.push(FieldError {
                    member: 0,
                    field: "household",
                    message: e.text(),
                    existing: None,
                });
            }
            return Err(errors);
        }
    };
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(Plan {
        members,
        coverages,
        pending: draft
            .members
            .iter()
            .map(|m| Some(m.missing_document.trim().to_string()).filter(|s| !s.is_empty()))
            .collect(),
        contribution,
    })
}

/// The printed receipt (收费凭证): payer, members covered, amount, collector, time.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Receipt {
    pub receipt_no: String,
    pub contribution_id: String,
    pub household_id: String,
    pub payer: String,
    pub members: Vec<ReceiptLine>,
    pub total: Money,
    pub collector: String,
    pub collected_on: NaiveDate,
    pub collected_at_ms: u64,
    pub scheme_year: i32,
    pub policy_version: String,
    /// A refund of it proposed (退费申请), awaiting the township.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund: Option<cunbao_domain::sync::ProposedRefund>,
    /// The township's decision on its refund, once pulled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refund_decided: Option<cunbao_domain::second_person::ProposalDecided>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReceiptLine {
    pub enrolment_id: String,
    pub name: String,
    pub id_masked: String,
    pub gross: Money,
    pub subsidy: Money,
    pub due: Money,
    #[serde(default)]
    pub subsidy_category: Option<SubsidyCategory>,
}

/// Everything one save needs besides the plan.
pub struct SaveContext<'a> {
    pub policy: &'a Policy,
    pub today: NaiveDate,
    pub now_ms: u64,
    pub receipt_no: String,
    /// Fresh ids: the household (if new), one per member, and the contribution.
    pub new_id: &'a mut dyn FnMut() -> String,
    /// The form's draft (see `local::save_draft`), removed in the same transaction.
    pub draft: Option<&'a str>,
}

/// Saves the household: the enrolments, the receipt, their outbox entries (what reaches the
/// township) and the removal of the form's draft, in one strict-durability transaction. Only
/// after this returns is the receipt shown. The collector is the signed-in user; with nobody
/// signed in, nothing is saved.
pub async fn save(
    store: &impl Store,
    draft: &HouseholdDraft,
    plan: &Plan,
    ctx: SaveContext<'_>,
) -> Result<Receipt, outbox::SaveError> {
    let who = outbox::signed_in(store).await?;
    let household_id = if draft.household_id.is_empty() {
        (ctx.new_id)()
    } else {
        draft.household_id.clone()
    };
    let mut batch = Batch::default();
    let mut mutations = Vec::new();
    let mut lines = Vec::new();
    for (((member, due), pending), cover) in plan
        .members
        .iter()
        .zip(&plan.contribution.members)
        .zip(&plan.pending)
        .zip(&plan.coverages)
    {
        let enrolment_id = (ctx.new_id)();
        let record = EnrolmentRecord {
            household_id: household_id.clone(),
            member: member.clone(),
            scheme_year: ctx.policy.scheme_year,
            enrolled_on: ctx.today,
            policy_version: ctx.policy.version.clone(),
            coverage: Some(*cover),
            duplicate_of: None,
            pending_document: pending.as_ref().map(|missing| PendingDocument {
                missing: missing.clone(),
                deadline: pending_documents_deadline(ctx.policy, ctx.today),
            }),
            receipt_no: Some(ctx.receipt_no.clone()),
            stopped: None,
            corrections: Vec::new(),
        };
        mutations.push((
            enrolment_id.clone(),
            MutationBody::Enrolment {
                household_id: household_id.clone(),
                member: member.clone(),
                scheme_year: ctx.policy.scheme_year,
                enrolled_on: ctx.today,
                policy_version: ctx.policy.version.clone(),
            },
        ));
        lines.push(ReceiptLine {
            enrolment_id: enrolment_id.clone(),
            name: member.name.to_string(),
            id_masked: member.id_number.masked(),
            gross: due.gross,
            subsidy: due.subsidy,
            due: due.due,
            subsidy_category: member.subsidy,
        });
        batch.put(StoreName::Enrolments, &enrolment_id, &record)?;
    }
    let contribution_id = (ctx.new_id)();
    mutations.push((
        contribution_id.clone(),
        MutationBody::Contribution {
            receipt_no: ctx.receipt_no.clone(),
            household_id: household_id.clone(),
            enrolment_ids: lines.iter().map(|l| l.enrolment_id.clone()).collect(),
            amount: plan.contribution.total_due,
            collected_on: ctx.today,
        },
    ));
    let payer = plan
        .members
        .iter()
        .find(|m| m.relationship == Relationship::Head)
        .or(plan.members.first())
        .map(|m| m.name.to_string())
        .unwrap_or_default();
    let receipt = Receipt {
        receipt_no: ctx.receipt_no.clone(),
        contribution_id: contribution_id.clone(),
        household_id,
        payer,
        members: lines,
        total: plan.contribution.total_due,
        collector: who.display_name().to_string(),
        collected_on: ctx.today,
        collected_at_ms: ctx.now_ms,
        scheme_year: ctx.policy.scheme_year,
        policy_version: ctx.policy.version.clone(),
        refund: None,
        refund_decided: None,
    };
    batch.put(StoreName::Contributions, &contribution_id, &receipt)?;
    if let Some(name) = ctx.draft {
        batch.delete(StoreName::Meta, &local::draft_key(name));
    }
    outbox::commit_with_entries(store, &who, batch, mutations, ctx.now_ms).await?;
    Ok(receipt)
}

/// The receipts of this device (contributions collected here) of one day, newest first.
pub async fn receipts_on(store: &impl Store, day: NaiveDate) -> Result<Vec<Receipt>, StorageError> {
    receipts_in(store, IndexName::ReceiptsByDate, &day.to_string()).await
}

pub async fn receipt(
    store: &impl Store,
    receipt_no: &str,
) -> Result<Option<Receipt>, StorageError> {
    Ok(receipts_in(store, IndexName::ReceiptsByNumber, receipt_no)
        .await?
        .into_iter()
        .next())
}

async fn receipts_in(
    store: &impl Store,
    index: IndexName,
    value: &str,
) -> Result<Vec<Receipt>, StorageError> {
    let mut list: Vec<Receipt> = store.all_in_as(index, value).await?;
    crate::sort::sort_by_key(&mut list, |r| std::cmp::Reverse(r.collected_at_ms));
    Ok(list)
}

#[cfg(test)]
mod tests;
