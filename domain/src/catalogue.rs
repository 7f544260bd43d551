//! The medical-insurance catalogues (医保目录): drugs, service items and consumables, published
//! as immutable versions.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::id_number::Sex;
use crate::names::{pinyin_initials, ItemCode};
use crate::quantity::{Quantity, Ratio};
use crate::text_search::{first_found, PrefixIndex, SubstringIndex};
use crate::unit_price::UnitPrice;

/// Where care is given: the level of the facility.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum FacilityLevel {
    /// 村卫生室
    VillageClinic,
    /// 一级 (township health centre)
    Level1,
    Level2,
    Level3,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ItemKind {
    /// 药品
    Drug,
    /// 诊疗项目
    Service,
    /// 医用耗材
    Consumable,
}

/// Coverage class: 甲 (A) covered in full within policy, 乙 (B) with a first self-pay ratio,
/// or out of catalogue / 丙, paid entirely by the patient.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub enum ItemClass {
    A,
    B,
    #[serde(rename = "self_pay")]
    SelfPay,
}

impl ItemClass {
    pub const ALL: [ItemClass; 3] = [ItemClass::A, ItemClass::B, ItemClass::SelfPay];
}

/// A limit on how much may be dispensed within a number of days (限量).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PeriodLimit {
    pub quantity: Quantity,
    pub days: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CatalogueItem {
    pub code: ItemCode,
    pub name: String,
    /// Lowercase pinyin initials of the name, for search.
    pub pinyin: String,
    pub kind: ItemKind,
    pub class: ItemClass,
    /// 规格, e.g. "0.25g×24粒".
    pub specification: String,
    /// 单位, e.g. "盒".
    pub unit: String,
    /// The price per `unit`, up to six decimals (a tablet sold per piece: 0.2083).
    pub price: UnitPrice,
    /// 支付标准: the part of the price above it is the patient's.
    #[serde(default)]
    pub payment_standard: Option<UnitPrice>,
    /// 个人先行自付比例, for class B.
    #[serde(default)]
    pub first_self_pay_ratio: Option<Ratio>,
    #[serde(default)]
    pub per_visit_limit: Option<Quantity>,
    #[serde(default)]
    pub per_period_limit: Option<PeriodLimit>,
    /// ICD-10 code prefixes the item is restricted to (限定支付范围); empty: no restriction.
    #[serde(default)]
    pub diagnosis_restriction: Vec<String>,
    #[serde(default)]
    pub sex_restriction: Option<Sex>,
    #[serde(default)]
    pub min_age: Option<u32>,
    #[serde(default)]
    pub max_age: Option<u32>,
    /// Facility levels allowed to use it; empty: all.
    #[serde(default)]
    pub facility_levels: Vec<FacilityLevel>,
}

impl CatalogueItem {
    /// A minimal item; pinyin initials are derived from the name.
    pub fn new(
        code: ItemCode,
        name: &str,
        kind: ItemKind,
        class: ItemClass,
        price: UnitPrice,
    ) -> Self {
        CatalogueItem {
            code,
            pinyin: pinyin_initials(name),
            name: name.to_string(),
            kind,
            class,
            specification: String::new(),
            unit: String::new(),
            price,
            payment_standard: None,
            first_self_pay_ratio: None,
            per_visit_limit: None,
            per_period_limit: None,
            diagnosis_restriction: Vec::new(),
            sex_restriction: None,
            min_age: None,
            max_age: None,
            facility_levels: Vec::new(),
        }
    }

    /// Whether `query` (name fragment, pinyin initials or code prefix) finds this item.
    pub fn matches(&self, query: &str) -> bool {
        ItemQuery::new(query).matches(self)
    }
}

/// A catalogue search prepared once per keystroke, then tried against every item without
/// allocating.
#[derive(Debug, Clone)]
pub struct ItemQuery {
    text: String,
    lower: String,
}

impl ItemQuery {
    pub fn new(query: &str) -> ItemQuery {
        let text = query.trim().to_string();
        let lower = text.to_ascii_lowercase();
        ItemQuery { text, lower }
    }

    pub fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub fn matches(&self, item: &CatalogueItem) -> bool {
        if self.text.is_empty() {
            return false;
        }
        let code = item.code.as_str().as_bytes();
        item.name.contains(&self.text)
            || item.pinyin.starts_with(&self.lower)
            || (code.len() >= self.lower.len()
                && code[..self.lower.len()].eq_ignore_ascii_case(self.lower.as_bytes()))
    }
}

/// A list of items prepared once for searching as one types: the same answers as
/// [`ItemQuery::matches`] tried on each item, found through an index of the names' characters and
/// sorted lists of the pinyin initials and of the codes (see [`crate::text_search`]).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ItemSearch {
    names: SubstringIndex,
    initials: PrefixIndex,
    /// Lower case: codes are found in any case.
    codes: PrefixIndex,
}

impl ItemSearch {
    pub fn new(items: &[CatalogueItem]) -> ItemSearch {
        let codes: Vec<String> = items
            .iter()
            .map(|item| item.code.as_str().to_ascii_lowercase())
            .collect();
        ItemSearch {
            names: SubstringIndex::new(items.iter().map(|item| item.name.as_str())),
            initials: PrefixIndex::new(items.iter().map(|item| item.pinyin.as_str())),
            codes: PrefixIndex::new(codes.iter().map(String::as_str)),
        }
    }

    /// Indices (into the list this was built from) of the first `limit` items, in catalogue
    /// order, that `query` finds.
    pub fn find(&self, query: &str, limit: usize) -> Vec<usize> {
        let query = ItemQuery::new(query);
        first_found(
            vec![
                self.names.containing(&query.text),
                self.initials.starting_with(&query.lower, limit),
                self.codes.starting_with(&query.lower, limit),
            ],
            limit,
        )
    }
}

/// One published, immutable version of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Catalogue {
    pub version: String,
    pub published_on: NaiveDate,
    pub items: Vec<CatalogueItem>,
}

impl Catalogue {
    pub fn get(&self, code: &ItemCode) -> Option<&CatalogueItem> {
        self.items.iter().find(|item| &item.code == code)
    }

    /// The items any patient may have for a cold: no diagnosis, sex or age restriction
    /// (sample visits and benchmarks).
    pub fn unrestricted(&self) -> Vec<&CatalogueItem> {
        self.items
            .iter()
            .filter(|item| {
                item.diagnosis_restriction.is_empty()
                    && item.sex_restriction.is_none()
                    && item.min_age.is_none()
                    && item.max_age.is_none()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::synthetic;

    #[test]
    fn item_search_finds_what_matching_each_item_finds() {
        let catalogue = synthetic::catalogue(3_000, 7);
        let search = ItemSearch::new(&catalogue.items);
        let last = &catalogue.items[2_999];
        let queries = [
            "a".to_string(),
            "amxl".into(),
            "阿莫西林".into(),
            last.name.clone(),
            last.code.to_string(),
            last.code.to_string().to_lowercase(),
            "  一般诊疗费 ".into(),
            "不存在".into(),
            " ".into(),
        ];
        for query in queries {
            for limit in [1, 8, 5_000] {
                let q = ItemQuery::new(&query);
                let expected: Vec<usize> = (0..catalogue.items.len())
                    .filter(|&i| q.matches(&catalogue.items[i]))
                    .take(limit)
                    .collect();
                assert_eq!(search.find(&query, limit), expected, "{query:?} / {limit}");
            }
        }
        assert!(search.find(&last.name, 8).contains(&2_999));
    }
}
