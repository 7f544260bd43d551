//! The figures the dashboard counts of a claim, kept in columns beside its data and read from
//! the data whenever a record is written.

use serde_json::Value;

/// What the dashboard counts of a claim, kept in columns beside its data (none of it for
/// other records): read from the claim's data whenever it is written.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ClaimFigures {
    pub visit_month: Option<String>,
    pub benefit: Option<String>,
    pub fund_fen: Option<i64>,
    pub rules: Option<String>,
    pub reject_reason: Option<String>,
}

impl ClaimFigures {
    /// A claim's figures from its stored data (all none for data that is not a claim's, or
    /// that cannot be read).
    pub fn of(data: &str) -> ClaimFigures {
        let Ok(FigureFields {
            visit_date,
            server_settlement: Some(settlement),
            server_benefit,
            server_rule_hits,
            decision,
        }) = serde_json::from_str::<FigureFields>(data)
        else {
            return ClaimFigures::default();
        };
        let rules: Vec<&str> = server_rule_hits
            .iter()
            .filter_map(|h| h.rule.as_deref())
            .collect();
        ClaimFigures {
            visit_month: visit_date.and_then(|d| d.get(..7).map(str::to_string)),
            benefit: server_benefit.as_ref().map(Value::to_string),
            fund_fen: settlement
                .fund
                .and_then(|f| cunbao_domain::money::Money::parse(&f).ok())
                .map(|m| m.fen()),
            rules: Some(rules.join(",")),
            reject_reason: decision
                .as_ref()
                .and_then(|d| d["reason"]["code"].as_str())
                .map(str::to_string),
        }
    }
}

/// What [`ClaimFigures`] reads of a claim's data, the rest skipped.
#[derive(serde::Deserialize)]
struct FigureFields {
    visit_date: Option<String>,
    server_settlement: Option<SettlementFund>,
    server_benefit: Option<Value>,
    #[serde(default)]
    server_rule_hits: Vec<RuleName>,
    decision: Option<Value>,
}

#[derive(serde::Deserialize)]
struct SettlementFund {
    fund: Option<String>,
}

#[derive(serde::Deserialize)]
struct RuleName {
    rule: Option<String>,
}
