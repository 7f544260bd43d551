//! The values of a pushed body checked as its text is read, nothing built of it: every text
//! not too long and without control characters (NUL among them), every list bounded, every
//! date within [`YEARS`].

use chrono::{Datelike, NaiveDate};
use cunbao_domain::text::Text;
use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

/// The longest text a clinic types into any field (a name, a reason, a code).
const MAX_TEXT_CHARS: usize = 500;
/// The longest list of any kind in a mutation (lines, members of a receipt, diagnoses).
const MAX_LIST: usize = 200;
/// Dates outside these years are a typing error or an attack, never a visit or an enrolment.
const YEARS: std::ops::RangeInclusive<i32> = 1900..=2200;

/// Checks every value of `json`, a body as sent (already known to be JSON). A body that is
/// not JSON passes here: reading it says what is wrong.
pub fn check(json: &str) -> Result<(), Text> {
    let mut refused = None;
    let mut reader = serde_json::Deserializer::from_str(json);
    let _ = Walk(&mut refused).deserialize(&mut reader);
    refused.map_or(Ok(()), Err)
}

/// One value of the body; the first thing refused is kept in the slot it points to.
struct Walk<'a>(&'a mut Option<Text>);

impl Walk<'_> {
    fn refuse<E: de::Error>(self, text: Text) -> Result<(), E> {
        *self.0 = Some(text);
        Err(E::custom("refused"))
    }
}

impl<'de> DeserializeSeed<'de> for Walk<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, reader: D) -> Result<(), D::Error> {
        reader.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Walk<'_> {
    type Value = ();

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<(), E> {
        match check_text(s) {
            Ok(()) => Ok(()),
            Err(text) => self.refuse(text),
        }
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut items: A) -> Result<(), A::Error> {
        let mut count = 0;
        while items.next_element_seed(Walk(&mut *self.0))?.is_some() {
            count += 1;
            if count > MAX_LIST {
                return self.refuse(Text::new(
                    format!("列表过长（最多{MAX_LIST}项）"),
                    format!("A list is too long (at most {MAX_LIST} entries)"),
                ));
            }
        }
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(self, mut fields: A) -> Result<(), A::Error> {
        while fields.next_key_seed(Walk(&mut *self.0))?.is_some() {
            fields.next_value_seed(Walk(&mut *self.0))?;
        }
        Ok(())
    }
}

/// One text of the body: not too long, no control characters, a date within [`YEARS`].
fn check_text(s: &str) -> Result<(), Text> {
    // Bytes bound characters from above: most texts are far shorter than the limit.
    if s.len() > MAX_TEXT_CHARS && s.chars().count() > MAX_TEXT_CHARS {
        return Err(Text::new(
            format!("文字过长（最多{MAX_TEXT_CHARS}个字）"),
            format!("A text is too long (at most {MAX_TEXT_CHARS} characters)"),
        ));
    }
    let control = if s.is_ascii() {
        s.bytes().any(|b| b.is_ascii_control())
    } else {
        s.chars().any(char::is_control)
    };
    if control {
        return Err(Text::new(
            "文字中含有控制字符",
            "A text contains control characters",
        ));
    }
    // Only a text with two '-' can read as a date ("%Y-%m-%d"): the others skip the parse.
    let maybe_date = s.bytes().filter(|&b| b == b'-').count() >= 2;
    if let Some(date) = maybe_date
        .then(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok())
        .flatten()
    {
        if !YEARS.contains(&date.year()) {
            return Err(Text::new(
                format!("日期{s}超出范围"),
                format!("The date {s} is out of range"),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn refused(value: serde_json::Value) -> Option<String> {
        check(&value.to_string()).err().map(|t| t.en)
    }

    #[test]
    fn every_text_key_list_and_date_is_checked_at_any_depth() {
        let fine = json!({ "a": ["x", 1, 2.5, true, null, { "b": "2026-12-01", "长": "王秀兰" }] });
        assert_eq!(refused(fine), None);
        let long = "长".repeat(MAX_TEXT_CHARS + 1);
        assert!(refused(json!({ "a": [{ "b": long }] }))
            .unwrap()
            .contains("too long"));
        assert_eq!(refused(json!({ "a": "长".repeat(MAX_TEXT_CHARS) })), None);
        assert!(refused(json!({ "a\u{0}": 1 })).unwrap().contains("control"));
        assert!(refused(json!(["ok", "a\u{7}b"]))
            .unwrap()
            .contains("control"));
        assert!(refused(json!(["王\u{85}秀兰"]))
            .unwrap()
            .contains("control"));
        assert!(refused(json!({ "d": "0001-01-01" }))
            .unwrap()
            .contains("out of range"));
        assert_eq!(refused(json!({ "d": "1900-01-01" })), None);
        assert!(refused(json!({ "d": "2201-01-01" }))
            .unwrap()
            .contains("out of range"));
        let list = |n: usize| serde_json::Value::Array(vec![json!(0); n]);
        assert!(refused(json!({ "x": [list(201)] }))
            .unwrap()
            .contains("too long"));
        assert_eq!(refused(json!({ "x": list(200) })), None);
    }
}
