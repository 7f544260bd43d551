//! The 18-character resident ID number (居民身份证号码, GB 11643-1999): 6-digit region code,
//! 8-digit birth date, 3-digit sequence (odd for men, even for women), and an ISO 7064
//! MOD 11-2 check character.

use crate::text::{Bilingual, Text};
use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Sex {
    Male,
    Female,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String")]
#[cfg_attr(feature = "openapi", schema(value_type = String))]
pub struct IdNumber(String);
crate::serialize_by_display!(IdNumber);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdNumberError {
    Empty,
    Length { found: usize },
    Character { position: usize, found: char },
    Region { code: String },
    BirthDate { digits: String },
    CheckDigit { expected: char, found: char },
}

impl Bilingual for IdNumberError {
    fn text(&self) -> Text {
        match self {
            IdNumberError::Empty => Text::new("身份证号不能为空", "the ID number is empty"),
            IdNumberError::Length { found } => Text::new(
                format!("身份证号应为18位，现为{found}位"),
                format!("an ID number has 18 characters, this has {found}"),
            ),
            IdNumberError::Character { position, found } => Text::new(
                format!("第{position}位“{found}”无效：前17位必须是数字，第18位是数字或X"),
                format!(
                    "character {position} ({found:?}) is invalid: the first 17 must be digits, \
                     the 18th a digit or X"
                ),
            ),
            IdNumberError::Region { code } => Text::new(
                format!("前6位地区码“{code}”无效"),
                format!("the region code {code} (first 6 digits) is not valid"),
            ),
            IdNumberError::BirthDate { digits } => Text::new(
                format!("第7–14位出生日期“{digits}”不是有效日期"),
                format!("the birth date {digits} (digits 7–14) is not a real date"),
            ),
            IdNumberError::CheckDigit { expected, found } => Text::new(
                format!("校验位错误：第18位应为{expected}，现为{found}"),
                format!("wrong check digit: the 18th character should be {expected}, not {found}"),
            ),
        }
    }
}

crate::bilingual_error!(IdNumberError);

/// Province-level codes in use (the first two digits of the region code).
const PROVINCES: &[u8] = &[
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46, 50, 51, 52,
    53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
];
const WEIGHTS: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK: [char; 11] = ['1', '0', 'X', '9', '8', '7', '6', '5', '4', '3', '2'];

/// The check character for the first 17 digits (ISO 7064 MOD 11-2).
pub fn check_digit(first17: &[u8; 17]) -> char {
    let sum: u32 = first17
        .iter()
        .zip(WEIGHTS)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    CHECK[(sum % 11) as usize]
}

impl IdNumber {
    /// Validates an ID number as typed; a lowercase x is accepted and stored as X.
    pub fn parse(text: &str) -> Result<IdNumber, IdNumberError> {
        let text = as_typed(text);
        if text.is_empty() {
            return Err(IdNumberError::Empty);
        }
        let chars: Vec<char> = text.chars().collect();
        if chars.len() != 18 {
            return Err(IdNumberError::Length { found: chars.len() });
        }
        for (i, &c) in chars.iter().enumerate() {
            let ok = c.is_ascii_digit() || (i == 17 && c == 'X');
            if !ok {
                return Err(IdNumberError::Character {
                    position: i + 1,
                    found: c,
                });
            }
        }
        let bytes = text.as_bytes();
        let province = (bytes[0] - b'0') * 10 + (bytes[1] - b'0');
        if !PROVINCES.contains(&province) || &text[2..6] == "0000" && province != 71 {
            // A real region code names at least a prefecture below its province.
            return Err(IdNumberError::Region {
                code: text[..6].to_string(),
            });
        }
        birth_date_of(&text[6..14]).ok_or_else(|| IdNumberError::BirthDate {
            digits: text[6..14].to_string(),
        })?;
        let first17: &[u8; 17] = bytes[..17].try_into().expect("18 ASCII characters");
        let expected = check_digit(first17);
        if chars[17] != expected {
            return Err(IdNumberError::CheckDigit {
                expected,
                found: chars[17],
            });
        }
        Ok(IdNumber(text))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn birth_date(&self) -> NaiveDate {
        birth_date_of(&self.0[6..14]).expect("validated at parse")
    }

    /// The 17th digit: odd for men, even for women.
    pub fn sex(&self) -> Sex {
        if (self.0.as_bytes()[16] - b'0') % 2 == 1 {
            Sex::Male
        } else {
            Sex::Female
        }
    }

    pub fn region_code(&self) -> &str {
        &self.0[..6]
    }

    /// For lists: region code and last four kept, birth date hidden — `110105********002X`.
    pub fn masked(&self) -> String {
        format!("{}********{}", &self.0[..6], &self.0[14..])
    }

    /// Age in whole years on `date`.
    pub fn age_on(&self, date: NaiveDate) -> u32 {
        age_on(self.birth_date(), date)
    }
}

/// Whole years from `birth` to `date` (0 before the first birthday; 0 if `date` is earlier).
pub fn age_on(birth: NaiveDate, date: NaiveDate) -> u32 {
    let mut years = date.year() - birth.year();
    if (date.month(), date.day()) < (birth.month(), birth.day()) {
        years -= 1;
    }
    years.max(0) as u32
}

fn birth_date_of(digits: &str) -> Option<NaiveDate> {
    let year: i32 = digits[..4].parse().ok()?;
    let month: u32 = digits[4..6].parse().ok()?;
    let day: u32 = digits[6..8].parse().ok()?;
    if year < 1900 {
        return None;
    }
    NaiveDate::from_ymd_opt(year, month, day)
}

/// An ID number as people type and copy it, in the plain form: full-width digits and Ｘ (from a
/// Chinese input method) become ASCII, a lower-case x an X, and the spaces and hyphens some
/// cards and forms print between groups are left out. Nothing else is changed or dropped: a
/// 19th character stays, for [`IdNumber::parse`] to refuse with its count.
pub fn as_typed(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            'Ｘ' | 'ｘ' | 'x' => Some('X'),
            ' ' | '\u{3000}' | '\t' | '-' | '－' | '—' => None,
            c => Some(c),
        })
        .collect()
}

impl fmt::Display for IdNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for IdNumber {
    type Error = IdNumberError;
    fn try_from(text: String) -> Result<IdNumber, IdNumberError> {
        IdNumber::parse(&text)
    }
}

impl From<IdNumber> for String {
    fn from(id: IdNumber) -> String {
        id.0
    }
}

/// Builds a valid ID number from its parts (for sample and synthetic data).
pub fn compose(region: &str, birth: NaiveDate, sequence: u16) -> IdNumber {
    let first17 = format!("{region}{}{:03}", birth.format("%Y%m%d"), sequence % 1000);
    let digits: &[u8; 17] = first17.as_bytes().try_into().expect("17 digits");
    IdNumber::parse(&format!("{first17}{}", check_digit(digits))).expect("composed validly")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_read_as_people_type_them() {
        let plain = IdNumber::parse("11010519491231002X").unwrap();
        for typed in [
            "１１０１０５１９４９１２３１００２Ｘ",
            "110105 19491231 002x",
            "110105-19491231-002X",
            "  110105\u{3000}1949 1231 002X ",
        ] {
            assert_eq!(IdNumber::parse(typed), Ok(plain.clone()), "{typed:?}");
        }
        // A 19th character is refused with a message, never silently dropped.
        assert_eq!(
            IdNumber::parse("11010519491231002X1"),
            Err(IdNumberError::Length { found: 19 })
        );
        assert_eq!(
            IdNumber::parse("110105194912310021X")
                .unwrap_err()
                .text()
                .zh,
            "身份证号应为18位，现为19位"
        );
        assert_eq!(as_typed("１１０１０５"), "110105");
    }

    #[test]
    fn the_standard_example_is_valid_and_decodes() {
        let id = IdNumber::parse("11010519491231002x").unwrap();
        assert_eq!(id.as_str(), "11010519491231002X");
        assert_eq!(
            id.birth_date(),
            NaiveDate::from_ymd_opt(1949, 12, 31).unwrap()
        );
        assert_eq!(id.sex(), Sex::Female);
        assert_eq!(id.masked(), "110105********002X");
        assert_eq!(id.region_code(), "110105");
    }

    #[test]
    fn a_wrong_check_digit_says_what_it_should_be() {
        let err = IdNumber::parse("110105194912310021").unwrap_err();
        assert_eq!(
            err,
            IdNumberError::CheckDigit {
                expected: 'X',
                found: '1'
            }
        );
        assert!(err.to_string().contains("应为X"));
    }

    #[test]
    fn each_part_is_named_when_wrong() {
        assert_eq!(IdNumber::parse(" "), Err(IdNumberError::Empty));
        assert_eq!(
            IdNumber::parse("1101051949123100"),
            Err(IdNumberError::Length { found: 16 })
        );
        assert_eq!(
            IdNumber::parse("11010519491231A02X"),
            Err(IdNumberError::Character {
                position: 15,
                found: 'A'
            })
        );
        assert!(matches!(
            IdNumber::parse("990105194912310020"),
            Err(IdNumberError::Region { .. })
        ));
        assert_eq!(
            IdNumber::parse("110105194902300020"),
            Err(IdNumberError::BirthDate {
                digits: "19490230".into()
            })
        );
    }

    #[test]
    fn composed_numbers_are_valid() {
        let birth = NaiveDate::from_ymd_opt(2025, 3, 9).unwrap();
        let id = compose("450324", birth, 123);
        assert_eq!(id.birth_date(), birth);
        assert_eq!(id.sex(), Sex::Male);
        assert_eq!(compose("450324", birth, 124).sex(), Sex::Female);
    }

    #[test]
    fn ages() {
        let birth = NaiveDate::from_ymd_opt(2000, 6, 15).unwrap();
        assert_eq!(
            age_on(birth, NaiveDate::from_ymd_opt(2025, 6, 14).unwrap()),
            24
        );
        assert_eq!(
            age_on(birth, NaiveDate::from_ymd_opt(2025, 6, 15).unwrap()),
            25
        );
        assert_eq!(
            age_on(birth, NaiveDate::from_ymd_opt(1999, 1, 1).unwrap()),
            0
        );
    }
}
