//! Quantities and ratios, validated where they are typed.

use crate::text::{Bilingual, Text};
use std::fmt;

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::money::parse_plain_decimal;

/// A dispensed or performed quantity: positive, at most four decimals — the national
/// platform's precision (0.5 box, 0.25 vial, 0.0625 of a pack) — at most 10,000.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String")]
#[cfg_attr(feature = "openapi", schema(value_type = String))]
pub struct Quantity(Decimal);
crate::serialize_by_display!(Quantity);

pub const MAX_QUANTITY: i64 = 10_000;

/// The most decimals a quantity may have.
pub const QUANTITY_DECIMALS: u32 = 4;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QuantityError {
    NotANumber(String),
    NotPositive(String),
    TooManyDecimals(String),
    TooLarge(String),
}

impl Bilingual for QuantityError {
    fn text(&self) -> Text {
        match self {
            QuantityError::NotANumber(s) => Text::new(
                format!("数量“{s}”不是有效数字"),
                format!("not a valid quantity: {s:?}"),
            ),
            QuantityError::NotPositive(s) => Text::new(
                format!("数量必须大于零：{s}"),
                format!("the quantity must be more than zero: {s}"),
            ),
            QuantityError::TooManyDecimals(s) => Text::new(
                format!("数量最多四位小数：{s}"),
                format!("a quantity has at most four decimals: {s}"),
            ),
            QuantityError::TooLarge(s) => Text::new(
                format!("数量过大：{s}"),
                format!("the quantity is absurdly large: {s}"),
            ),
        }
    }
}

impl Quantity {
    pub fn parse(text: &str) -> Result<Quantity, QuantityError> {
        let text = text.trim();
        let value =
            parse_plain_decimal(text).ok_or_else(|| QuantityError::NotANumber(text.to_string()))?;
        Quantity::new(value)
    }

    pub fn new(value: Decimal) -> Result<Quantity, QuantityError> {
        if value <= Decimal::ZERO {
            return Err(QuantityError::NotPositive(value.to_string()));
        }
        if value.normalize().scale() > QUANTITY_DECIMALS {
            return Err(QuantityError::TooManyDecimals(value.to_string()));
        }
        if value > Decimal::from(MAX_QUANTITY) {
            return Err(QuantityError::TooLarge(value.to_string()));
        }
        Ok(Quantity(value.normalize()))
    }

    pub fn whole(n: u32) -> Quantity {
        Quantity::new(Decimal::from(n)).expect("positive whole quantity")
    }

    pub fn value(self) -> Decimal {
        self.0
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl TryFrom<String> for Quantity {
    type Error = QuantityError;
    fn try_from(text: String) -> Result<Quantity, QuantityError> {
        Quantity::parse(&text)
    }
}

impl From<Quantity> for String {
    fn from(q: Quantity) -> String {
        q.to_string()
    }
}

/// A proportion between 0 and 1 inclusive, at most four decimals. Parses "0.5", "50%",
/// "12.5 %".
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String")]
#[cfg_attr(feature = "openapi", schema(value_type = String))]
pub struct Ratio(Decimal);
crate::serialize_by_display!(Ratio);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RatioError {
    NotANumber(String),
    OutOfRange(String),
    TooManyDecimals(String),
}

impl Bilingual for RatioError {
    fn text(&self) -> Text {
        match self {
            RatioError::NotANumber(s) => Text::new(
                format!("比例“{s}”不是有效数字"),
                format!("not a valid ratio: {s:?}"),
            ),
            RatioError::OutOfRange(s) => Text::new(
                format!("比例必须在 0 到 100% 之间：{s}"),
                format!("a ratio must be between 0 and 100 %: {s}"),
            ),
            RatioError::TooManyDecimals(s) => Text::new(
                format!("比例最多四位小数：{s}"),
                format!("at most four decimals: {s}"),
            ),
        }
    }
}

crate::bilingual_error!(QuantityError, RatioError);

impl Ratio {
    pub const ZERO: Ratio = Ratio(Decimal::ZERO);
    pub const ONE: Ratio = Ratio(Decimal::ONE);

    pub fn parse(text: &str) -> Result<Ratio, RatioError> {
        let text = text.trim();
        let (number, scale) = match text.strip_suffix('%') {
            Some(percent) => (percent.trim(), Decimal::ONE_HUNDRED),
            None => (text, Decimal::ONE),
        };
        let value = parse_plain_decimal(number.trim())
            .ok_or_else(|| RatioError::NotANumber(text.to_string()))?;
        Ratio::new(value / scale)
    }

    pub fn new(value: Decimal) -> Result<Ratio, RatioError> {
        if value < Decimal::ZERO || value > Decimal::ONE {
            return Err(RatioError::OutOfRange(value.to_string()));
        }
        if value.normalize().scale() > 4 {
            return Err(RatioError::TooManyDecimals(value.to_string()));
        }
        Ok(Ratio(value.normalize()))
    }

    /// `percent` %, e.g. `Ratio::percent(50)`.
    pub fn percent(percent: u32) -> Ratio {
        Ratio::new(Decimal::from(percent) / Decimal::ONE_HUNDRED).expect("0..=100 percent")
    }

    pub fn value(self) -> Decimal {
        self.0
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl TryFrom<String> for Ratio {
    type Error = RatioError;
    fn try_from(text: String) -> Result<Ratio, RatioError> {
        Ratio::parse(&text)
    }
}

impl From<Ratio> for String {
    fn from(r: Ratio) -> String {
        r.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn quantities() {
        assert_eq!(Quantity::parse("0.5").unwrap().value(), dec!(0.5));
        assert_eq!(Quantity::parse("2").unwrap(), Quantity::whole(2));
        assert!(matches!(
            Quantity::parse("0"),
            Err(QuantityError::NotPositive(_))
        ));
        assert!(matches!(
            Quantity::parse("-1"),
            Err(QuantityError::NotPositive(_))
        ));
        assert_eq!(Quantity::parse("0.0001").unwrap().value(), dec!(0.0001));
        assert_eq!(Quantity::parse("1.2345").unwrap().to_string(), "1.2345");
        assert!(matches!(
            Quantity::parse("0.00001"),
            Err(QuantityError::TooManyDecimals(_))
        ));
        assert_eq!(
            Quantity::parse("1.23456").unwrap_err().text().zh,
            "数量最多四位小数：1.23456"
        );
        assert!(
            Quantity::parse("1.50000").is_ok(),
            "trailing zeros are not extra precision"
        );
        assert!(matches!(
            Quantity::parse("10001"),
            Err(QuantityError::TooLarge(_))
        ));
        assert!(matches!(
            Quantity::parse("两盒"),
            Err(QuantityError::NotANumber(_))
        ));
        assert_eq!(
            serde_json::to_string(&Quantity::parse("1.50").unwrap()).unwrap(),
            "\"1.5\""
        );
    }

    #[test]
    fn ratios() {
        assert_eq!(Ratio::parse("50%").unwrap(), Ratio::percent(50));
        assert_eq!(Ratio::parse("0.5").unwrap(), Ratio::percent(50));
        assert_eq!(Ratio::parse("12.5 %").unwrap().value(), dec!(0.125));
        assert!(matches!(
            Ratio::parse("101%"),
            Err(RatioError::OutOfRange(_))
        ));
        assert!(matches!(
            Ratio::parse("-0.1"),
            Err(RatioError::OutOfRange(_))
        ));
        assert!(matches!(
            Ratio::parse("half"),
            Err(RatioError::NotANumber(_))
        ));
        assert!(matches!(
            Ratio::parse("0.12345"),
            Err(RatioError::TooManyDecimals(_))
        ));
    }
}
