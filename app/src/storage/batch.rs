//! Writes to several stores that must land together — all or none — such as a settlement, its
//! outbox entry and the removal of the form's draft.

use serde::Serialize;

use super::{StorageError, StoreName};

/// A record written is carried as its JSON text (serialised once, parsed once by the store).
#[derive(Debug, Clone, PartialEq)]
pub enum Write {
    /// Inserts or replaces.
    Put(StoreName, String, String),
    /// Inserts; the whole batch fails with [`StorageError::Conflict`] if the key exists.
    Insert(StoreName, String, String),
    Delete(StoreName, String),
}

impl Write {
    pub fn store(&self) -> StoreName {
        match self {
            Write::Put(store, ..) | Write::Insert(store, ..) | Write::Delete(store, _) => *store,
        }
    }
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Batch {
    pub writes: Vec<Write>,
}

impl Batch {
    pub fn put(
        &mut self,
        store: StoreName,
        key: &str,
        value: &impl Serialize,
    ) -> Result<(), StorageError> {
        self.add(Write::Put, store, key, value)
    }

    pub fn insert(
        &mut self,
        store: StoreName,
        key: &str,
        value: &impl Serialize,
    ) -> Result<(), StorageError> {
        self.add(Write::Insert, store, key, value)
    }

    fn add(
        &mut self,
        write: fn(StoreName, String, String) -> Write,
        store: StoreName,
        key: &str,
        value: &impl Serialize,
    ) -> Result<(), StorageError> {
        let value = serde_json::to_string(value)
            .map_err(|e| StorageError::Format(format!("{store}/{key}: {e}")))?;
        self.writes.push(write(store, key.to_string(), value));
        Ok(())
    }

    pub fn delete(&mut self, store: StoreName, key: &str) {
        self.writes.push(Write::Delete(store, key.to_string()));
    }

    /// The stores written, each once.
    pub fn stores(&self) -> Vec<StoreName> {
        let mut stores: Vec<StoreName> = self.writes.iter().map(Write::store).collect();
        crate::sort::sort(&mut stores);
        stores.dedup();
        stores
    }
}
