//! The greatest key a store handle has itself seen in each store — read with `last_key` or
//! `all`, or inserted through it — so the next outbox number can be chosen without a read. Another tab
//! may have added greater keys since: an insert after a stale key then fails with
//! [`StorageError::Conflict`](super::StorageError::Conflict) and the caller reads the real last
//! key. It is never ahead of the database, since outbox keys are not deleted while it is open.
//! A store read and found empty is known too (its last key is known to be none).

use std::collections::BTreeMap;
use std::sync::Mutex;

use super::{Batch, StoreName, Write};

#[derive(Debug, Default)]
pub struct LastKeys(Mutex<BTreeMap<StoreName, Option<String>>>);

impl LastKeys {
    /// `None`: not known; `Some(None)`: the store was empty when read.
    pub fn get(&self, store: StoreName) -> Option<Option<String>> {
        self.0
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(&store)
            .cloned()
    }

    /// Notes the last key read from `store` (`None`: it was empty), or inserted into it;
    /// keeps the greater of it and the one known.
    pub fn note(&self, store: StoreName, key: Option<&str>) {
        let mut known = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let newer = match known.get(&store) {
            None => true,
            Some(old) => old.as_deref() < key,
        };
        if newer {
            known.insert(store, key.map(str::to_string));
        }
    }

    /// Notes the keys a committed batch inserted.
    pub fn note_inserts(&self, batch: &Batch) {
        for write in &batch.writes {
            if let Write::Insert(store, key, _) = write {
                self.note(*store, Some(key));
            }
        }
    }
}
