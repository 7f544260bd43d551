//! Risk checks (智能审核), run on the tablet at settlement and again on the server with its
//! wider history. Each rule has an id and a severity set by the policy: `block` (cannot
//! settle), `warn` (needs a written reason) or `flag` (settles, goes to township review).
//! A rule the policy does not list is off.

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::catalogue::CatalogueItem;
use crate::id_number::{IdNumber, Sex};
use crate::money::Money;
use crate::person::{Eligibility, Relationship};
use crate::quantity::Quantity;
use crate::unit_price::UnitPrice;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum RuleId {
    /// 参保状态: not enrolled, waiting period, suspended.
    NotEligible,
    /// 代办未登记关系
    ProxyWithoutRelationship,
    /// 重复收费: same person, item, day and clinic.
    DuplicateCharge,
    /// 超标准收费: price above the catalogue price.
    PriceAboveCatalogue,
    /// 性别限定
    SexRestriction,
    /// 年龄限定
    AgeRestriction,
    /// 超限量 per visit
    QuantityOverVisitLimit,
    /// 超限量 per period
    QuantityOverPeriodLimit,
    /// 限定支付范围
    DiagnosisRestriction,
    /// 分解就诊: more than one visit by the person on one day.
    SeveralVisitsSameDay,
    /// Price above the payment standard (the excess is self-paid; the township looks).
    PriceAbovePaymentStandard,
    /// 就诊频次异常
    VisitsPerMonth,
    /// Claim total or fund share above the per-visit threshold.
    ClaimAboveThreshold,
}

impl RuleId {
    /// The rule's name in zh-CN and English, as staff know it.
    pub fn words(self) -> (&'static str, &'static str) {
        match self {
            RuleId::NotEligible => ("参保状态不符", "Not eligible"),
            RuleId::ProxyWithoutRelationship => ("代办未登记关系", "Proxy without a relationship"),
            RuleId::DuplicateCharge => ("重复收费", "Charged twice"),
            RuleId::PriceAboveCatalogue => ("超标准收费", "Price above the catalogue"),
            RuleId::SexRestriction => ("性别限定", "Sex restriction"),
            RuleId::AgeRestriction => ("年龄限定", "Age restriction"),
            RuleId::QuantityOverVisitLimit => ("超单次限量", "Over the per-visit quantity"),
            RuleId::QuantityOverPeriodLimit => ("超周期限量", "Over the period's quantity"),
            RuleId::DiagnosisRestriction => ("限定支付范围", "Diagnosis restriction"),
            RuleId::SeveralVisitsSameDay => ("分解就诊", "Several visits in one day"),
            RuleId::PriceAbovePaymentStandard => ("超支付标准", "Price above the payment standard"),
            RuleId::VisitsPerMonth => ("就诊频次异常", "Unusually many visits"),
            RuleId::ClaimAboveThreshold => ("单次金额超限", "Claim above the threshold"),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Settles; goes to township review.
    Flag,
    /// Needs a written reason to settle.
    Warn,
    /// Cannot settle.
    Block,
}

impl Severity {
    pub const ALL: [Severity; 3] = [Severity::Flag, Severity::Warn, Severity::Block];
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RuleSetting {
    pub rule: RuleId,
    pub severity: Severity,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct RiskParams {
    pub rules: Vec<RuleSetting>,
    pub max_visits_per_month: u32,
    pub claim_total_threshold: Money,
    pub claim_fund_threshold: Money,
}

impl RiskParams {
    pub fn severity(&self, rule: RuleId) -> Option<Severity> {
        self.rules
            .iter()
            .find(|s| s.rule == rule)
            .map(|s| s.severity)
    }
}

/// How the patient's identity was checked (实名就医).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum IdentityCheck {
    SocialSecurityCard,
    IdCard,
    EVoucher,
    /// A family member came instead.
    Proxy {
        #[serde(default)]
        proxy_id: Option<IdNumber>,
        #[serde(default)]
        relationship: Option<Relationship>,
    },
}

/// One line of the visit being checked; `item` is `None` for out-of-catalogue lines.
#[derive(Debug, Clone)]
pub struct RiskLine<'a> {
    pub item: Option<&'a CatalogueItem>,
    pub code: String,
    pub name: String,
    pub price: UnitPrice,
    pub quantity: Quantity,
}

#[derive(Debug, Clone)]
pub struct RiskVisit<'a> {
    pub claim_id: &'a str,
    /// The person's key (their ID number).
    pub person: &'a str,
    pub sex: Sex,
    pub age: u32,
    pub clinic: &'a str,
    pub date: NaiveDate,
    /// ICD-10 codes.
    pub diagnoses: &'a [String],
    pub identity: &'a IdentityCheck,
    pub eligibility: Eligibility,
    pub lines: Vec<RiskLine<'a>>,
    pub total: Money,
    pub fund: Money,
}

/// A visit already settled, as the history the rules look back on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PastVisit {
    pub claim_id: String,
    pub person: String,
    pub clinic: String,
    pub date: NaiveDate,
    pub lines: Vec<PastLine>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PastLine {
    pub code: String,
    pub quantity: Quantity,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RuleHit {
    pub rule: RuleId,
    pub severity: Severity,
    /// The line (1-based) the hit is about, if it is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    pub message_zh: String,
    pub message_en: String,
}

/// The most severe hit, which decides what the clinic may do.
pub fn worst(hits: &[RuleHit]) -> Option<Severity> {
    hits.iter().map(|h| h.severity).max()
}

/// Runs every rule the policy enables against `visit` and the person's `history` (other
/// people's visits in it are ignored, as is the visit itself if it is already there).
pub fn evaluate(params: &RiskParams, visit: &RiskVisit, history: &[PastVisit]) -> Vec<RuleHit> {
    let mut hits = Vec::new();
    let mut hit = |rule: RuleId, line: Option<usize>, zh: String, en: String| {
        if let Some(severity) = params.severity(rule) {
            hits.push(RuleHit {
                rule,
                severity,
                line,
                message_zh: zh,
                message_en: en,
            });
        }
    };
    let past: Vec<&PastVisit> = history
        .iter()
        .filter(|v| v.person == visit.person && v.claim_id != visit.claim_id)
        .collect();

    match visit.eligibility {
        Eligibility::Eligible => {}
        Eligibility::Waiting { until } => hit(
            RuleId::NotEligible,
            None,
            format!("患者处于等待期，{until}之后才能享受待遇"),
            format!("The patient is in a waiting period until {until}"),
        ),
        Eligibility::NotEnrolled => hit(
            RuleId::NotEligible,
            None,
            "患者在就诊日未参保".into(),
            "The patient is not enrolled on the date of the visit".into(),
        ),
        Eligibility::Suspended => hit(
            RuleId::NotEligible,
            None,
            "患者的参保待遇已暂停".into(),
            "The patient's benefits are suspended".into(),
        ),
    }

    if let IdentityCheck::Proxy {
        proxy_id,
        relationship,
    } = visit.identity
    {
        if proxy_id.is_none() || relationship.is_none() {
            hit(
                RuleId::ProxyWithoutRelationship,
                None,
                "代办就医必须登记代办人身份证号及与患者的关系".into(),
                "A proxy visit needs the proxy's ID number and relationship to the patient".into(),
            );
        }
    }

    let same_day: Vec<&&PastVisit> = past.iter().filter(|v| v.date == visit.date).collect();
    if !same_day.is_empty() {
        hit(
            RuleId::SeveralVisitsSameDay,
            None,
            format!("患者当天已有{}次就诊结算", same_day.len()),
            format!(
                "The patient already has {} settled visit(s) today",
                same_day.len()
            ),
        );
    }

    let month_visits = 1 + past
        .iter()
        .filter(|v| v.date.year() == visit.date.year() && v.date.month() == visit.date.month())
        .count();
    if month_visits > params.max_visits_per_month as usize {
        hit(
            RuleId::VisitsPerMonth,
            None,
            format!(
                "本月第{month_visits}次就诊，超过{}次的频次上限",
                params.max_visits_per_month
            ),
            format!(
                "Visit {month_visits} this month, above the threshold of {}",
                params.max_visits_per_month
            ),
        );
    }

    if visit.total > params.claim_total_threshold || visit.fund > params.claim_fund_threshold {
        hit(
            RuleId::ClaimAboveThreshold,
            None,
            format!(
                "本次费用{}元（统筹支付{}元）超过单次审核标准（{}元 / {}元）",
                visit.total, visit.fund, params.claim_total_threshold, params.claim_fund_threshold
            ),
            format!(
                "This visit ({} yuan, fund {}) is above the per-visit review threshold ({} / {})",
                visit.total, visit.fund, params.claim_total_threshold, params.claim_fund_threshold
            ),
        );
    }

    for (i, line) in visit.lines.iter().enumerate() {
        let n = Some(i + 1);
        let name = &line.name;
        // Lines without a code (free text, out of catalogue) cannot be matched to one another.
        let duplicated = !line.code.is_empty()
            && (same_day
                .iter()
                .any(|v| v.clinic == visit.clinic && v.lines.iter().any(|l| l.code == line.code))
                || visit.lines[..i].iter().any(|l| l.code == line.code));
        if duplicated {
            hit(
                RuleId::DuplicateCharge,
                n,
                format!("“{name}”今天已在本卫生室收费，属重复收费"),
                format!("{name} was already charged today at this clinic (duplicate charge)"),
            );
        }
        let Some(item) = line.item else { continue };
        if line.price > item.price {
            hit(
                RuleId::PriceAboveCatalogue,
                n,
                format!("“{name}”单价{}元高于目录价{}元", line.price, item.price),
                format!(
                    "{name}: price {} is above the catalogue price {}",
                    line.price, item.price
                ),
            );
        }
        if let Some(standard) = item.payment_standard {
            if line.price > standard {
                hit(
                    RuleId::PriceAbovePaymentStandard,
                    n,
                    format!("“{name}”单价{}元高于支付标准{}元，超出部分由患者自付", line.price, standard),
                    format!(
                        "{name}: price {} is above the payment standard {}; the patient pays the excess",
                        line.price, standard
                    ),
                );
            }
        }
        if let Some(limit) = item.per_visit_limit {
            if line.quantity > limit {
                hit(
                    RuleId::QuantityOverVisitLimit,
                    n,
                    format!("“{name}”数量{}超过单次限量{}", line.quantity, limit),
                    format!(
                        "{name}: quantity {} is over the per-visit limit {}",
                        line.quantity, limit
                    ),
                );
            }
        }
        if let Some(limit) = &item.per_period_limit {
            let since = visit.date - Days::new(u64::from(limit.days.saturating_sub(1)));
            let earlier: rust_decimal::Decimal = past
                .iter()
                .filter(|v| v.date >= since && v.date <= visit.date)
                .flat_map(|v| v.lines.iter())
                .filter(|l| l.code == line.code)
                .map(|l| l.quantity.value())
                .sum();
            let total = earlier + line.quantity.value();
            if total > limit.quantity.value() {
                hit(
                    RuleId::QuantityOverPeriodLimit,
                    n,
                    format!(
                        "“{name}”{}天内累计{}，超过限量{}",
                        limit.days, total, limit.quantity
                    ),
                    format!(
                        "{name}: {total} within {} days is over the limit of {}",
                        limit.days, limit.quantity
                    ),
                );
            }
        }
        if !item.diagnosis_restriction.is_empty()
            && !visit.diagnoses.iter().any(|d| {
                item.diagnosis_restriction
                    .iter()
                    .any(|prefix| d.starts_with(prefix.as_str()))
            })
        {
            let allowed = item.diagnosis_restriction.join("、");
            hit(
                RuleId::DiagnosisRestriction,
                n,
                format!("“{name}”限{allowed}诊断使用，本次诊断不符"),
                format!("{name} is restricted to diagnoses {allowed}; this visit has none of them"),
            );
        }
        if let Some(sex) = item.sex_restriction {
            if sex != visit.sex {
                let (zh, en) = match sex {
                    Sex::Male => ("男性", "men"),
                    Sex::Female => ("女性", "women"),
                };
                hit(
                    RuleId::SexRestriction,
                    n,
                    format!("“{name}”仅限{zh}使用"),
                    format!("{name} is for {en} only"),
                );
            }
        }
        let too_young = item.min_age.is_some_and(|min| visit.age < min);
        let too_old = item.max_age.is_some_and(|max| visit.age > max);
        if too_young || too_old {
            let range = format!(
                "{}–{}",
                item.min_age.map_or("0".into(), |a| a.to_string()),
                item.max_age.map_or("".into(), |a| a.to_string())
            );
            hit(
                RuleId::AgeRestriction,
                n,
                format!("“{name}”限{range}岁使用，患者{}岁", visit.age),
                format!("{name} is for ages {range}; the patient is {}", visit.age),
            );
        }
    }
    hits
}

#[cfg(test)]
mod tests;
