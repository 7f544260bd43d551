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
