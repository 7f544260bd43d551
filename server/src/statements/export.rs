//! Statements as CSV for the township's spreadsheets: one summary row per clinic and month, and
//! one row per claim of a statement. Headers and statuses in Chinese words, no internal codes.

use cunbao_domain::claim::ClaimStatus;
use cunbao_domain::statement::{Statement, StatementState, StatementSummary};

use crate::csv::{text, Csv};

/// A claim's status in words, as the clinic's screens say it.
pub fn claim_status_zh(status: ClaimStatus) -> &'static str {
    match status {
        ClaimStatus::Settled => "已结算",
        ClaimStatus::Flagged => "待审核",
        ClaimStatus::PendingReview => "待审批（超出离线限额）",
        ClaimStatus::Approved => "审核通过",
        ClaimStatus::Rejected => "审核未通过",
        ClaimStatus::Voided => "已作废",
    }
}

pub fn state_zh(state: StatementState) -> &'static str {
    match state {
        StatementState::Draft => "草稿（未出具）",
        StatementState::Issued => "已出具",
        StatementState::Paid => "已付款",
    }
}

pub const SUMMARY_HEADER: [&str; 17] = [
    "卫生室",
    "月份",
    "状态",
    "结算笔数",
    "医疗费用合计",
    "统筹应付",
    "审核未通过笔数",
    "待审批笔数",
    "调整金额",
    "收费笔数",
    "收费金额",
    "退费金额",
    "已解缴",
    "应付净额",
    "出具时间",
    "付款日期",
    "付款凭证号",
];

/// One row per clinic: the month's totals.
pub fn summary(statements: &[StatementSummary]) -> Csv {
    let mut csv = Csv::new();
    csv.row(SUMMARY_HEADER);
    for s in statements {
        let t = &s.totals;
        csv.row([
            text(&s.clinic_name),
            s.month.clone(),
            state_zh(s.state).to_string(),
            t.claims.to_string(),
            t.claims_total.to_string(),
            t.fund_payable.to_string(),
            t.rejected.to_string(),
            t.waiting_review.to_string(),
            t.adjustments.to_string(),
            t.receipts.to_string(),
            t.receipts_total.to_string(),
            t.refunds_total.to_string(),
            t.cash_handed_in.to_string(),
            t.net_payable.to_string(),
            s.issued_at.clone().unwrap_or_default(),
            s.paid_on.map(|d| d.to_string()).unwrap_or_default(),
            text(s.payment_reference.as_deref().unwrap_or_default()),
        ]);
    }
    csv
}

pub const LINES_HEADER: [&str; 10] = [
    "卫生室",
    "月份",
    "就诊日期",
    "就诊记录号",
    "参保人身份证号",
    "状态",
    "医疗费用",
    "统筹支付",
    "本单应付",
    "类别",
];

/// One row per claim of the statement; the 本单应付 column sums to the fund payable and the
/// adjustments.
pub fn lines(statement: &Statement) -> Csv {
    let mut csv = Csv::new();
    csv.row(LINES_HEADER);
    for line in &statement.lines {
        csv.row([
            text(&statement.clinic_name),
            statement.month.clone(),
            line.visit_date.to_string(),
            text(&line.claim_id),
            text(&line.person),
            claim_status_zh(line.status).to_string(),
            line.total.to_string(),
            line.fund.to_string(),
            line.payable.to_string(),
            if line.finding {
                "结果质检扣减"
            } else if line.carried {
                "以前月份调整"
            } else {
                "本月结算"
            }
            .to_string(),
        ]);
    }
    csv
}
