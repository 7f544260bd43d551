//! Re-pricing a claim from the catalogue (PRODUCT.md §3, "the server is the authority for
//! money"): class, price, payment standard and first self-pay ratio of every line come from
//! the catalogue version in force on the visit date, never from what the tablet sent. A line
//! whose code that catalogue does not know is settled as self-pay. Every way the tablet's line
//! differs is named, so the claim can go to review with both sets of figures kept.

use serde::{Deserialize, Serialize};

use crate::catalogue::{Catalogue, ItemClass};
use crate::names::ItemCode;
use crate::settlement::LineInput;
use crate::text::{Bilingual, Text};

/// One way a line the tablet sent differs from the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "what", rename_all = "snake_case")]
pub enum LineDifference {
    /// No code, or a code the catalogue does not have, on a line not sent as self-pay.
    NotInCatalogue { line: usize, code: Option<String> },
    Class {
        line: usize,
        code: String,
        sent: ItemClass,
        catalogue: ItemClass,
    },
    Price {
        line: usize,
        code: String,
        sent: String,
        catalogue: String,
    },
    PaymentStandard {
        line: usize,
        code: String,
        sent: Option<String>,
        catalogue: Option<String>,
    },
    FirstSelfPayRatio {
        line: usize,
        code: String,
        sent: Option<String>,
        catalogue: Option<String>,
    },
}

impl Bilingual for LineDifference {
    fn text(&self) -> Text {
        let or_none = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".into());
        match self {
            LineDifference::NotInCatalogue { line, code } => {
                let code = code.clone().unwrap_or_default();
                Text::new(
                    format!("第{}行“{code}”不在目录中，按自费结算", line + 1),
                    format!(
                        "line {}: {code:?} is not in the catalogue; settled as self-pay",
                        line + 1
                    ),
                )
            }
            LineDifference::Class {
                line,
                code,
                sent,
                catalogue,
            } => Text::new(
                format!(
                    "第{}行{code}：上传类别{}，目录为{}",
                    line + 1,
                    class_zh(*sent),
                    class_zh(*catalogue)
                ),
                format!(
                    "line {}: {code} sent as class {sent:?}, the catalogue says {catalogue:?}",
                    line + 1
                ),
            ),
            LineDifference::Price {
                line,
                code,
                sent,
                catalogue,
            } => Text::new(
                format!(
                    "第{}行{code}：上传单价{sent}，目录单价{catalogue}",
                    line + 1
                ),
                format!(
                    "line {}: {code} sent at {sent}, the catalogue price is {catalogue}",
                    line + 1
                ),
            ),
            LineDifference::PaymentStandard {
                line,
                code,
                sent,
                catalogue,
            } => Text::new(
                format!(
                    "第{}行{code}：上传支付标准{}，目录为{}",
                    line + 1,
                    or_none(sent),
                    or_none(catalogue)
                ),
                format!(
                    "line {}: {code} sent with payment standard {}, the catalogue says {}",
                    line + 1,
                    or_none(sent),
                    or_none(catalogue)
                ),
            ),
            LineDifference::FirstSelfPayRatio {
                line,
                code,
                sent,
                catalogue,
            } => Text::new(
                format!(
                    "第{}行{code}：上传先行自付比例{}，目录为{}",
                    line + 1,
                    or_none(sent),
                    or_none(catalogue)
                ),
                format!(
                    "line {}: {code} sent with first self-pay ratio {}, the catalogue says {}",
                    line + 1,
                    or_none(sent),
                    or_none(catalogue)
                ),
            ),
        }
    }
}

fn class_zh(class: ItemClass) -> &'static str {
    match class {
        ItemClass::A => "甲类",
        ItemClass::B => "乙类",
        ItemClass::SelfPay => "自费",
    }
}

/// The lines as the catalogue prices them, and how the tablet's differed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Repriced {
    pub lines: Vec<LineInput>,
    pub differences: Vec<LineDifference>,
}

/// Prices every line from `catalogue` (the quantity is the tablet's: it is what was dispensed).
pub fn reprice(catalogue: &Catalogue, sent: &[LineInput]) -> Repriced {
    let mut differences = Vec::new();
    let lines = sent
        .iter()
        .enumerate()
        .map(|(i, line)| {
            let item = line
                .code
                .as_deref()
                .and_then(|c| ItemCode::parse(c).ok())
                .and_then(|code| catalogue.get(&code));
            let Some(item) = item else {
                if line.class != ItemClass::SelfPay {
                    differences.push(LineDifference::NotInCatalogue {
                        line: i,
                        code: line.code.clone(),
                    });
                }
                return LineInput {
                    class: ItemClass::SelfPay,
                    payment_standard: None,
                    first_self_pay_ratio: None,
                    ..line.clone()
                };
            };
            let priced = LineInput::from_item(item, line.quantity);
            let code = item.code.to_string();
            if line.class != priced.class {
                differences.push(LineDifference::Class {
                    line: i,
                    code: code.clone(),
                    sent: line.class,
                    catalogue: priced.class,
                });
            }
            if line.price != priced.price {
                differences.push(LineDifference::Price {
                    line: i,
                    code: code.clone(),
                    sent: line.price.to_string(),
                    catalogue: priced.price.to_string(),
                });
            }
            if line.payment_standard != priced.payment_standard {
                differences.push(LineDifference::PaymentStandard {
                    line: i,
                    code: code.clone(),
                    sent: line.payment_standard.map(|p| p.to_string()),
                    catalogue: priced.payment_standard.map(|p| p.to_string()),
                });
            }
            if line.first_self_pay_ratio != priced.first_self_pay_ratio {
                differences.push(LineDifference::FirstSelfPayRatio {
                    line: i,
                    code,
                    sent: line.first_self_pay_ratio.map(|r| r.to_string()),
                    catalogue: priced.first_self_pay_ratio.map(|r| r.to_string()),
                });
            }
            priced
        })
        .collect();
    Repriced { lines, differences }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::money::Money;
    use crate::quantity::Quantity;
    use crate::sample;

    fn line(code: &str) -> LineInput {
        let catalogue = sample::catalogue();
        let item = catalogue
            .get(&ItemCode::parse(code).unwrap())
            .unwrap()
            .clone();
        LineInput::from_item(&item, Quantity::whole(2))
    }

    #[test]
    fn an_honest_line_is_unchanged_and_a_tampered_one_is_priced_from_the_catalogue() {
        let catalogue = sample::catalogue();
        let honest = line("XJ01CAA001");
        let mut cheap_class = honest.clone();
        cheap_class.class = ItemClass::A;
        cheap_class.price = Money::yuan(1).into();
        let r = reprice(&catalogue, &[honest.clone(), cheap_class]);
        assert_eq!(r.lines[0], honest);
        assert_eq!(
            r.lines[1], honest,
            "the catalogue's figures, the tablet's quantity"
        );
        assert_eq!(r.differences.len(), 1, "{:?}", r.differences);
        assert!(matches!(
            r.differences[0],
            LineDifference::Price { line: 1, .. }
        ));
    }

    #[test]
    fn an_unknown_code_is_self_pay_and_named() {
        let catalogue = sample::catalogue();
        let mut forged = line("XJ01CAA001");
        forged.code = Some("XX99999999".into());
        forged.class = ItemClass::A;
        let r = reprice(&catalogue, &[forged]);
        assert_eq!(r.lines[0].class, ItemClass::SelfPay);
        assert_eq!(r.lines[0].payment_standard, None);
        assert!(matches!(
            &r.differences[0],
            LineDifference::NotInCatalogue { line: 0, code: Some(c) } if c == "XX99999999"
        ));
        assert!(r.differences[0].text().zh.contains("不在目录中"));
    }
}
