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

    /// The figures of a claim the server has just settled, from the values it settled with:
    /// what [`ClaimFigures::of`] reads back from the record written of them (no decision yet),
    /// without reading the record's text again.
    pub fn of_settled(
        visit_date: chrono::NaiveDate,
        fund: cunbao_domain::money::Money,
        benefit: &cunbao_domain::policy::BenefitKind,
        hits: &[cunbao_domain::risk::RuleHit],
    ) -> Result<ClaimFigures, serde_json::Error> {
        let mut rules = Vec::with_capacity(hits.len());
        for hit in hits {
            if let Value::String(name) = serde_json::to_value(hit.rule)? {
                rules.push(name);
            }
        }
        Ok(ClaimFigures {
            visit_month: Some(visit_date.format("%Y-%m").to_string()),
            // As a JSON value writes it (keys in order), as `of` does.
            benefit: Some(serde_json::to_value(benefit)?.to_string()),
            fund_fen: Some(fund.fen()),
            rules: Some(rules.join(",")),
            reject_reason: None,
        })
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

#[cfg(test)]
mod tests {
    use super::*;
    use cunbao_domain::money::Money;
    use cunbao_domain::policy::{BenefitKind, ChronicCondition};
    use cunbao_domain::risk::{RuleHit, RuleId, Severity};
    use serde_json::json;

    fn hit(rule: RuleId) -> RuleHit {
        RuleHit {
            rule,
            severity: Severity::Flag,
            line: Some(1),
            message_zh: "提示".into(),
            message_en: "note".into(),
        }
    }

    /// The figures of a claim just settled are those read back from the record written of it.
    #[test]
    fn the_figures_of_a_settled_claim_are_those_read_from_its_record() {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 3, 9).unwrap();
        let benefits = [
            BenefitKind::GeneralOutpatient,
            BenefitKind::ChronicOutpatient {
                condition: ChronicCondition::Diabetes,
            },
        ];
        let hit_sets = [
            vec![],
            vec![
                hit(RuleId::PriceAboveCatalogue),
                hit(RuleId::VisitsPerMonth),
            ],
        ];
        for benefit in &benefits {
            for hits in &hit_sets {
                for fund in ["0.00", "12.34", "1234.50"] {
                    let fund = Money::parse(fund).unwrap();
                    let data = json!({
                        "visit_date": date,
                        "server_benefit": benefit,
                        "server_settlement": { "fund": fund, "total": fund },
                        "server_rule_hits": hits,
                    })
                    .to_string();
                    let settled = ClaimFigures::of_settled(date, fund, benefit, hits).unwrap();
                    assert_eq!(settled, ClaimFigures::of(&data), "{data}");
                    assert!(settled.fund_fen.is_some() && settled.benefit.is_some());
                }
            }
        }
    }
}
