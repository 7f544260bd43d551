//! The sample data shipped with Cunbao: the 2025 sample county policy (see `policy`) and a
//! catalogue of real, common village-clinic items (`data/catalogue-sample.csv`).

use chrono::NaiveDate;

use crate::catalogue::Catalogue;
use crate::catalogue_csv::parse_catalogue;

pub const SAMPLE_CATALOGUE_VERSION: &str = "sample-2025.1";

pub fn catalogue() -> Catalogue {
    parse_catalogue(
        include_str!("../data/catalogue-sample.csv"),
        SAMPLE_CATALOGUE_VERSION,
        NaiveDate::from_ymd_opt(2025, 1, 1).expect("valid date"),
    )
    .expect("the shipped sample catalogue is valid")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalogue::{ItemClass, ItemKind};
    use crate::names::ItemCode;

    #[test]
    fn the_sample_catalogue_is_large_varied_and_searchable() {
        let c = catalogue();
        assert!(c.items.len() >= 300, "{}", c.items.len());
        for kind in [ItemKind::Drug, ItemKind::Service, ItemKind::Consumable] {
            assert!(
                c.items.iter().filter(|i| i.kind == kind).count() >= 40,
                "{kind:?}"
            );
        }
        for class in [ItemClass::A, ItemClass::B, ItemClass::SelfPay] {
            assert!(c.items.iter().any(|i| i.class == class), "{class:?}");
        }
        let amox = c.get(&ItemCode::parse("XJ01CAA001").unwrap()).unwrap();
        assert_eq!(
            (amox.name.as_str(), amox.pinyin.as_str()),
            ("阿莫西林胶囊", "amxljn")
        );
        assert!(c.items.iter().filter(|i| i.matches("amxl")).count() >= 3);
        assert!(c.items.iter().any(|i| i.matches("一般诊疗费")));
        // Codes match by prefix, in either case.
        assert!(c.items.iter().any(|i| i.matches("xj01caa00")));
        assert!(!c.items.iter().any(|i| i.matches("  ")));
    }

    #[test]
    fn pinyin_initials_come_from_the_pinyin_crate_for_every_item() {
        for item in catalogue().items {
            assert!(!item.pinyin.is_empty(), "{}", item.name);
            assert!(
                item.pinyin.bytes().all(|b| b.is_ascii_alphanumeric()),
                "{}",
                item.pinyin
            );
        }
    }
}
