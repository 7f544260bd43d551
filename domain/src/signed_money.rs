//! A signed amount of yuan, exact to the fen, for what can go either way: a statement's
//! adjustments ("−80.00": the fund paid for a claim later rejected), its net payable (the
//! clinic may owe the township more cash than the fund owes it), a cash gap. [`Money`] stays
//! non-negative everywhere else. Serialised like Money, as a decimal string ("-80.00").

use std::fmt;
use std::iter::Sum;
use std::ops::{Add, Neg, Sub};

use rust_decimal::Decimal;
use serde::Deserialize;

use crate::money::{parse_plain_decimal, round_fen, Money, MAX_YUAN};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String")]
#[cfg_attr(feature = "openapi", schema(value_type = String))]
pub struct SignedMoney(Decimal);
crate::serialize_by_display!(SignedMoney);

impl SignedMoney {
    pub const ZERO: SignedMoney = SignedMoney(Decimal::ZERO);

    /// Parses "-80", "12.5", "-0.01": at most two decimals, within ±[`MAX_YUAN`].
    pub fn parse(text: &str) -> Option<SignedMoney> {
        let value = parse_plain_decimal(text.trim())?;
        let within = value.abs() <= Decimal::from(MAX_YUAN) && value.normalize().scale() <= 2;
        within.then(|| SignedMoney(round_fen(value)))
    }

    pub fn amount(self) -> Decimal {
        self.0
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    pub fn is_negative(self) -> bool {
        self.0.is_sign_negative() && !self.0.is_zero()
    }
}

impl From<Money> for SignedMoney {
    fn from(money: Money) -> SignedMoney {
        SignedMoney(money.amount())
    }
}

impl Add for SignedMoney {
    type Output = SignedMoney;
    fn add(self, other: SignedMoney) -> SignedMoney {
        SignedMoney(self.0 + other.0)
    }
}

impl Sub for SignedMoney {
    type Output = SignedMoney;
    fn sub(self, other: SignedMoney) -> SignedMoney {
        SignedMoney(self.0 - other.0)
    }
}

impl Neg for SignedMoney {
    type Output = SignedMoney;
    fn neg(self) -> SignedMoney {
        SignedMoney(-self.0)
    }
}

impl Sum for SignedMoney {
    fn sum<I: Iterator<Item = SignedMoney>>(iter: I) -> SignedMoney {
        iter.fold(SignedMoney::ZERO, Add::add)
    }
}

impl fmt::Display for SignedMoney {
    /// Always two decimals, a minus sign when negative and never "-0.00".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut value = if self.0.is_zero() {
            Decimal::ZERO
        } else {
            self.0
        };
        value.rescale(2);
        write!(f, "{value}")
    }
}

impl TryFrom<String> for SignedMoney {
    type Error = String;
    fn try_from(text: String) -> Result<SignedMoney, String> {
        SignedMoney::parse(&text).ok_or_else(|| format!("not an amount in yuan and fen: {text:?}"))
    }
}

impl From<SignedMoney> for String {
    fn from(money: SignedMoney) -> String {
        money.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(text: &str) -> SignedMoney {
        SignedMoney::parse(text).unwrap()
    }

    #[test]
    fn goes_either_way_exactly_to_the_fen() {
        let paid = SignedMoney::from(Money::from_fen(8_050));
        assert_eq!((-paid).to_string(), "-80.50");
        assert_eq!((SignedMoney::ZERO - paid + paid).to_string(), "0.00");
        assert_eq!((s("0.10") + s("0.20")).to_string(), "0.30");
        assert_eq!(
            [s("-0.01"), s("0.01"), s("12.5")]
                .into_iter()
                .sum::<SignedMoney>(),
            s("12.50")
        );
        assert!(s("-0.01").is_negative() && !s("-0").is_negative());
        assert_eq!(s("-0").to_string(), "0.00");
    }

    #[test]
    fn reads_and_writes_a_string_and_refuses_nonsense() {
        assert_eq!(serde_json::to_string(&s("-80.5")).unwrap(), "\"-80.50\"");
        assert_eq!(
            serde_json::from_str::<SignedMoney>("\"-80.50\"").unwrap(),
            s("-80.5")
        );
        for bad in [
            "\"1.001\"",
            "\"1e3\"",
            "\"\"",
            "\"--1\"",
            "12.5",
            "\"200000000\"",
        ] {
            assert!(serde_json::from_str::<SignedMoney>(bad).is_err(), "{bad}");
        }
    }
}
