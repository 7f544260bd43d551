//! The scriptable quote: a JSON scenario in, the settlement breakdown out. The `quote`
//! command (`cunbao-server quote`) and `POST /api/v1/quote` are thin shells around [`quote`].

use crate::text::{Bilingual, Text};
use serde::{Deserialize, Serialize};

use crate::policy::{BenefitKind, Policy, PolicyError};
use crate::settlement::{
    settle, Accumulators, BenefitParams, LineInput, Settlement, SettlementError,
};

/// Either a shipped `policy` version with a `benefit`, or explicit `params`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct QuoteScenario {
    #[serde(default)]
    pub policy: Option<String>,
    #[serde(default)]
    pub benefit: Option<BenefitKind>,
    #[serde(default)]
    pub params: Option<BenefitParams>,
    #[serde(default)]
    pub accumulators: Accumulators,
    pub lines: Vec<LineInput>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuoteOutput {
    /// The policy version the figures come from, if a policy was named.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub policy: Option<String>,
    pub params: BenefitParams,
    pub settlement: Settlement,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuoteError {
    Json(String),
    Parameters,
    UnknownPolicy(String),
    Policy(PolicyError),
    Settlement(SettlementError),
}

impl From<PolicyError> for QuoteError {
    fn from(e: PolicyError) -> QuoteError {
        QuoteError::Policy(e)
    }
}

impl From<SettlementError> for QuoteError {
    fn from(e: SettlementError) -> QuoteError {
        QuoteError::Settlement(e)
    }
}

impl Bilingual for QuoteError {
    fn text(&self) -> Text {
        match self {
            QuoteError::Json(why) => Text::new(
                format!("场景不是有效的 JSON：{why}"),
                format!("the scenario is not valid: {why}"),
            ),
            QuoteError::Parameters => Text::new(
                "请给出 policy 与 benefit，或 params（二选一）",
                "give either policy with benefit, or params",
            ),
            QuoteError::UnknownPolicy(v) => Text::new(
                format!("未知的政策版本“{v}”"),
                format!("unknown policy version {v:?}"),
            ),
            QuoteError::Policy(e) => e.text(),
            QuoteError::Settlement(e) => e.text(),
        }
    }
}

crate::bilingual_error!(QuoteError);

pub fn quote(scenario: &QuoteScenario) -> Result<QuoteOutput, QuoteError> {
    let (policy, params) = match (&scenario.policy, scenario.benefit, &scenario.params) {
        (Some(version), Some(kind), None) => {
            let policy = Policy::shipped(version)
                .ok_or_else(|| QuoteError::UnknownPolicy(version.clone()))?;
            let params = BenefitParams::from(policy.benefit(kind)?);
            (Some(policy.version), params)
        }
        (None, None, Some(params)) => (None, params.clone()),
        _ => return Err(QuoteError::Parameters),
    };
    let settlement = settle(&params, scenario.accumulators, &scenario.lines)?;
    Ok(QuoteOutput {
        policy,
        params,
        settlement,
    })
}

/// Parses a scenario from JSON text and quotes it.
pub fn quote_json(json: &str) -> Result<QuoteOutput, QuoteError> {
    let scenario: QuoteScenario =
        serde_json::from_str(json).map_err(|e| QuoteError::Json(e.to_string()))?;
    quote(&scenario)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Money;

    const EXAMPLE: &str = include_str!("../data/quote-example.json");

    #[test]
    fn the_documented_example_quotes_the_worked_example() {
        let out = quote_json(EXAMPLE).unwrap();
        assert_eq!(out.policy.as_deref(), Some("county-sample-2025.1"));
        assert_eq!(out.settlement.total, Money::parse("114.60").unwrap());
        assert_eq!(out.settlement.fund, Money::parse("6.00").unwrap());
        assert_eq!(out.settlement.patient, Money::parse("108.60").unwrap());
    }

    #[test]
    fn explicit_parameters_give_the_same_answer() {
        let mut scenario: QuoteScenario = serde_json::from_str(EXAMPLE).unwrap();
        let by_policy = quote(&scenario).unwrap();
        scenario.policy = None;
        scenario.benefit = None;
        scenario.params = Some(by_policy.params.clone());
        assert_eq!(quote(&scenario).unwrap().settlement, by_policy.settlement);
    }

    #[test]
    fn prices_to_six_decimals_and_quantities_to_four() {
        let scenario = r#"{"params": {"deductible": "0", "ratio": "0.5", "annual_cap": "2000"},
            "lines": [
              {"class": "A", "price": "0.2083", "quantity": "30"},
              {"class": "A", "price": "0.0025", "quantity": "2"},
              {"class": "B", "price": "0.208333", "quantity": "3.0000",
               "payment_standard": "0.2", "first_self_pay_ratio": "0.1"}
            ]}"#;
        let s = quote_json(scenario).unwrap().settlement;
        let amounts: Vec<String> = s.lines.iter().map(|l| l.amount.to_string()).collect();
        assert_eq!(amounts, ["6.25", "0.01", "0.62"]);
        assert_eq!(s.lines[2].self_pay_full.to_string(), "0.02");
        assert_eq!(s.total.to_string(), "6.88");
        let seven = scenario.replace("\"0.0025\"", "\"0.0000025\"");
        let err = quote_json(&seven).unwrap_err();
        assert!(err.text().zh.contains("单价最多六位小数"), "{err}");
        let five = scenario.replace("\"30\"", "\"0.00001\"");
        assert!(quote_json(&five)
            .unwrap_err()
            .text()
            .zh
            .contains("数量最多四位小数"));
    }

    #[test]
    fn bad_scenarios_are_refused_clearly() {
        assert!(matches!(quote_json("{"), Err(QuoteError::Json(_))));
        assert!(matches!(
            quote_json(r#"{"lines": []}"#),
            Err(QuoteError::Parameters)
        ));
        let unknown = EXAMPLE.replace("county-sample-2025.1", "nope");
        assert_eq!(
            quote_json(&unknown),
            Err(QuoteError::UnknownPolicy("nope".into()))
        );
        let float = EXAMPLE.replace("\"12.50\"", "12.5");
        assert!(
            matches!(quote_json(&float), Err(QuoteError::Json(_))),
            "money must be a string"
        );
        let typo = EXAMPLE.replace("\"quantity\"", "\"qty\"");
        assert!(matches!(quote_json(&typo), Err(QuoteError::Json(_))));
    }
}
