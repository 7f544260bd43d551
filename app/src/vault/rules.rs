//! What is encrypted on the tablet and what is not, decided here alone (pure, tested natively).
//!
//! Records holding personal or claim data are stored as an *envelope*: `{"sealed": …}`, the
//! record encrypted with its key, plus — in clear — only what the local database indexes:
//! dates, receipt numbers and outbox states as they are, and a person's ID number as a keyed
//! hash (HMAC), never the number. The stored key of such a record is its keyed hash too
//! (notices are filed under keys naming the person), except in the outbox, whose keys are
//! sequence numbers read in order. The public catalogue and policies stay in clear, and so do
//! the small facts about the device in `meta` — but for the session (the token) and form
//! drafts, which are sealed.

use serde_json::{Map, Value};

use crate::storage::{IndexName, StoreName};

/// How a record is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    Clear,
    /// Encrypted; `keyed`: under the keyed hash of its key rather than the key.
    Sealed {
        keyed: bool,
    },
}

/// The field an envelope keeps its ciphertext in.
pub const SEALED: &str = "sealed";

/// How the record `key` of `store` is stored.
pub fn form(store: StoreName, key: &str) -> Form {
    match store {
        StoreName::CatalogueItems | StoreName::Policies => Form::Clear,
        StoreName::Meta if meta_sealed(key) => Form::Sealed { keyed: false },
        StoreName::Meta => Form::Clear,
        StoreName::Outbox => Form::Sealed { keyed: false },
        StoreName::Persons
        | StoreName::Households
        | StoreName::Enrolments
        | StoreName::Contributions
        | StoreName::Claims
        | StoreName::Notices => Form::Sealed { keyed: true },
    }
}

/// Whether the store keeps its records under keyed hashes (so its keys sort in no useful
/// order, and the records are put back in key order once opened).
pub fn keyed(store: StoreName) -> bool {
    // Every key of such a store has the same form; "" stands for any.
    form(store, "") == Form::Sealed { keyed: true }
}

/// The meta entries with someone's data in them: the session (the bearer token, the user) and
/// the drafts of forms (an ID number typed and not yet saved).
fn meta_sealed(key: &str) -> bool {
    key == "session" || key.starts_with("draft:")
}

/// Whether an index's values are personal (a person's ID number): the envelope then holds
/// their keyed hash, and a lookup hashes the value looked for.
pub fn personal(index: IndexName) -> bool {
    matches!(
        index,
        IndexName::ClaimsByPerson | IndexName::QualificationsByPerson
    )
}

/// The values `record` has in the indexes of `store`, as `(index, value)`, before hashing.
pub fn index_values(store: StoreName, record: &Value) -> Vec<(IndexName, String)> {
    IndexName::of(store)
        .filter_map(|index| Some((index, index.value_of(record)?.to_string())))
        .collect()
}

/// The envelope of a sealed record: the ciphertext and the index fields (already hashed where
/// personal), each at its key path.
pub fn envelope(sealed: String, fields: &[(IndexName, String)]) -> Value {
    let mut root = Map::new();
    root.insert(SEALED.into(), Value::String(sealed));
    for (index, value) in fields {
        let path: Vec<&str> = index.key_path().split('.').collect();
        insert_at(&mut root, &path, value);
    }
    Value::Object(root)
}

fn insert_at(map: &mut Map<String, Value>, path: &[&str], value: &str) {
    match path {
        [] => {}
        [last] => {
            map.insert((*last).into(), Value::String(value.into()));
        }
        [first, rest @ ..] => {
            let inner = map
                .entry(*first)
                .or_insert_with(|| Value::Object(Map::new()));
            if let Value::Object(inner) = inner {
                insert_at(inner, rest, value);
            }
        }
    }
}

/// The ciphertext of a stored value, if it is an envelope (a record stored before encryption
/// came, or a clear one, is not).
pub fn sealed_text(stored: &Value) -> Option<&str> {
    stored.get(SEALED)?.as_str()
}

/// What is bound to a record's ciphertext (AES-GCM associated data): where it is stored, so
/// that an envelope copied under another key or into another store does not open.
pub fn slot(store: StoreName, stored_key: &str) -> String {
    format!("{store}/{stored_key}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn residents_claims_outbox_session_and_drafts_are_sealed_and_the_catalogue_is_not() {
        for store in [
            StoreName::Persons,
            StoreName::Households,
            StoreName::Enrolments,
            StoreName::Contributions,
            StoreName::Claims,
            StoreName::Notices,
        ] {
            assert_eq!(form(store, "x"), Form::Sealed { keyed: true }, "{store}");
            assert!(keyed(store));
        }
        assert_eq!(
            form(StoreName::Outbox, "00000000000000000001"),
            Form::Sealed { keyed: false }
        );
        assert!(!keyed(StoreName::Outbox));
        assert_eq!(
            form(StoreName::Meta, "session"),
            Form::Sealed { keyed: false }
        );
        assert_eq!(
            form(StoreName::Meta, "draft:enrol"),
            Form::Sealed { keyed: false }
        );
        for key in ["pin", "device_id", "clinic", "pull_cursor", "lang"] {
            assert_eq!(form(StoreName::Meta, key), Form::Clear, "{key}");
        }
        assert_eq!(form(StoreName::CatalogueItems, "x"), Form::Clear);
        assert_eq!(form(StoreName::Policies, "x"), Form::Clear);
    }

    #[test]
    fn an_envelope_keeps_only_the_indexed_fields_beside_the_ciphertext() {
        let claim = json!({
            "person": "11010519491231002X", "visit_date": "2026-11-30",
            "patient_name": "韦春花", "diagnosis": "感冒",
        });
        let fields = index_values(StoreName::Claims, &claim);
        assert_eq!(fields.len(), 2);
        let hashed: Vec<(IndexName, String)> = fields
            .into_iter()
            .map(|(index, value)| {
                let value = if personal(index) {
                    "h(id)".into()
                } else {
                    value
                };
                (index, value)
            })
            .collect();
        let stored = envelope("CIPHERTEXT".into(), &hashed);
        assert_eq!(
            stored,
            json!({ "sealed": "CIPHERTEXT", "person": "h(id)", "visit_date": "2026-11-30" })
        );
        assert_eq!(sealed_text(&stored), Some("CIPHERTEXT"));
        assert_eq!(sealed_text(&claim), None);
        // The stored envelope is found by the same indexes, on the hashed value.
        assert_eq!(IndexName::ClaimsByPerson.value_of(&stored), Some("h(id)"));
        assert_eq!(
            IndexName::ClaimsByDate.value_of(&stored),
            Some("2026-11-30")
        );
    }

    #[test]
    fn an_outbox_envelope_keeps_its_state_at_the_nested_path() {
        let entry = json!({ "state": { "state": "pending" }, "mutation": { "name": "韦春花" } });
        let stored = envelope("C".into(), &index_values(StoreName::Outbox, &entry));
        assert_eq!(
            stored,
            json!({ "sealed": "C", "state": { "state": "pending" } })
        );
        assert_eq!(IndexName::OutboxByState.value_of(&stored), Some("pending"));
        assert!(!personal(IndexName::OutboxByState));
        assert!(personal(IndexName::QualificationsByPerson));
    }

    #[test]
    fn the_slot_names_the_store_and_the_stored_key() {
        assert_eq!(slot(StoreName::Claims, "ab12"), "claims/ab12");
    }
}
