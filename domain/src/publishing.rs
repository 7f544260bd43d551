//! Publishing over the API (`POST /api/v1/publish/catalogue`, `POST /api/v1/publish/policy`):
//! what the township sends and what it is answered. The server checks the file whole, answers
//! the difference from the version in force and, unless it is a dry run, publishes it as an
//! immutable version — the same engine as `cunbao-server publish`.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::catalogue_csv::CsvError;
use crate::catalogue_diff::CatalogueDiff;
use crate::text::{Bilingual, Text};

/// A catalogue file to check and publish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PublishCatalogueRequest {
    /// The catalogue as CSV, with the header of `domain/data/catalogue-sample.csv`.
    pub csv: String,
    /// The day it takes effect.
    pub effective_from: NaiveDate,
    /// The new version's name; by default `catalogue-<effective_from>`.
    #[serde(default)]
    pub version: Option<String>,
    /// Check and compare only; publish nothing.
    #[serde(default)]
    pub dry_run: bool,
}

/// A policy file to check and publish.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct PublishPolicyRequest {
    /// The policy, in the shape of `domain/data/policy-2025.json` (its `version` names it).
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub policy: serde_json::Value,
    /// The day it takes effect; by default its coverage start.
    #[serde(default)]
    pub effective_from: Option<NaiveDate>,
    #[serde(default)]
    pub dry_run: bool,
}

/// The answer for a catalogue: what it changes against the version in force on its day, and
/// whether it was published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CataloguePublication {
    pub version: String,
    pub effective_from: NaiveDate,
    /// How many items the new version has.
    pub items: usize,
    /// The version in force on `effective_from`, which it is compared with.
    pub against: String,
    /// Items added and removed; items whose price, class, payment standard, first self-pay
    /// ratio or other attributes changed.
    #[serde(flatten)]
    pub diff: CatalogueDiff,
    /// The counts in words.
    pub summary: Text,
    /// Never `true` over the API: a township's publication waits for a second person.
    pub published: bool,
    /// The proposal made (none for a dry run): published when another user approves it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal_id: Option<String>,
}

/// The answer for a policy: what differs from the latest published for its year, and whether
/// it was published.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicyPublication {
    pub version: String,
    pub scheme_year: i32,
    pub effective_from: NaiveDate,
    /// Each difference in words (contribution, collection period, sections that differ).
    pub changes: Vec<Text>,
    /// Never `true` over the API: a township's publication waits for a second person.
    pub published: bool,
    /// The proposal made (none for a dry run): published when another user approves it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal_id: Option<String>,
}

/// One wrong line of a refused catalogue file, as the error body lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct LineProblem {
    /// The line of the file (1 is the header).
    pub line: usize,
    /// What is wrong, with the line named ("第4行：price：…").
    pub message_zh: String,
    pub message_en: String,
}

impl From<&CsvError> for LineProblem {
    fn from(e: &CsvError) -> LineProblem {
        let text = e.text();
        LineProblem {
            line: e.line,
            message_zh: text.zh,
            message_en: text.en,
        }
    }
}

/// "新增1项，删除0项，变更2项" / "1 added, 0 removed, 2 changed".
pub fn diff_summary(diff: &CatalogueDiff) -> Text {
    let (a, r, c) = (diff.added.len(), diff.removed.len(), diff.changed.len());
    Text::new(
        format!("新增{a}项，删除{r}项，变更{c}项"),
        format!("{a} added, {r} removed, {c} changed"),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue_diff::{FieldChange, ItemChange, ItemRef};
    use crate::names::ItemCode;
    use crate::unit_price::UnitPrice;

    #[test]
    fn the_answer_lists_added_removed_and_changed_at_the_top() {
        let code = ItemCode::parse("XA10BAA003").unwrap();
        let diff = CatalogueDiff {
            added: vec![ItemRef {
                code: code.clone(),
                name: "二甲双胍片（拆零）".into(),
            }],
            removed: vec![],
            changed: vec![ItemChange {
                code,
                name: "二甲双胍片（拆零）".into(),
                changes: vec![FieldChange::Price {
                    from: UnitPrice::parse("0.2083").unwrap(),
                    to: UnitPrice::parse("0.21").unwrap(),
                }],
            }],
        };
        let answer = CataloguePublication {
            version: "v2".into(),
            effective_from: NaiveDate::from_ymd_opt(2027, 1, 1).unwrap(),
            items: 10,
            against: "v1".into(),
            summary: diff_summary(&diff),
            diff,
            published: false,
            proposal_id: None,
        };
        let json = serde_json::to_value(&answer).unwrap();
        assert_eq!(json["added"][0]["code"], "XA10BAA003");
        assert_eq!(json["changed"][0]["changes"][0]["field"], "price");
        assert_eq!(json["changed"][0]["changes"][0]["from"], "0.2083");
        assert_eq!(json["summary"]["zh"], "新增1项，删除0项，变更1项");
        assert_eq!(
            serde_json::from_value::<CataloguePublication>(json).unwrap(),
            answer
        );
        let request: PublishCatalogueRequest =
            serde_json::from_str(r#"{"csv": "…", "effective_from": "2027-01-01"}"#).unwrap();
        assert_eq!((request.version, request.dry_run), (None, false));
        assert!(serde_json::from_str::<PublishCatalogueRequest>(
            r#"{"csv": "…", "effective_from": "2027-01-01", "publish": true}"#
        )
        .is_err());
    }
}
