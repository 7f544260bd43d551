//! Reading a pushed batch one mutation at a time: a mutation that cannot be read, or carries
//! text or values no clinic would send, is answered `rejected` with a code on its own, and the
//! rest of the batch is applied — nothing a tablet sends can stall its queue.

use cunbao_domain::claim::Claim;
use cunbao_domain::sync::{
    valid_username, Mutation, MutationBody, MutationResult, Operator, MAX_DISPLAY_NAME_CHARS,
    MAX_USERNAME_CHARS,
};
use cunbao_domain::text::Text;
use serde::de::value::MapAccessDeserializer;
use serde::de::{MapAccess, Visitor};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;

/// A pushed mutation as it arrived: its place in the device's sequence and its record id are
/// read first, the body only after the checks below. The body is kept as the text sent (its
/// JSON checked, nothing built of it): it is checked and read from that text once, and logged
/// as it is.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMutation {
    pub seq: u64,
    pub record_id: String,
    /// Who made it; absent from tablets older than the field (the pusher stands in).
    #[serde(default)]
    pub operator: Option<Value>,
    pub body: Box<RawValue>,
}

/// The most lines a visit at a village clinic can have.
pub const MAX_CLAIM_LINES: usize = 100;
/// The longest record id; ids are letters, digits, '.', '_' and '-' only, so that the ids the
/// server derives from them (with ':') can never collide with one a tablet sends.
const MAX_ID_CHARS: usize = 64;

/// Whether a tablet may use `id` as a record id.
pub fn valid_record_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= MAX_ID_CHARS
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
}

/// The mutation, or the answer that refuses it.
pub fn read(raw: &RawMutation) -> Result<Mutation, Box<MutationResult>> {
    let refuse = |code: &str, text: Text| {
        Box::new(MutationResult::unreadable(
            raw.seq,
            &raw.record_id,
            code,
            text,
        ))
    };
    if !valid_record_id(&raw.record_id) {
        return Err(refuse(
            "bad_record_id",
            Text::new(
                format!("记录编号只能由字母、数字和“._-”组成，最长{MAX_ID_CHARS}个字符"),
                format!(
                    "A record id is letters, digits and '._-' only, at most {MAX_ID_CHARS} \
                     characters"
                ),
            ),
        ));
    }
    let operator = match raw.operator.as_ref().map(read_operator).transpose() {
        Ok(operator) => operator,
        Err(text) => return Err(refuse("bad_operator", text)),
    };
    if let Err(text) = super::body_values::check(raw.body.get()) {
        return Err(refuse("bad_value", text));
    }
    let body = match read_body(raw.body.get()) {
        Ok(body) => body,
        Err(err) => {
            return Err(refuse(
                "unreadable",
                Text::new(
                    format!("无法读取该记录：{err}"),
                    format!("The mutation cannot be read: {err}"),
                ),
            ))
        }
    };
    if let MutationBody::Claim(claim) = &body {
        if claim.lines.len() > MAX_CLAIM_LINES {
            return Err(refuse(
                "too_many_lines",
                Text::new(
                    format!("一次就诊最多{MAX_CLAIM_LINES}行"),
                    format!("A visit has at most {MAX_CLAIM_LINES} lines"),
                ),
            ));
        }
    }
    Ok(Mutation {
        seq: raw.seq,
        record_id: raw.record_id.clone(),
        operator,
        body,
    })
}

/// A body read into its type. A claim (most of what is pushed) whose tag comes first, as
/// tablets send it, is read straight into a [`Claim`]; any other body, or a claim that does
/// not read that way, is read as tagged (which first copies the whole body aside to find its
/// tag) and says what is wrong.
fn read_body(text: &str) -> Result<MutationBody, serde_json::Error> {
    match claim_tagged_first(text) {
        Some(claim) => Ok(MutationBody::Claim(Box::new(claim))),
        None => serde_json::from_str(text),
    }
}

/// The claim, if `text` is an object whose first field is `"type": "claim"` and the rest
/// reads as a claim.
fn claim_tagged_first(text: &str) -> Option<Claim> {
    struct TagFirst;
    impl<'de> Visitor<'de> for TagFirst {
        type Value = Option<Claim>;

        fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
            f.write_str("a claim")
        }

        fn visit_map<A: MapAccess<'de>>(self, mut fields: A) -> Result<Option<Claim>, A::Error> {
            if fields.next_key::<String>()?.as_deref() != Some("type")
                || fields.next_value::<String>()? != "claim"
            {
                return Ok(None);
            }
            Claim::deserialize(MapAccessDeserializer::new(fields)).map(Some)
        }
    }
    let mut reader = serde_json::Deserializer::from_str(text);
    let claim = serde::Deserializer::deserialize_map(&mut reader, TagFirst).ok()??;
    reader.end().ok()?;
    Some(claim)
}

/// The operator as sent: a plausible username and a display name of at most
/// [`MAX_DISPLAY_NAME_CHARS`] characters without control characters. Whether the user exists
/// and belongs to the clinic is checked when the batch is applied.
fn read_operator(value: &Value) -> Result<Operator, Text> {
    let refused = || {
        Text::new(
            format!(
                "经办人无效：用户名只能由字母、数字和“._-”组成，最长{MAX_USERNAME_CHARS}个字符；\
                 姓名最长{MAX_DISPLAY_NAME_CHARS}个字，不含控制字符"
            ),
            format!(
                "The operator is not valid: a username is letters, digits and '._-' only, at \
                 most {MAX_USERNAME_CHARS} characters; a name at most \
                 {MAX_DISPLAY_NAME_CHARS} characters, without control characters"
            ),
        )
    };
    let operator = Operator::deserialize(value).map_err(|_| refused())?;
    let name = &operator.display_name;
    if !valid_username(&operator.username)
        || name.trim().is_empty()
        || name.chars().count() > MAX_DISPLAY_NAME_CHARS
        || name.chars().any(char::is_control)
    {
        return Err(refused());
    }
    Ok(operator)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn raw(record_id: &str, body: Value) -> RawMutation {
        RawMutation {
            seq: 1,
            record_id: record_id.into(),
            operator: None,
            body: RawValue::from_string(body.to_string()).unwrap(),
        }
    }

    fn void(reason: &str) -> Value {
        json!({ "type": "void", "target_record_id": "k-1", "reason": reason })
    }

    #[test]
    fn a_readable_mutation_is_read_and_a_crafted_one_refused_with_a_code() {
        assert!(read(&raw("k-2", void("录入错误"))).is_ok());
        let code = |r: RawMutation| read(&r).unwrap_err().code.unwrap();
        assert_eq!(code(raw("adj:k-1", void("x"))), "bad_record_id");
        assert_eq!(code(raw("", void("x"))), "bad_record_id");
        assert_eq!(code(raw(&"k".repeat(65), void("x"))), "bad_record_id");
        assert_eq!(code(raw("k-2", void("a\u{0}b"))), "bad_value");
        assert_eq!(code(raw("k-2", void(&"长".repeat(501)))), "bad_value");
        assert_eq!(
            code(raw(
                "k-2",
                json!({ "type": "void", "target_record_id": "0001-01-01", "reason": "x" })
            )),
            "bad_value"
        );
        assert_eq!(
            code(raw("k-2", json!({ "type": "nonsense" }))),
            "unreadable"
        );
        assert_eq!(
            code(raw("k-2", Value::Array(vec![json!(1); 201]))),
            "bad_value"
        );
    }

    #[test]
    fn a_claim_reads_the_same_with_its_tag_first_or_anywhere_else() {
        use chrono::Datelike;
        use cunbao_domain::{id_number, names::ItemCode, policy::Policy, quantity::Quantity};
        use cunbao_domain::{sample, settlement::LineInput};
        let catalogue = sample::catalogue();
        let line = |code: &str| {
            let item = catalogue.get(&ItemCode::parse(code).unwrap()).unwrap();
            LineInput::from_item(item, Quantity::whole(2))
        };
        let date = chrono::NaiveDate::from_ymd_opt(2025, 3, 9).unwrap();
        let body = sample::general_outpatient_claim(
            &Policy::sample_2025(),
            &catalogue.version,
            id_number::compose("450324", date.with_year(1971).unwrap(), 7),
            date,
            vec![line("S110200001"), line("XJ01CAA001")],
            Default::default(),
        );
        // As serialised: the tag first, read straight into the claim.
        let sent = serde_json::to_string(&body).unwrap();
        assert!(sent.starts_with(r#"{"type":"claim","#), "{sent}");
        assert_eq!(
            claim_tagged_first(&sent).map(|c| MutationBody::Claim(Box::new(c))),
            Some(body.clone())
        );
        assert_eq!(read_body(&sent).unwrap(), body);
        // Keys in alphabetical order: the tag is not first, and the body reads the same.
        let sorted = serde_json::to_value(&body).unwrap().to_string();
        assert!(!sorted.starts_with(r#"{"type""#), "{sorted}");
        assert_eq!(claim_tagged_first(&sorted), None);
        assert_eq!(read_body(&sorted).unwrap(), body);
        // What either way refuses, the fast way refuses too.
        let with = |extra: &str| format!("{}{extra}}}", &sent[..sent.len() - 1]);
        for crafted in [
            with(r#","extra":1"#),
            with(r#","type":"claim""#),
            format!("{sent} 1"),
        ] {
            assert!(read_body(&crafted).is_err(), "{crafted}");
            assert!(
                serde_json::from_str::<MutationBody>(&crafted).is_err(),
                "{crafted}"
            );
        }
        // Another kind with its tag first goes the general way.
        let void = r#"{"type":"void","target_record_id":"k-1","reason":"录入错误"}"#;
        assert_eq!(claim_tagged_first(void), None);
        assert!(matches!(
            read_body(void).unwrap(),
            MutationBody::Void { .. }
        ));
    }

    #[test]
    fn an_operator_is_read_with_limits_and_may_be_absent() {
        let with = |operator: Value| RawMutation {
            operator: Some(operator),
            ..raw("k-2", void("录入错误"))
        };
        let who =
            |username: &str, name: &str| json!({ "username": username, "display_name": name });
        let read_ok = read(&with(who("lijia", "王秀兰"))).unwrap();
        assert_eq!(read_ok.operator.unwrap().display_name, "王秀兰");
        assert_eq!(read(&raw("k-2", void("x"))).unwrap().operator, None);
        let code = |r: RawMutation| read(&r).unwrap_err().code.unwrap();
        for bad in [
            who("", "王秀兰"),
            who(&"a".repeat(65), "王秀兰"),
            who("li jia", "王秀兰"),
            who("lijia'--", "王秀兰"),
            who("lijia", ""),
            who("lijia", &"王".repeat(51)),
            who("lijia", "王\u{7}秀兰"),
            json!("lijia"),
            json!({ "username": "lijia" }),
            json!({ "username": "lijia", "display_name": "王秀兰", "role": "administrator" }),
        ] {
            assert_eq!(code(with(bad.clone())), "bad_operator", "{bad}");
        }
        assert!(read(&with(who(&"a".repeat(64), &"王".repeat(50)))).is_ok());
    }
}
