//! Outpatient settlement (门诊结算), exactly as PRODUCT.md §3.
//!
//! Per line, with amount = price × quantity: `self_pay_full` is the whole amount for
//! out-of-catalogue items, plus (price − payment standard) × quantity above the standard;
//! `self_pay_first` is the covered amount × the first self-pay ratio for class B; `in_policy`
//! is the rest. The first three are rounded half-up to the fen; `in_policy` is the difference
//! of the rounded figures. For the visit: the open deductible is taken from `in_policy` first;
//! fund = (in_policy − deductible taken) × ratio, rounded, then capped by the annual cap still
//! open and any per-visit cap; the patient pays the rest.

use crate::text::{Bilingual, Text};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::catalogue::{CatalogueItem, ItemClass};
use crate::money::{round_fen, Money};
use crate::policy::BenefitRule;
use crate::quantity::{Quantity, Ratio};
use crate::unit_price::UnitPrice;

/// What settlement needs of one dispensed or performed line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct LineInput {
    #[serde(default)]
    pub code: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    pub class: ItemClass,
    /// Per unit, as the catalogue has it (up to six decimals).
    pub price: UnitPrice,
    /// Up to four decimals.
    pub quantity: Quantity,
    #[serde(default)]
    pub payment_standard: Option<UnitPrice>,
    #[serde(default)]
    pub first_self_pay_ratio: Option<Ratio>,
}

impl LineInput {
    /// The line for `quantity` of a catalogue item at its catalogue price.
    pub fn from_item(item: &CatalogueItem, quantity: Quantity) -> LineInput {
        LineInput {
            code: Some(item.code.to_string()),
            name: Some(item.name.clone()),
            class: item.class,
            price: item.price,
            quantity,
            payment_standard: item.payment_standard,
            first_self_pay_ratio: item.first_self_pay_ratio,
        }
    }
}

/// The benefit parameters a visit is settled under.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct BenefitParams {
    pub deductible: Money,
    pub ratio: Ratio,
    pub annual_cap: Money,
    #[serde(default)]
    pub per_visit_cap: Option<Money>,
}

impl From<&BenefitRule> for BenefitParams {
    fn from(rule: &BenefitRule) -> BenefitParams {
        BenefitParams {
            deductible: rule.deductible,
            ratio: rule.ratio,
            annual_cap: rule.annual_cap,
            per_visit_cap: rule.per_visit_cap,
        }
    }
}

/// The person's year-to-date figures for one benefit (年度累计).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Accumulators {
    pub deductible_met: Money,
    pub fund_paid: Money,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineBreakdown {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub class: ItemClass,
    pub amount: Money,
    pub self_pay_full: Money,
    pub self_pay_first: Money,
    pub in_policy: Money,
}

/// Why the fund figure is lower than (in_policy − deductible) × ratio, if it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum CapApplied {
    None,
    AnnualCap,
    PerVisitCap,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Settlement {
    pub lines: Vec<LineBreakdown>,
    pub total: Money,
    pub self_pay_full: Money,
    pub self_pay_first: Money,
    pub in_policy: Money,
    pub deductible_open_before: Money,
    pub deductible_taken: Money,
    pub fund_before_cap: Money,
    pub annual_cap_open_before: Money,
    pub cap_applied: CapApplied,
    pub fund: Money,
    pub patient: Money,
    pub accumulators_before: Accumulators,
    pub accumulators_after: Accumulators,
}

impl Settlement {
    /// Whether the visit has a full self-pay part (out-of-catalogue lines, or prices above
    /// the payment standard): the patient must be told of it first (知情告知).
    pub fn has_self_pay(&self) -> bool {
        !self.self_pay_full.is_zero()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SettlementError {
    NoLines,
    MissingFirstSelfPayRatio { line: usize },
}

impl Bilingual for SettlementError {
    fn text(&self) -> Text {
        match self {
            SettlementError::NoLines => {
                Text::new("没有可结算的项目", "the visit has no lines to settle")
            }
            SettlementError::MissingFirstSelfPayRatio { line } => Text::new(
                format!("第{line}行是乙类，但没有先行自付比例"),
                format!("line {line} is class B but has no first self-pay ratio"),
            ),
        }
    }
}

crate::bilingual_error!(SettlementError);

/// One line's figures. Price and quantity are multiplied exactly (six and four decimals);
/// only the products are rounded to the fen — never the price, nor (price − standard) before
/// it is multiplied.
pub fn settle_line(line: &LineInput) -> LineBreakdown {
    let quantity = line.quantity.value();
    let amount = round_fen(line.price.value() * quantity);
    let self_pay_full = match line.class {
        ItemClass::SelfPay => amount,
        ItemClass::A | ItemClass::B => match line.payment_standard {
            Some(standard) if line.price > standard => {
                round_fen((line.price.value() - standard.value()) * quantity).min(amount)
            }
            _ => Decimal::ZERO,
        },
    };
    let covered = amount - self_pay_full;
    let self_pay_first = match (line.class, line.first_self_pay_ratio) {
        (ItemClass::B, Some(ratio)) => round_fen(covered * ratio.value()),
        _ => Decimal::ZERO,
    };
    LineBreakdown {
        code: line.code.clone(),
        name: line.name.clone(),
        class: line.class,
        amount: Money::round_half_up(amount),
        self_pay_full: Money::round_half_up(self_pay_full),
        self_pay_first: Money::round_half_up(self_pay_first),
        in_policy: Money::round_half_up(covered - self_pay_first),
    }
}

/// Settles a visit's lines under `benefit`, given the person's accumulators before the visit.
pub fn settle(
    benefit: &BenefitParams,
    before: Accumulators,
    lines: &[LineInput],
) -> Result<Settlement, SettlementError> {
    if lines.is_empty() {
        return Err(SettlementError::NoLines);
    }
    if let Some(i) = lines
        .iter()
        .position(|l| l.class == ItemClass::B && l.first_self_pay_ratio.is_none())
    {
        return Err(SettlementError::MissingFirstSelfPayRatio { line: i + 1 });
    }
    let lines: Vec<LineBreakdown> = lines.iter().map(settle_line).collect();
    let total: Money = lines.iter().map(|l| l.amount).sum();
    let self_pay_full: Money = lines.iter().map(|l| l.self_pay_full).sum();
    let self_pay_first: Money = lines.iter().map(|l| l.self_pay_first).sum();
    let in_policy: Money = lines.iter().map(|l| l.in_policy).sum();

    let deductible_open_before = benefit.deductible.saturating_sub(before.deductible_met);
    let deductible_taken = deductible_open_before.min(in_policy);
    let fund_before_cap = Money::round_half_up(
        in_policy.saturating_sub(deductible_taken).amount() * benefit.ratio.value(),
    );
    let annual_cap_open_before = benefit.annual_cap.saturating_sub(before.fund_paid);
    let mut fund = fund_before_cap;
    let mut cap_applied = CapApplied::None;
    if fund > annual_cap_open_before {
        fund = annual_cap_open_before;
        cap_applied = CapApplied::AnnualCap;
    }
    if let Some(per_visit) = benefit.per_visit_cap {
        if fund > per_visit {
            fund = per_visit;
            cap_applied = CapApplied::PerVisitCap;
        }
    }
    let patient = total.saturating_sub(fund);
    let after = Accumulators {
        deductible_met: before.deductible_met + deductible_taken,
        fund_paid: before.fund_paid + fund,
    };
    Ok(Settlement {
        lines,
        total,
        self_pay_full,
        self_pay_first,
        in_policy,
        deductible_open_before,
        deductible_taken,
        fund_before_cap,
        annual_cap_open_before,
        cap_applied,
        fund,
        patient,
        accumulators_before: before,
        accumulators_after: after,
    })
}

#[cfg(test)]
mod tests;
