//! Money in yuan, exact to the fen: `rust_decimal`, never a float. Serialised as a decimal
//! string ("114.60") so no JSON parser can turn it into a float on the way.

use crate::text::{Bilingual, Text};
use std::fmt;
use std::iter::Sum;
use std::ops::Add;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Deserialize;

/// The largest amount Cunbao accepts anywhere: 100 million yuan.
pub const MAX_YUAN: i64 = 100_000_000;

/// A non-negative amount of yuan with at most two decimals (fen).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String")]
#[cfg_attr(feature = "openapi", schema(value_type = String))]
pub struct Money(Decimal);

impl serde::Serialize for Money {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.write_text(&mut [0; 24]))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MoneyError {
    Empty,
    NotANumber(String),
    TooManyDecimals(String),
    Negative(String),
    TooLarge(String),
}

impl Bilingual for MoneyError {
    fn text(&self) -> Text {
        match self {
            MoneyError::Empty => Text::new("金额不能为空", "the amount is empty"),
            MoneyError::NotANumber(s) => Text::new(
                format!("金额“{s}”不是有效数字"),
                format!("not a valid amount: {s:?}"),
            ),
            MoneyError::TooManyDecimals(s) => Text::new(
                format!("金额最多两位小数（到分）：{s}"),
                format!("at most two decimals (fen): {s}"),
            ),
            MoneyError::Negative(s) => Text::new(
                format!("金额不能为负数：{s}"),
                format!("the amount cannot be negative: {s}"),
            ),
            MoneyError::TooLarge(s) => Text::new(
                format!("金额过大：{s}"),
                format!("the amount is absurdly large: {s}"),
            ),
        }
    }
}

crate::bilingual_error!(MoneyError);

/// Parses a plain decimal as typed: digits, one optional leading minus and a point; no
/// exponents, signs elsewhere, separators or spaces inside. Shared by every numeric type.
pub fn parse_plain_decimal(text: &str) -> Option<Decimal> {
    let plain = !text.is_empty()
        && text
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b'-');
    plain.then(|| Decimal::from_str(text).ok()).flatten()
}

/// Rounds half-up (away from zero at exactly .5 of a fen, never banker's rounding) to 0.01.
pub fn round_fen(value: Decimal) -> Decimal {
    value.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

impl Money {
    pub const ZERO: Money = Money(Decimal::ZERO);

    /// Parses what a person typed: "12", "12.5", "12.50", " 12.50 ". Refuses negatives, more
    /// than two decimals, exponents and amounts above [`MAX_YUAN`].
    pub fn parse(text: &str) -> Result<Money, MoneyError> {
        let text = text.trim();
        if text.is_empty() {
            return Err(MoneyError::Empty);
        }
        let value =
            parse_plain_decimal(text).ok_or_else(|| MoneyError::NotANumber(text.to_string()))?;
        Money::try_from_decimal(value)
    }

    /// Checks a decimal against Money's invariants.
    pub fn try_from_decimal(value: Decimal) -> Result<Money, MoneyError> {
        if value.is_sign_negative() && !value.is_zero() {
            return Err(MoneyError::Negative(value.to_string()));
        }
        if value.normalize().scale() > 2 {
            return Err(MoneyError::TooManyDecimals(value.to_string()));
        }
        if value > Decimal::from(MAX_YUAN) {
            return Err(MoneyError::TooLarge(value.to_string()));
        }
        Ok(Money(round_fen(value.abs())))
    }

    /// Rounds a computed non-negative figure half-up to the fen. Negative input is a bug in
    /// the caller and is clamped to zero rather than producing negative money.
    pub fn round_half_up(value: Decimal) -> Money {
        debug_assert!(!value.is_sign_negative() || value.is_zero(), "{value}");
        Money(round_fen(value.max(Decimal::ZERO)))
    }

    pub fn yuan(yuan: i64) -> Money {
        Money::try_from_decimal(Decimal::from(yuan)).expect("whole yuan within range")
    }

    pub fn from_fen(fen: i64) -> Money {
        Money::try_from_decimal(Decimal::new(fen, 2)).expect("fen within range")
    }

    pub fn amount(self) -> Decimal {
        self.0
    }

    /// The amount in fen, exactly (money has at most two decimals).
    pub fn fen(self) -> i64 {
        let mut d = self.0;
        d.rescale(2);
        i64::try_from(d.mantissa()).expect("money within range")
    }

    /// The amount as text with two decimals ("114.60"), written from the end of `buf`: from
    /// the fen (money is never negative), several times faster than the decimal's own text,
    /// and every claim stored or answered writes a dozen amounts.
    fn write_text(self, buf: &mut [u8; 24]) -> &str {
        let mut fen = self.fen().unsigned_abs();
        let mut start = buf.len();
        for place in 0.. {
            if place == 2 {
                start -= 1;
                buf[start] = b'.';
            }
            start -= 1;
            buf[start] = b'0' + (fen % 10) as u8;
            fen /= 10;
            if fen == 0 && place >= 2 {
                break;
            }
        }
        std::str::from_utf8(&buf[start..]).expect("ASCII digits")
    }

    pub fn is_zero(self) -> bool {
        self.0.is_zero()
    }

    /// `self − other`, or zero when `other` is larger.
    pub fn saturating_sub(self, other: Money) -> Money {
        Money((self.0 - other.0).max(Decimal::ZERO))
    }

    /// `self − other`; `None` when it would be negative.
    pub fn checked_sub(self, other: Money) -> Option<Money> {
        (self.0 >= other.0).then(|| Money(self.0 - other.0))
    }

    /// The signed difference `self − other`, for adjustments.
    pub fn diff(self, other: Money) -> Decimal {
        self.0 - other.0
    }
}

impl Add for Money {
    type Output = Money;
    fn add(self, other: Money) -> Money {
        Money(self.0 + other.0)
    }
}

impl Sum for Money {
    fn sum<I: Iterator<Item = Money>>(iter: I) -> Money {
        iter.fold(Money::ZERO, Add::add)
    }
}

impl fmt::Display for Money {
    /// Always two decimals: "114.60", "0.00".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.write_text(&mut [0; 24]))
    }
}

impl TryFrom<String> for Money {
    type Error = MoneyError;
    fn try_from(text: String) -> Result<Money, MoneyError> {
        Money::parse(&text)
    }
}

impl From<Money> for String {
    fn from(money: Money) -> String {
        money.to_string()
    }
}

impl FromStr for Money {
    type Err = MoneyError;
    fn from_str(text: &str) -> Result<Money, MoneyError> {
        Money::parse(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn parses_what_people_type() {
        assert_eq!(Money::parse("12").unwrap().to_string(), "12.00");
        assert_eq!(Money::parse(" 12.5 ").unwrap().to_string(), "12.50");
        assert_eq!(Money::parse("0.01").unwrap(), Money::from_fen(1));
        assert_eq!(Money::parse("-0").unwrap(), Money::ZERO);
    }

    #[test]
    fn is_written_with_two_decimals_whatever_its_scale() {
        for (money, text) in [
            (Money::ZERO, "0.00"),
            (Money::parse("-0").unwrap(), "0.00"),
            (Money::from_fen(5), "0.05"),
            (Money::from_fen(1_050), "10.50"),
            (Money::round_half_up(dec!(3.14159)), "3.14"),
            (Money::yuan(MAX_YUAN), "100000000.00"),
            (
                Money::parse("7.0").unwrap() + Money::parse("0.1").unwrap(),
                "7.10",
            ),
        ] {
            assert_eq!(money.to_string(), text);
            assert_eq!(
                serde_json::to_string(&money).unwrap(),
                format!("\"{text}\"")
            );
        }
    }

    #[test]
    fn refuses_nonsense_with_a_reason() {
        assert_eq!(Money::parse(""), Err(MoneyError::Empty));
        assert!(matches!(
            Money::parse("abc"),
            Err(MoneyError::NotANumber(_))
        ));
        assert!(matches!(
            Money::parse("1e3"),
            Err(MoneyError::NotANumber(_))
        ));
        assert!(matches!(
            Money::parse("12.345"),
            Err(MoneyError::TooManyDecimals(_))
        ));
        assert!(matches!(Money::parse("-5"), Err(MoneyError::Negative(_))));
        assert!(matches!(
            Money::parse("100000000.01"),
            Err(MoneyError::TooLarge(_))
        ));
        assert!(
            Money::parse("12.300").is_ok(),
            "trailing zeros are not extra precision"
        );
    }

    #[test]
    fn rounds_half_up_not_to_even() {
        assert_eq!(Money::round_half_up(dec!(0.005)).to_string(), "0.01");
        assert_eq!(Money::round_half_up(dec!(0.015)).to_string(), "0.02");
        assert_eq!(Money::round_half_up(dec!(0.025)).to_string(), "0.03");
        assert_eq!(Money::round_half_up(dec!(2.675)).to_string(), "2.68");
        assert_eq!(Money::round_half_up(dec!(0.0049999)).to_string(), "0.00");
    }

    #[test]
    fn serialises_as_a_string_and_validates_on_the_way_in() {
        let json = serde_json::to_string(&Money::from_fen(11460)).unwrap();
        assert_eq!(json, "\"114.60\"");
        assert_eq!(
            serde_json::from_str::<Money>("\"114.6\"").unwrap(),
            Money::from_fen(11460)
        );
        assert!(serde_json::from_str::<Money>("\"-1\"").is_err());
        assert!(
            serde_json::from_str::<Money>("114.6").is_err(),
            "numbers are refused"
        );
    }

    #[test]
    fn subtraction_never_goes_negative() {
        let a = Money::yuan(5);
        let b = Money::yuan(7);
        assert_eq!(a.saturating_sub(b), Money::ZERO);
        assert_eq!(a.checked_sub(b), None);
        assert_eq!(b.checked_sub(a), Some(Money::yuan(2)));
        assert_eq!(a.diff(b), dec!(-2));
    }
}

#[cfg(test)]
mod fen_tests {
    use super::Money;

    #[test]
    fn fen_round_trip_exactly() {
        for s in ["0", "0.01", "12.5", "390.00", "99999.99"] {
            let m = Money::parse(s).unwrap();
            assert_eq!(Money::from_fen(m.fen()), m, "{s}");
        }
        assert_eq!(Money::parse("12.5").unwrap().fen(), 1250);
    }
}
