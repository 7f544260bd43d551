//! The in-memory store: the reference implementation of [`Store`], used by native tests.

use std::collections::BTreeMap;
use std::sync::Mutex;

use serde_json::Value;

use super::last_keys::LastKeys;
use super::{Batch, IndexName, StorageError, Store, StoreName, Write};

#[derive(Debug, Default)]
pub struct MemoryStore {
    records: Mutex<BTreeMap<StoreName, BTreeMap<String, Value>>>,
    last_keys: LastKeys,
}

impl MemoryStore {
    pub fn new() -> MemoryStore {
        MemoryStore::default()
    }

    fn with<R>(&self, f: impl FnOnce(&mut BTreeMap<StoreName, BTreeMap<String, Value>>) -> R) -> R {
        let mut records = self.records.lock().unwrap_or_else(|e| e.into_inner());
        f(&mut records)
    }
}

impl Store for MemoryStore {
    async fn get(&self, store: StoreName, key: &str) -> Result<Option<Value>, StorageError> {
        Ok(self.with(|r| r.get(&store).and_then(|s| s.get(key)).cloned()))
    }

    async fn put_all(
        &self,
        store: StoreName,
        records: &[(String, Value)],
    ) -> Result<(), StorageError> {
        self.with(|r| {
            let s = r.entry(store).or_default();
            for (key, value) in records {
                s.insert(key.clone(), value.clone());
            }
        });
        Ok(())
    }

    async fn delete(&self, store: StoreName, key: &str) -> Result<(), StorageError> {
        self.with(|r| r.get_mut(&store).map(|s| s.remove(key)));
        Ok(())
    }

    async fn all(&self, store: StoreName) -> Result<Vec<(String, Value)>, StorageError> {
        let records: Vec<(String, Value)> = self.with(|r| {
            r.get(&store)
                .map(|s| s.iter().map(|(k, v)| (k.clone(), v.clone())).collect())
                .unwrap_or_default()
        });
        self.last_keys
            .note(store, records.last().map(|(last, _)| last.as_str()));
        Ok(records)
    }

    async fn all_in(
        &self,
        index: IndexName,
        value: &str,
    ) -> Result<Vec<(String, Value)>, StorageError> {
        Ok(self.with(|r| {
            r.get(&index.store())
                .into_iter()
                .flatten()
                .filter(|(_, record)| index.value_of(record) == Some(value))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        }))
    }

    async fn count_in(&self, index: IndexName, value: &str) -> Result<u32, StorageError> {
        Ok(self.all_in(index, value).await?.len() as u32)
    }

    async fn all_after(
        &self,
        store: StoreName,
        key: &str,
    ) -> Result<Vec<(String, Value)>, StorageError> {
        use std::ops::Bound::{Excluded, Unbounded};
        Ok(self.with(|r| {
            r.get(&store)
                .into_iter()
                .flat_map(|s| s.range::<str, _>((Excluded(key), Unbounded)))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect()
        }))
    }

    async fn count_after(&self, store: StoreName, key: &str) -> Result<u32, StorageError> {
        Ok(self.all_after(store, key).await?.len() as u32)
    }

    async fn count(&self, store: StoreName) -> Result<u32, StorageError> {
        Ok(self.with(|r| r.get(&store).map_or(0, |s| s.len() as u32)))
    }

    async fn last_key(&self, store: StoreName) -> Result<Option<String>, StorageError> {
        let last = self.with(|r| r.get(&store).and_then(|s| s.keys().next_back().cloned()));
        self.last_keys.note(store, last.as_deref());
        Ok(last)
    }

    fn known_last_key(&self, store: StoreName) -> Option<Option<String>> {
        self.last_keys.get(store)
    }

    async fn commit_durable(&self, batch: &Batch) -> Result<(), StorageError> {
        // Everything is parsed before anything is written, so nothing can fail half-way.
        let parse = |store: &StoreName, key: &str, text: &str| {
            serde_json::from_str::<Value>(text)
                .map_err(|e| StorageError::Format(format!("{store}/{key}: {e}")))
        };
        let mut writes = Vec::with_capacity(batch.writes.len());
        for write in &batch.writes {
            writes.push(match write {
                Write::Put(store, key, text) | Write::Insert(store, key, text) => {
                    (*store, key, Some(parse(store, key, text)?))
                }
                Write::Delete(store, key) => (*store, key, None),
            });
        }
        self.with(|r| {
            // Check every insert first: all or none.
            for write in &batch.writes {
                if let Write::Insert(store, key, _) = write {
                    if r.get(store).is_some_and(|s| s.contains_key(key)) {
                        return Err(StorageError::Conflict(format!("{store}/{key}")));
                    }
                }
            }
            for (store, key, value) in writes {
                match value {
                    Some(value) => {
                        r.entry(store).or_default().insert(key.clone(), value);
                    }
                    None => {
                        r.get_mut(&store).map(|s| s.remove(key));
                    }
                }
            }
            Ok(())
        })?;
        self.last_keys.note_inserts(batch);
        Ok(())
    }
}
