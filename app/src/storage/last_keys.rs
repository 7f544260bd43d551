//! The greatest key a store handle has itself seen in each store — read with `last_key` or
//! `all`, or inserted through it — so the next outbox number can be chosen without a read. Another tab
//! may have added greater keys since: an insert after a stale key then fails with
//! [`StorageError::Conflict`](super::StorageError::Conflict) and the caller reads the real last
//! key. It is never ahead of the database, since outbox keys are not deleted while it is open.

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::{Batch, StoreName, Write};

#[derive(Debug, Default)]
pub struct LastKeys(Mutex<BTreeMap<StoreName, String>>);

impl LastKeys {
    pub fn get(&self, store: StoreName) -> Option<String> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&store)
            .cloned()
    }

    /// Keeps `key` if it is greater than the one known.
    pub fn note(&self, store: StoreName, key: &str) {
        let mut known = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if known.get(&store).is_none_or(|k| k.as_str() < key) {
            known.insert(store, key.to_string());
        }
    }

    /// Notes the keys a committed batch inserted.
    pub fn note_inserts(&self, batch: &Batch) {
        for write in &batch.writes {
            if let Write::Insert(store, key, _) = write {
                self.note(*store, key);
            }
        }
    }
}
