//! The catalogue on this device, held in memory once loaded, searchable by name, pinyin
//! initials or code as one types.

use std::collections::HashMap;

use cunbao_domain::catalogue::{CatalogueItem, ItemSearch};

use crate::storage::{StorageError, Store, StoreName};
use crate::sync::setup;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct CatalogueIndex {
    pub version: String,
    items: Vec<CatalogueItem>,
    by_code: HashMap<String, usize>,
    search: ItemSearch,
}

impl CatalogueIndex {
    pub fn new(version: String, items: Vec<CatalogueItem>) -> CatalogueIndex {
        let by_code = items
            .iter()
            .enumerate()
            .map(|(i, item)| (item.code.to_string(), i))
            .collect();
        let search = ItemSearch::new(&items);
        CatalogueIndex {
            version,
            items,
            by_code,
            search,
        }
    }

    /// The version in force on this device (items of other versions are ignored).
    pub async fn load(store: &impl Store) -> Result<CatalogueIndex, StorageError> {
        let Some(version) = setup::catalogue_version(store).await? else {
            return Ok(CatalogueIndex::default());
        };
        let prefix = format!("{version}|");
        let items = store
            .all(StoreName::CatalogueItems)
            .await?
            .into_iter()
            .filter(|(key, _)| key.starts_with(&prefix))
            .filter_map(|(_, value)| serde_json::from_value(value).ok())
            .collect();
        Ok(CatalogueIndex::new(version, items))
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn get(&self, code: &str) -> Option<&CatalogueItem> {
        self.by_code.get(code).map(|&i| &self.items[i])
    }

    /// The first `limit` items, in catalogue order, whose name contains `query` or whose
    /// pinyin initials or code start with it.
    pub fn search(&self, query: &str, limit: usize) -> Vec<&CatalogueItem> {
        self.search
            .find(query, limit)
            .into_iter()
            .map(|i| &self.items[i])
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::storage::memory::MemoryStore;
    use crate::storage::meta::{self, MetaKey};
    use futures::executor::block_on;
    use serde_json::json;

    /// Items stored before prices had six decimals ("12.50") read as they are, beside a
    /// per-piece price; each is shown as it was stored.
    #[test]
    fn items_stored_with_two_decimal_prices_still_read() {
        block_on(async {
            let store = MemoryStore::default();
            meta::put(&store, MetaKey::CatalogueVersion, &"v1")
                .await
                .unwrap();
            let item = |code: &str, price: &str, standard: Option<&str>| {
                json!({
                    "code": code, "name": "硝苯地平缓释片", "pinyin": "xbdphsp",
                    "kind": "drug", "class": "B", "specification": "20mg×30片", "unit": "盒",
                    "price": price, "payment_standard": standard,
                    "first_self_pay_ratio": "0.1", "per_visit_limit": "2",
                })
            };
            for (code, value) in [
                ("X1", item("X1", "31.60", Some("30.00"))),
                ("X2", item("X2", "0.2083", Some("0.2"))),
            ] {
                store
                    .put(StoreName::CatalogueItems, &format!("v1|{code}"), value)
                    .await
                    .unwrap();
            }
            let index = CatalogueIndex::load(&store).await.unwrap();
            assert_eq!(index.len(), 2);
            let old = index.get("X1").unwrap();
            assert_eq!(old.price.to_string(), "31.60");
            assert_eq!(old.payment_standard.unwrap().to_string(), "30.00");
            let per_piece = index.get("X2").unwrap();
            assert_eq!(per_piece.price.to_string(), "0.2083");
            assert_eq!(per_piece.payment_standard.unwrap().to_string(), "0.20");
        })
    }
}
