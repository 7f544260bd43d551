//! What a push locks for each mutation, and what its audit entry says about it.

use cunbao_domain::sync::{Mutation, MutationBody, MutationResult};
use serde_json::{json, Value};

/// The lock keys of a mutation ([`crate::write_tx::Tx::lock_keys`]): the record it creates
/// or changes, and the person whose figures it reads and raises. Two writers touching the
/// same record or person run one after the other, on any server process.
pub fn lock_keys(m: &Mutation) -> Vec<String> {
    let record = |id: &str| format!("record:{id}");
    let person = |id: &str| format!("person:{id}");
    let mut keys = vec![record(&m.record_id)];
    match &m.body {
        MutationBody::Enrolment { member, .. } => keys.push(person(member.id_number.as_str())),
        MutationBody::Contribution { enrolment_ids, .. } => {
            keys.extend(enrolment_ids.iter().map(|id| record(id)))
        }
        MutationBody::Claim(claim) => keys.push(person(claim.person.as_str())),
        MutationBody::Void {
            target_record_id, ..
        } => keys.push(record(target_record_id)),
        MutationBody::StopCover { enrolment_id, .. }
        | MutationBody::Correction { enrolment_id, .. } => keys.push(record(enrolment_id)),
        MutationBody::RefundProposal {
            contribution_id, ..
        } => keys.push(record(contribution_id)),
        MutationBody::QualificationApplication { person: p, .. } => keys.push(person(p.as_str())),
        MutationBody::VoidProposal { claim_id, .. } => keys.push(record(claim_id)),
    }
    keys
}

/// The audit entry's detail for an applied or refused mutation: its place in the device's
/// sequence, the answer, and what it was about — amounts, targets, reasons (the person by
/// masked ID number; the record holds the rest) — and who made it on the tablet: the operator
/// it names (the entry's user is the pusher, the device's user), or the pusher standing in for
/// a mutation sent without one, marked `operator_from: pusher`.
pub fn audit_detail(
    seq: i64,
    m: Option<&Mutation>,
    result: &MutationResult,
    pusher: &str,
) -> Value {
    let mut detail = json!({ "seq": seq, "status": result.status });
    if let Some(code) = &result.code {
        detail["code"] = json!(code);
    }
    if let Some(m) = m {
        match &m.operator {
            Some(operator) => detail["operator"] = json!(operator.username),
            None => {
                detail["operator"] = json!(pusher);
                detail["operator_from"] = json!("pusher");
            }
        }
        detail["about"] = about(&m.body);
    }
    detail
}

fn about(body: &MutationBody) -> Value {
    match body {
        MutationBody::Enrolment {
            household_id,
            member,
            scheme_year,
            ..
        } => json!({
            "person": member.id_number.masked(),
            "household": household_id,
            "scheme_year": scheme_year,
        }),
        MutationBody::Contribution {
            receipt_no,
            enrolment_ids,
            amount,
            collected_on,
            ..
        } => json!({
            "receipt_no": receipt_no,
            "enrolments": enrolment_ids,
            "amount": amount,
            "collected_on": collected_on,
        }),
        MutationBody::Claim(claim) => json!({
            "person": claim.person.masked(),
            "visit_date": claim.visit_date,
            "total": claim.settlement.total,
            "fund_claimed": claim.settlement.fund,
            "patient": claim.settlement.patient,
        }),
        MutationBody::Void {
            target_record_id,
            reason,
        } => json!({ "target": target_record_id, "reason": reason }),
        MutationBody::StopCover {
            enrolment_id,
            from,
            reason,
        } => json!({ "enrolment": enrolment_id, "from": from, "reason": reason }),
        MutationBody::Correction { enrolment_id, .. } => json!({ "enrolment": enrolment_id }),
        MutationBody::RefundProposal {
            contribution_id,
            reason,
        } => json!({ "contribution": contribution_id, "reason": reason }),
        MutationBody::VoidProposal { claim_id, reason } => {
            json!({ "claim": claim_id, "reason": reason })
        }
        MutationBody::QualificationApplication {
            person,
            condition,
            applied_on,
            ..
        } => json!({
            "person": person.masked(),
            "condition": condition,
            "applied_on": applied_on,
        }),
    }
}
