//! What a new catalogue version changes against the one in force: items added, removed, and
//! changed in what a claim is paid by (price, class, payment standard, first self-pay ratio),
//! shown to the township before it publishes.

use serde::{Deserialize, Serialize};

use crate::catalogue::{Catalogue, CatalogueItem, ItemClass};
use crate::names::ItemCode;
use crate::quantity::Ratio;
use crate::text::{Bilingual, Text};
use crate::unit_price::UnitPrice;

#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CatalogueDiff {
    pub added: Vec<ItemRef>,
    pub removed: Vec<ItemRef>,
    pub changed: Vec<ItemChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemRef {
    pub code: ItemCode,
    pub name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ItemChange {
    pub code: ItemCode,
    pub name: String,
    pub changes: Vec<FieldChange>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "field", rename_all = "snake_case")]
pub enum FieldChange {
    Name {
        from: String,
        to: String,
    },
    Class {
        from: ItemClass,
        to: ItemClass,
    },
    Price {
        from: UnitPrice,
        to: UnitPrice,
    },
    PaymentStandard {
        from: Option<UnitPrice>,
        to: Option<UnitPrice>,
    },
    FirstSelfPayRatio {
        from: Option<Ratio>,
        to: Option<Ratio>,
    },
    /// Limits, restrictions, specification or unit.
    Other,
}

impl CatalogueDiff {
    pub fn is_empty(&self) -> bool {
        self.added.is_empty() && self.removed.is_empty() && self.changed.is_empty()
    }
}

/// The difference from `old` to `new`, in `new`'s order (removed items in `old`'s).
pub fn diff(old: &Catalogue, new: &Catalogue) -> CatalogueDiff {
    let old_items: std::collections::HashMap<&ItemCode, &CatalogueItem> =
        old.items.iter().map(|i| (&i.code, i)).collect();
    let new_codes: std::collections::HashSet<&ItemCode> =
        new.items.iter().map(|i| &i.code).collect();
    let mut result = CatalogueDiff::default();
    for item in &new.items {
        match old_items.get(&item.code) {
            None => result.added.push(item_ref(item)),
            Some(before) => {
                let changes = changes(before, item);
                if !changes.is_empty() {
                    result.changed.push(ItemChange {
                        code: item.code.clone(),
                        name: item.name.clone(),
                        changes,
                    });
                }
            }
        }
    }
    result.removed = old
        .items
        .iter()
        .filter(|i| !new_codes.contains(&i.code))
        .map(item_ref)
        .collect();
    result
}

fn item_ref(item: &CatalogueItem) -> ItemRef {
    ItemRef {
        code: item.code.clone(),
        name: item.name.clone(),
    }
}

fn changes(a: &CatalogueItem, b: &CatalogueItem) -> Vec<FieldChange> {
    let mut out = Vec::new();
    if a.name != b.name {
        out.push(FieldChange::Name {
            from: a.name.clone(),
            to: b.name.clone(),
        });
    }
    if a.class != b.class {
        out.push(FieldChange::Class {
            from: a.class,
            to: b.class,
        });
    }
    if a.price != b.price {
        out.push(FieldChange::Price {
            from: a.price,
            to: b.price,
        });
    }
    if a.payment_standard != b.payment_standard {
        out.push(FieldChange::PaymentStandard {
            from: a.payment_standard,
            to: b.payment_standard,
        });
    }
    if a.first_self_pay_ratio != b.first_self_pay_ratio {
        out.push(FieldChange::FirstSelfPayRatio {
            from: a.first_self_pay_ratio,
            to: b.first_self_pay_ratio,
        });
    }
    let rest = |i: &CatalogueItem| {
        (
            i.kind,
            i.specification.clone(),
            i.unit.clone(),
            i.per_visit_limit,
            i.per_period_limit.clone(),
            i.diagnosis_restriction.clone(),
            i.sex_restriction,
            (i.min_age, i.max_age),
            i.facility_levels.clone(),
        )
    };
    if rest(a) != rest(b) {
        out.push(FieldChange::Other);
    }
    out
}

fn class_words(class: ItemClass) -> (&'static str, &'static str) {
    match class {
        ItemClass::A => ("甲类", "class A"),
        ItemClass::B => ("乙类", "class B"),
        ItemClass::SelfPay => ("自费", "self-pay"),
    }
}

fn or_none<T: std::fmt::Display>(value: &Option<T>) -> (String, String) {
    match value {
        Some(v) => (v.to_string(), v.to_string()),
        None => ("无".into(), "none".into()),
    }
}

impl Bilingual for FieldChange {
    fn text(&self) -> Text {
        let from_to =
            |zh: &str, en: &str, (fz, fe): (String, String), (tz, te): (String, String)| {
                Text::new(format!("{zh}：{fz} → {tz}"), format!("{en}: {fe} → {te}"))
            };
        match self {
            FieldChange::Name { from, to } => from_to(
                "名称",
                "name",
                (from.clone(), from.clone()),
                (to.clone(), to.clone()),
            ),
            FieldChange::Class { from, to } => {
                let (f, t) = (class_words(*from), class_words(*to));
                from_to(
                    "类别",
                    "class",
                    (f.0.into(), f.1.into()),
                    (t.0.into(), t.1.into()),
                )
            }
            FieldChange::Price { from, to } => from_to(
                "价格",
                "price",
                (from.to_string(), from.to_string()),
                (to.to_string(), to.to_string()),
            ),
            FieldChange::PaymentStandard { from, to } => {
                from_to("支付标准", "payment standard", or_none(from), or_none(to))
            }
            FieldChange::FirstSelfPayRatio { from, to } => from_to(
                "先行自付比例",
                "first self-pay ratio",
                or_none(from),
                or_none(to),
            ),
            FieldChange::Other => Text::new(
                "其他属性（规格、单位、限量或限定范围）有变化",
                "other attributes (specification, unit, limits or restrictions) changed",
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sample;

    #[test]
    fn added_removed_and_paid_by_changes_are_named() {
        let old = sample::catalogue();
        let mut new = old.clone();
        let removed = new.items.remove(0);
        new.items[0].price = UnitPrice::parse("99.99").unwrap();
        new.items[0].class = ItemClass::SelfPay;
        new.items[1].unit = "瓶".into();
        let mut extra = new.items[2].clone();
        extra.code = ItemCode::parse("NEW0001").unwrap();
        new.items.push(extra);

        let d = diff(&old, &new);
        assert_eq!(d.removed, [item_ref(&removed)]);
        assert_eq!(d.added.len(), 1);
        assert_eq!(d.added[0].code.as_str(), "NEW0001");
        assert_eq!(d.changed.len(), 2);
        assert_eq!(d.changed[0].code, new.items[0].code);
        assert!(matches!(
            d.changed[0].changes[0],
            FieldChange::Class {
                to: ItemClass::SelfPay,
                ..
            }
        ));
        assert!(matches!(d.changed[0].changes[1], FieldChange::Price { .. }));
        assert!(d.changed[0].changes[1].text().zh.ends_with("→ 99.99"));
        assert_eq!(d.changed[1].changes, [FieldChange::Other]);
        assert!(diff(&old, &old).is_empty());

        // A per-piece price changes by a hundredth of a fen; the same price written with more
        // zeros is no change.
        let mut a = old.clone();
        a.items.truncate(2);
        a.items[0].price = UnitPrice::parse("0.2083").unwrap();
        a.items[1].price = UnitPrice::parse("12.5").unwrap();
        let mut b = a.clone();
        b.items[0].price = UnitPrice::parse("0.208301").unwrap();
        b.items[1].price = UnitPrice::parse("12.500000").unwrap();
        let d = diff(&a, &b);
        assert_eq!(d.changed.len(), 1);
        assert_eq!(d.changed[0].changes[0].text().zh, "价格：0.2083 → 0.208301");
    }
}
