//! Unit prices with the precision of the national insurance platform (PRODUCT.md §2.3): up to
//! six decimals of a yuan (a tablet priced per piece: 0.2083). Only amounts are in fen — a
//! price is multiplied by a quantity and the product rounded half-up to the fen
//! ([`crate::money::round_fen`]); a price itself is never rounded.
//!
//! A price is shown as the catalogue has it: "0.2083" stays "0.2083", "12.50" stays "12.50";
//! a whole or one-decimal price gets two decimals ("12" → "12.00"). Two prices that differ only
//! in trailing zeros are equal. On the wire it is a decimal string, like [`Money`], so a
//! catalogue or claim stored as "12.50" reads unchanged.

use std::fmt;
use std::str::FromStr;

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::money::{parse_plain_decimal, Money, MAX_YUAN};
use crate::text::{Bilingual, Text};

/// The most decimals a unit price may have.
pub const UNIT_PRICE_DECIMALS: u32 = 6;

/// A non-negative price per unit in yuan, at most [`UNIT_PRICE_DECIMALS`] decimals, at most
/// [`MAX_YUAN`]; it keeps the scale it was written with (at least two decimals).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String")]
#[cfg_attr(feature = "openapi", schema(value_type = String, example = "0.2083"))]
pub struct UnitPrice(Decimal);
crate::serialize_by_display!(UnitPrice);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UnitPriceError {
    Empty,
    NotANumber(String),
    TooManyDecimals(String),
    Negative(String),
    TooLarge(String),
}

impl Bilingual for UnitPriceError {
    fn text(&self) -> Text {
        match self {
            UnitPriceError::Empty => Text::new("单价不能为空", "the unit price is empty"),
            UnitPriceError::NotANumber(s) => Text::new(
                format!("单价“{s}”不是有效数字"),
                format!("not a valid unit price: {s:?}"),
            ),
            UnitPriceError::TooManyDecimals(s) => Text::new(
                format!("单价最多六位小数：{s}"),
                format!("a unit price has at most six decimals: {s}"),
            ),
            UnitPriceError::Negative(s) => Text::new(
                format!("单价不能为负数：{s}"),
                format!("the unit price cannot be negative: {s}"),
            ),
            UnitPriceError::TooLarge(s) => Text::new(
                format!("单价过大：{s}"),
                format!("the unit price is absurdly large: {s}"),
            ),
        }
    }
}

crate::bilingual_error!(UnitPriceError);

impl UnitPrice {
    pub const ZERO: UnitPrice = UnitPrice(Decimal::from_parts(0, 0, 0, false, 2));

    /// Parses what a person typed or a catalogue file holds: "12", "12.5", "0.2083",
    /// " 0.208333 ". Refuses negatives, more than six decimals, exponents and prices above
    /// [`MAX_YUAN`].
    pub fn parse(text: &str) -> Result<UnitPrice, UnitPriceError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(UnitPriceError::Empty);
        }
        let value = parse_plain_decimal(text)
            .ok_or_else(|| UnitPriceError::NotANumber(text.to_string()))?;
        UnitPrice::try_from_decimal(value)
    }

    /// Checks a decimal against the invariants; the scale is kept (trailing zeros beyond six
    /// decimals are dropped; fewer than two decimals are padded to two).
    pub fn try_from_decimal(value: Decimal) -> Result<UnitPrice, UnitPriceError> {
        if value.is_sign_negative() && !value.is_zero() {
            return Err(UnitPriceError::Negative(value.to_string()));
        }
        if value.normalize().scale() > UNIT_PRICE_DECIMALS {
            return Err(UnitPriceError::TooManyDecimals(value.to_string()));
        }
        if value > Decimal::from(MAX_YUAN) {
            return Err(UnitPriceError::TooLarge(value.to_string()));
        }
        let mut value = value.abs();
        if value.scale() > UNIT_PRICE_DECIMALS {
            value = value.normalize();
        }
        if value.scale() < 2 {
            value.rescale(2);
        }
        Ok(UnitPrice(value))
    }

    /// The price in yuan, exactly as given.
    pub fn value(self) -> Decimal {
        self.0
    }

    pub fn yuan(yuan: i64) -> UnitPrice {
        UnitPrice::from(Money::yuan(yuan))
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }
}

/// Every amount of money is a valid unit price (two decimals).
impl From<Money> for UnitPrice {
    fn from(money: Money) -> UnitPrice {
        UnitPrice::try_from_decimal(money.amount()).expect("money is a valid price")
    }
}

impl fmt::Display for UnitPrice {
    /// As the catalogue has it, with at least two decimals: "0.2083", "12.50", "12.00".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

impl TryFrom<String> for UnitPrice {
    type Error = UnitPriceError;
    fn try_from(text: String) -> Result<UnitPrice, UnitPriceError> {
        UnitPrice::parse(&text)
    }
}

impl From<UnitPrice> for String {
    fn from(price: UnitPrice) -> String {
        price.to_string()
    }
}

impl FromStr for UnitPrice {
    type Err = UnitPriceError;
    fn from_str(text: &str) -> Result<UnitPrice, UnitPriceError> {
        UnitPrice::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn price(text: &str) -> UnitPrice {
        UnitPrice::parse(text).unwrap()
    }

    #[test]
    fn six_decimals_are_accepted_seven_are_refused() {
        assert_eq!(price("0.208333").value(), dec!(0.208333));
        assert_eq!(price("0.000001").value(), dec!(0.000001));
        assert!(matches!(
            UnitPrice::parse("0.2083333"),
            Err(UnitPriceError::TooManyDecimals(_))
        ));
        assert_eq!(
            UnitPrice::parse("0.0000001").unwrap_err().text().zh,
            "单价最多六位小数：0.0000001"
        );
        assert_eq!(
            price("1.2000000").to_string(),
            "1.20",
            "trailing zeros are not extra precision"
        );
    }

    #[test]
    fn shown_as_the_catalogue_has_it() {
        assert_eq!(price("0.2083").to_string(), "0.2083");
        assert_eq!(price("12.50").to_string(), "12.50");
        assert_eq!(price("12.5").to_string(), "12.50");
        assert_eq!(price("12").to_string(), "12.00");
        assert_eq!(price(" 3.500 ").to_string(), "3.500");
        assert_eq!(price("0.208333").to_string(), "0.208333");
        assert_eq!(UnitPrice::ZERO.to_string(), "0.00");
        assert_eq!(UnitPrice::from(Money::from_fen(1250)).to_string(), "12.50");
        // The same price written with more zeros is the same price.
        assert_eq!(price("12.5"), price("12.500"));
        assert!(price("0.2083") < price("0.21"));
    }

    #[test]
    fn refuses_nonsense_with_a_reason() {
        assert_eq!(UnitPrice::parse(" "), Err(UnitPriceError::Empty));
        assert!(matches!(
            UnitPrice::parse("abc"),
            Err(UnitPriceError::NotANumber(_))
        ));
        assert!(matches!(
            UnitPrice::parse("2e-4"),
            Err(UnitPriceError::NotANumber(_))
        ));
        assert!(matches!(
            UnitPrice::parse("-0.01"),
            Err(UnitPriceError::Negative(_))
        ));
        assert!(matches!(
            UnitPrice::parse("100000000.000001"),
            Err(UnitPriceError::TooLarge(_))
        ));
        assert_eq!(price("-0"), UnitPrice::ZERO);
        assert_eq!(
            UnitPriceError::Negative("-1".into()).text().en,
            "the unit price cannot be negative: -1"
        );
    }

    #[test]
    fn serialised_as_a_string_and_old_shapes_still_read() {
        assert_eq!(
            serde_json::to_string(&price("0.2083")).unwrap(),
            "\"0.2083\""
        );
        // Catalogues and claims stored before prices had six decimals.
        let old: UnitPrice = serde_json::from_str("\"12.50\"").unwrap();
        assert_eq!(old.to_string(), "12.50");
        assert_eq!(serde_json::to_string(&old).unwrap(), "\"12.50\"");
        assert!(serde_json::from_str::<UnitPrice>("12.5").is_err());
        assert!(serde_json::from_str::<UnitPrice>("\"0.1234567\"").is_err());
    }
}
