use serde_json::{json, Value};

use super::*;

const PERSON: &str = "11010519491231002X";

fn row(kind: &str, status: &str, data: Value) -> RecordRow {
    RecordRow {
        id: format!("{kind}-1"),
        kind: kind.into(),
        clinic_id: "c-1".into(),
        clinic_name: "李家村卫生室".into(),
        status: status.into(),
        created_at: "2025-03-01T08:00:00Z".into(),
        data,
    }
}

fn accumulators() -> Value {
    json!({ "deductible_met": "0", "fund_paid": "0" })
}

#[test]
fn lists_are_the_six_kinds_with_their_headings() {
    let listed: Vec<(&str, Key)> = LISTED.into_iter().map(|k| (k.as_str(), title(k))).collect();
    assert_eq!(
        listed,
        [
            ("claim", Key::Claims),
            ("adjustment", Key::Adjustments),
            ("refund_due", Key::RefundsDue),
            ("refund_proposal", Key::RefundProposals),
            ("qualification", Key::Qualifications),
            ("enrolment", Key::Enrolments),
        ]
    );
}

#[test]
fn a_refund_proposal_shows_receipt_amount_reason_and_awaiting_status() {
    let proposal = row(
        "refund_proposal",
        "awaiting_approval",
        json!({ "proposal_id": "p-1", "contribution_id": "c-1", "receipt_no": "RABC-000001",
                "amount": "390.00", "reason": "duplicate", "clinic_id": "c-1", "by": "王秀兰",
                "device_id": "d-1", "at": "2025-03-01T08:00:00Z" }),
    );
    let listed = ListedRow::new(Lang::Zh, RecordKind::RefundProposal, proposal);
    assert_eq!(listed.status, "退费待乡镇审批");
    assert_eq!(
        listed.summary,
        "凭证号 RABC-000001 · 金额 390.00 · 重复缴费"
    );
}

#[test]
fn claim_shows_visit_masked_person_and_fund() {
    let claim = row(
        "claim",
        "settled",
        json!({
            "visit_date": "2025-03-01",
            "person": PERSON,
            "server_settlement": { "fund": "42.5" },
        }),
    );
    let shown = ListedRow::new(Lang::En, RecordKind::Claim, claim.clone());
    assert_eq!(shown.summary, "2025-03-01 110105********002X · Fund 42.50");
    assert_eq!(shown.status, text(Lang::En, Key::StatusSettled));
    assert_eq!(shown.id, "claim-1");
    assert_eq!(shown.clinic_name, "李家村卫生室");
    assert_eq!(
        summary(Lang::Zh, &claim),
        "2025-03-01 110105********002X · 统筹支付 42.50"
    );
}

#[test]
fn adjustment_shows_both_fund_figures_and_the_difference() {
    let adjustment = row(
        "adjustment",
        "open",
        json!({
            "adjustment_id": "adj-1",
            "claim_id": "c-1",
            "clinic_id": "c-1",
            "visit_date": "2025-03-01",
            "person": "110105********002X",
            "device_fund": "50",
            "server_fund": "40",
            "difference": "-10.00",
            "device_accumulators": accumulators(),
            "server_accumulators": accumulators(),
        }),
    );
    let shown = ListedRow::new(Lang::En, RecordKind::Adjustment, adjustment);
    assert_eq!(shown.summary, "Fund 50.00 → 40.00 (-10.00)");
    assert_eq!(shown.status, text(Lang::En, Key::StatusOpen));
}

#[test]
fn refund_and_contribution_show_amounts() {
    let refund = row(
        "refund_due",
        "due",
        json!({
            "refund_id": "r-1",
            "contribution_id": "k-1",
            "enrolment_id": "e-1",
            "amount": "380",
            "clinic_id": "c-1",
        }),
    );
    assert_eq!(summary(Lang::En, &refund), "Amount 380.00");
    let contribution = row(
        "contribution",
        "recorded",
        json!({ "receipt_no": "R-7", "amount": "760", "collected_on": "2025-01-05" }),
    );
    assert_eq!(
        summary(Lang::Zh, &contribution),
        "2025-01-05 R-7 · 金额 760.00"
    );
}

#[test]
fn enrolment_shows_name_and_masked_id() {
    let enrolment = row(
        "enrolment",
        "active",
        json!({
            "household_id": "h-1",
            "member": { "id_number": PERSON, "name": "黄桂英", "relationship": "head" },
            "scheme_year": 2025,
            "enrolled_on": "2025-01-05",
            "policy_version": "2025.1",
            "coverage": {
                "basis": "on_time",
                "from": "2025-01-01",
                "to": "2025-12-31",
                "benefits_from": "2025-01-01",
            },
            "contribution": { "id_number": PERSON, "gross": "380", "subsidy": "0", "due": "380" },
            "clinic_id": "c-1",
        }),
    );
    assert_eq!(summary(Lang::En, &enrolment), "黄桂英 110105********002X");
}

#[test]
fn unknown_kind_or_shape_shows_nothing_and_status_other() {
    let odd = row("claim", "weird", json!({ "visit_date": "not a date" }));
    let shown = ListedRow::new(Lang::En, RecordKind::Claim, odd);
    assert_eq!(shown.summary, "");
    assert_eq!(shown.status, text(Lang::En, Key::StatusOther));
    assert_eq!(summary(Lang::En, &row("void", "void", json!({}))), "");
}

#[test]
fn a_qualification_shows_masked_person_condition_status_and_validity() {
    let data = |status: &str| {
        let mut q = json!({ "id": "q-1", "person": PERSON, "condition": "hypertension",
            "evidence": "县医院诊断证明 2025-118", "applied_on": "2025-03-01",
            "clinic_id": "c-1", "status": status });
        if status == "approved" {
            q["valid_from"] = json!("2025-01-01");
            q["valid_to"] = json!("2025-12-31");
        }
        q
    };
    let pending = ListedRow::new(
        Lang::Zh,
        RecordKind::Qualification,
        row("qualification", "pending", data("pending")),
    );
    assert_eq!(title(RecordKind::Qualification), Key::Qualifications);
    assert_eq!(text(Lang::Zh, Key::Qualifications), "慢特病认定");
    assert_eq!(pending.status, "待乡镇审核");
    assert_eq!(pending.summary, "110105********002X · 高血压 · 待乡镇审核");
    let approved = ListedRow::new(
        Lang::En,
        RecordKind::Qualification,
        row("qualification", "approved", data("approved")),
    );
    assert_eq!(approved.status, "approved");
    assert_eq!(
        approved.summary,
        "110105********002X · Hypertension · approved · Valid 2025-01-01 – 2025-12-31"
    );
}
