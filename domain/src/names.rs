//! Validated text a person types: names, phone numbers, item codes; and pinyin initials for
//! search (阿莫西林胶囊 → amxljn).

use crate::text::{Bilingual, Text};
use std::fmt;

use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TextError {
    EmptyName,
    NameTooLong,
    NameCharacter(char),
    Phone,
    Code,
}

impl Bilingual for TextError {
    fn text(&self) -> Text {
        match self {
            TextError::EmptyName => Text::new("姓名不能为空", "the name is empty"),
            TextError::NameTooLong => Text::new(
                "姓名过长（最多30字）",
                "the name is too long (at most 30 characters)",
            ),
            TextError::NameCharacter(c) => Text::new(
                format!("姓名含有无效字符“{c}”"),
                format!("the name contains an invalid character {c:?}"),
            ),
            TextError::Phone => Text::new(
                "电话号码无效：应为11位手机号或带区号的座机号",
                "not a valid phone number: 11-digit mobile or a landline with area code",
            ),
            TextError::Code => Text::new(
                "编码无效：1–40位字母、数字或“-._”",
                "not a valid code: 1–40 letters, digits or -._",
            ),
        }
    }
}

crate::bilingual_error!(TextError);

/// A person's name: 1–30 characters, letters (any script), spaces and the middle dots of
/// minority names (·).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String")]
#[cfg_attr(feature = "openapi", schema(value_type = String))]
pub struct PersonName(String);
crate::serialize_by_display!(PersonName);

impl PersonName {
    pub fn parse(text: &str) -> Result<PersonName, TextError> {
        let name = text.trim();
        if name.is_empty() {
            return Err(TextError::EmptyName);
        }
        if name.chars().count() > 30 {
            return Err(TextError::NameTooLong);
        }
        if let Some(c) = name
            .chars()
            .find(|&c| !(c.is_alphabetic() || c == ' ' || c == '·' || c == '•'))
        {
            return Err(TextError::NameCharacter(c));
        }
        Ok(PersonName(name.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn initials(&self) -> String {
        pinyin_initials(&self.0)
    }
}

/// A mobile (11 digits starting 1[3-9]) or a landline with area code (0xx-xxxxxxx).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String")]
#[cfg_attr(feature = "openapi", schema(value_type = String))]
pub struct Phone(String);
crate::serialize_by_display!(Phone);

impl Phone {
    pub fn parse(text: &str) -> Result<Phone, TextError> {
        let digits: String = text.chars().filter(|c| !matches!(c, ' ' | '-')).collect();
        let all_digits = digits.bytes().all(|b| b.is_ascii_digit());
        let mobile = digits.len() == 11
            && digits.starts_with('1')
            && matches!(digits.as_bytes()[1], b'3'..=b'9');
        let landline = digits.starts_with('0') && (10..=12).contains(&digits.len());
        if all_digits && (mobile || landline) {
            Ok(Phone(digits))
        } else {
            Err(TextError::Phone)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A catalogue item code (national medical-insurance codes are letters and digits).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(try_from = "String")]
#[cfg_attr(feature = "openapi", schema(value_type = String))]
pub struct ItemCode(String);
crate::serialize_by_display!(ItemCode);

impl ItemCode {
    pub fn parse(text: &str) -> Result<ItemCode, TextError> {
        let code = text.trim();
        let ok = (1..=40).contains(&code.len())
            && code
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_'));
        if ok {
            Ok(ItemCode(code.to_ascii_uppercase()))
        } else {
            Err(TextError::Code)
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! text_conversions {
    ($($ty:ident),*) => {$(
        impl TryFrom<String> for $ty {
            type Error = TextError;
            fn try_from(text: String) -> Result<$ty, TextError> {
                $ty::parse(&text)
            }
        }
        impl From<$ty> for String {
            fn from(value: $ty) -> String {
                value.0
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
    )*};
}
text_conversions!(PersonName, Phone, ItemCode);

/// Lowercase pinyin initials of the Chinese characters in `text` (first reading of each);
/// ASCII letters and digits are kept, lowercased; everything else is dropped.
pub fn pinyin_initials(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match initial(c) {
            Some(letter) => out.push(letter),
            None if c.is_ascii_alphanumeric() => out.push(c.to_ascii_lowercase()),
            None => {}
        }
    }
    out
}

/// Each CJK character's pinyin first letter (U+3400 to U+9FFF; 0 for none), made at build time.
static INITIALS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/initials.bin"));
const FIRST_CJK: u32 = 0x3400;

/// The first letter of `c`'s reading, for a Chinese character.
fn initial(c: char) -> Option<char> {
    let at = (c as u32).checked_sub(FIRST_CJK)?;
    match INITIALS.get(at as usize) {
        Some(&b) if b != 0 => Some(char::from(b)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_has_the_pinyin_crates_first_letter_of_every_character() {
        use pinyin::ToPinyin;
        let mut read = 0;
        for code in FIRST_CJK..=0x9FFF {
            let c = char::from_u32(code).unwrap();
            let expected = c.to_pinyin().map(|py| py.first_letter().to_string());
            let got = initial(c).map(String::from);
            match (&expected, &got) {
                (Some(e), Some(g)) if e.is_ascii() => assert_eq!(e, g, "{c}"),
                (Some(_), Some(g)) => assert!(g.is_ascii(), "{c}: a toned letter kept plain"),
                (None, None) => {}
                _ => panic!("{c}: {expected:?} against {got:?}"),
            }
            read += usize::from(got.is_some());
        }
        assert!(read > 20_000, "{read} characters have a reading");
        assert_eq!(INITIALS.len(), 0x9FFF - 0x3400 + 1);
    }

    #[test]
    fn pinyin_initials_for_search() {
        assert_eq!(pinyin_initials("阿莫西林胶囊"), "amxljn");
        assert_eq!(pinyin_initials("硝苯地平缓释片"), "xbdphsp");
        assert_eq!(pinyin_initials("维生素B6片"), "wssb6p");
        assert_eq!(pinyin_initials("张三"), "zs");
        assert_eq!(pinyin_initials("0.9%氯化钠注射液"), "09lhnzsy");
    }

    #[test]
    fn names() {
        assert_eq!(PersonName::parse(" 李四 ").unwrap().as_str(), "李四");
        assert_eq!(
            PersonName::parse("阿依古丽·买买提").unwrap().initials(),
            "aygl·mmt".replace('·', "")
        );
        assert_eq!(PersonName::parse(""), Err(TextError::EmptyName));
        assert_eq!(PersonName::parse("张3"), Err(TextError::NameCharacter('3')));
        assert_eq!(
            PersonName::parse(&"王".repeat(31)),
            Err(TextError::NameTooLong)
        );
    }

    #[test]
    fn phones() {
        assert_eq!(
            Phone::parse("138 0013 8000").unwrap().as_str(),
            "13800138000"
        );
        assert_eq!(
            Phone::parse("0771-1234567").unwrap().as_str(),
            "07711234567"
        );
        assert_eq!(Phone::parse("12800138000"), Err(TextError::Phone));
        assert_eq!(Phone::parse("1380013800"), Err(TextError::Phone));
        assert_eq!(Phone::parse("phone"), Err(TextError::Phone));
    }

    #[test]
    fn codes() {
        assert_eq!(
            ItemCode::parse(" xa01caa001 ").unwrap().as_str(),
            "XA01CAA001"
        );
        assert_eq!(ItemCode::parse(""), Err(TextError::Code));
        assert_eq!(ItemCode::parse("阿莫"), Err(TextError::Code));
    }
}
