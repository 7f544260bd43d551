//! [`Vault`]: the local database as the open desk sees it. Every read and write of residents'
//! data goes through it and is sealed or opened on the way (see [`super::rules`]); the
//! IndexedDB underneath holds only envelopes. It exists only while the desk is open: dropping
//! it drops the keys.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use futures::future::try_join_all;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::keys::{decode, encode, Keys};
use super::rules::{self, Form};
use super::webcrypto;
use crate::storage::indexeddb::IndexedDbStore;
use crate::storage::{Batch, IndexName, Prepared, StorageError, Store, StoreName, Write};

pub struct Vault {
    raw: Rc<IndexedDbStore>,
    keys: Keys,
    /// Keyed hashes already made in this opening (a record's key is hashed to read it and
    /// again to write it back): kept only while the desk is open, like the keys, and never
    /// more than [`HASHES_KEPT`].
    hashes: RefCell<HashMap<String, String>>,
    /// The outbox entries sealed in this opening, by stored key: the envelope's sealed text
    /// and what it holds. A sync round reads the entries back to send them; one stored
    /// exactly as sealed here opens without decrypting and parsing it again (issue 18, the
    /// round's first read). Kept only while the desk is open, never more than [`WRITTEN_KEPT`].
    written: RefCell<HashMap<String, (String, Value)>>,
}

const HASHES_KEPT: usize = 20_000;
/// About a day's work of a busy clinic, twice a sync batch.
const WRITTEN_KEPT: usize = 1_000;

/// What is encrypted: the record with its key (a keyed store's stored key is a hash).
#[derive(Serialize, Deserialize)]
struct Plain {
    k: String,
    v: Value,
}

fn hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut text = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        text.push(DIGITS[usize::from(b >> 4)] as char);
        text.push(DIGITS[usize::from(b & 15)] as char);
    }
    text
}

impl Vault {
    pub fn new(raw: Rc<IndexedDbStore>, keys: Keys) -> Vault {
        Vault {
            raw,
            keys,
            hashes: RefCell::default(),
            written: RefCell::default(),
        }
    }

    /// The database underneath, for what needs no key (counting, wiping).
    pub fn raw(&self) -> &Rc<IndexedDbStore> {
        &self.raw
    }

    /// The keyed hash of a personal value (an ID number, a key naming a person).
    pub async fn hash(&self, value: &str) -> Result<String, StorageError> {
        if let Some(known) = self.hashes.borrow().get(value) {
            return Ok(known.clone());
        }
        let hash = hex(&webcrypto::mac(&self.keys.index, value.as_bytes()).await?);
        let mut hashes = self.hashes.borrow_mut();
        if hashes.len() >= HASHES_KEPT {
            hashes.clear();
        }
        hashes.insert(value.to_string(), hash.clone());
        Ok(hash)
    }

    async fn stored_key(&self, store: StoreName, key: &str) -> Result<String, StorageError> {
        match rules::form(store, key) {
            Form::Sealed { keyed: true } => self.hash(key).await,
            _ => Ok(key.to_string()),
        }
    }

    /// The record as stored: `(stored key, envelope or clear value)`.
    async fn seal(
        &self,
        store: StoreName,
        key: &str,
        value: &Value,
    ) -> Result<(String, Value), StorageError> {
        let stored_key = self.stored_key(store, key).await?;
        if rules::form(store, key) == Form::Clear {
            return Ok((stored_key, value.clone()));
        }
        let plain = serde_json::to_vec(&Plain {
            k: key.to_string(),
            v: value.clone(),
        })
        .map_err(|e| StorageError::Format(e.to_string()))?;
        let slot = rules::slot(store, &stored_key);
        let sealed = webcrypto::encrypt(&self.keys.records, slot.as_bytes(), &plain).await?;
        let mut fields = rules::index_values(store, value);
        for (index, value) in &mut fields {
            if rules::personal(*index) {
                *value = self.hash(value).await?;
            }
        }
        let sealed = encode(&sealed);
        if store == StoreName::Outbox {
            let mut written = self.written.borrow_mut();
            if written.len() >= WRITTEN_KEPT {
                written.clear();
            }
            written.insert(stored_key.clone(), (sealed.clone(), value.clone()));
        }
        Ok((stored_key, rules::envelope(sealed, &fields)))
    }

    /// A stored record opened: `(key, value)`. A record stored before encryption came is read
    /// as it is (the first sign-in after the update seals them all: [`seal_legacy`]).
    async fn open(
        &self,
        store: StoreName,
        stored_key: &str,
        stored: Value,
    ) -> Result<(String, Value), StorageError> {
        let Some(text) = rules::sealed_text(&stored) else {
            return Ok((stored_key.to_string(), stored));
        };
        if store == StoreName::Outbox {
            if let Some((sealed, value)) = self.written.borrow().get(stored_key) {
                if sealed == text {
                    // The outbox's keys are stored as they are.
                    return Ok((stored_key.to_string(), value.clone()));
                }
            }
        }
        let unreadable = || StorageError::Format(format!("{store}: a record does not open"));
        let bytes = decode(text).ok_or_else(unreadable)?;
        let slot = rules::slot(store, stored_key);
        let plain = webcrypto::decrypt(&self.keys.records, slot.as_bytes(), &bytes)
            .await?
            .ok_or_else(unreadable)?;
        // Read as text, with the JSON reader every other record uses (one reader in the wasm,
        // not a second one for bytes: issue 18, the bundle).
        let plain = std::str::from_utf8(&plain).map_err(|_| unreadable())?;
        let Plain { k, v } =
            serde_json::from_str(plain).map_err(|e| StorageError::Format(e.to_string()))?;
        Ok((k, v))
    }

    /// The records as stored, sealed side by side.
    async fn seal_all(
        &self,
        store: StoreName,
        records: &[(String, Value)],
    ) -> Result<Vec<(String, Value)>, StorageError> {
        try_join_all(
            records
                .iter()
                .map(|(key, value)| self.seal(store, key, value)),
        )
        .await
    }

    /// Opens a list read in one go, and puts a keyed store's records back in key order.
    async fn open_all(
        &self,
        store: StoreName,
        stored: Vec<(String, Value)>,
    ) -> Result<Vec<(String, Value)>, StorageError> {
        let mut records = try_join_all(
            stored
                .into_iter()
                .map(|(key, value)| async move { self.open(store, &key, value).await }),
        )
        .await?;
        if rules::keyed(store) {
            crate::sort::sort_by(&mut records, |a, b| a.0.cmp(&b.0));
        }
        Ok(records)
    }

    /// A batch's writes in the form the database keeps (sealed, keys hashed where they are).
    async fn sealed_writes(&self, batch: &Batch) -> Result<Vec<Write>, StorageError> {
        try_join_all(batch.writes.iter().map(|write| async move {
            Ok::<Write, StorageError>(match write {
                Write::Put(store, key, text) => {
                    let value: Value = serde_json::from_str(text)
                        .map_err(|e| StorageError::Format(e.to_string()))?;
                    let (stored_key, stored) = self.seal(*store, key, &value).await?;
                    Write::Put(*store, stored_key, stored.to_string())
                }
                Write::Insert(store, key, text) => {
                    let value: Value = serde_json::from_str(text)
                        .map_err(|e| StorageError::Format(e.to_string()))?;
                    let (stored_key, stored) = self.seal(*store, key, &value).await?;
                    Write::Insert(*store, stored_key, stored.to_string())
                }
                Write::Delete(store, key) => {
                    Write::Delete(*store, self.stored_key(*store, key).await?)
                }
            })
        }))
        .await
    }

    async fn index_value(&self, index: IndexName, value: &str) -> Result<String, StorageError> {
        if rules::personal(index) {
            self.hash(value).await
        } else {
            Ok(value.to_string())
        }
    }
}

impl Store for Vault {
    async fn get(&self, store: StoreName, key: &str) -> Result<Option<Value>, StorageError> {
        let stored_key = self.stored_key(store, key).await?;
        match self.raw.get(store, &stored_key).await? {
            None => Ok(None),
            Some(stored) => Ok(Some(self.open(store, &stored_key, stored).await?.1)),
        }
    }

    async fn get_many(
        &self,
        store: StoreName,
        keys: &[String],
    ) -> Result<Vec<Option<Value>>, StorageError> {
        let stored_keys = try_join_all(keys.iter().map(|key| self.stored_key(store, key))).await?;
        let stored = self.raw.get_many(store, &stored_keys).await?;
        try_join_all(
            stored
                .into_iter()
                .zip(&stored_keys)
                .map(|(stored, key)| async move {
                    match stored {
                        None => Ok(None),
                        Some(stored) => Ok(Some(self.open(store, key, stored).await?.1)),
                    }
                }),
        )
        .await
    }

    async fn put_all(
        &self,
        store: StoreName,
        records: &[(String, Value)],
    ) -> Result<(), StorageError> {
        self.raw
            .put_all(store, &self.seal_all(store, records).await?)
            .await
    }

    async fn prepare(
        &self,
        store: StoreName,
        records: Vec<(String, Value)>,
    ) -> Result<Prepared, StorageError> {
        Ok(Prepared::sealed(
            store,
            self.seal_all(store, &records).await?,
        ))
    }

    async fn delete(&self, store: StoreName, key: &str) -> Result<(), StorageError> {
        let stored_key = self.stored_key(store, key).await?;
        self.raw.delete(store, &stored_key).await
    }

    async fn all(&self, store: StoreName) -> Result<Vec<(String, Value)>, StorageError> {
        let stored = self.raw.all(store).await?;
        self.open_all(store, stored).await
    }

    async fn count(&self, store: StoreName) -> Result<u32, StorageError> {
        self.raw.count(store).await
    }

    async fn all_in(
        &self,
        index: IndexName,
        value: &str,
    ) -> Result<Vec<(String, Value)>, StorageError> {
        let value = self.index_value(index, value).await?;
        let stored = self.raw.all_in(index, &value).await?;
        self.open_all(index.store(), stored).await
    }

    async fn keys_in(&self, index: IndexName, value: &str) -> Result<Vec<String>, StorageError> {
        hashed_keys(index.store())?;
        let value = self.index_value(index, value).await?;
        self.raw.keys_in(index, &value).await
    }

    async fn count_in(&self, index: IndexName, value: &str) -> Result<u32, StorageError> {
        let value = self.index_value(index, value).await?;
        self.raw.count_in(index, &value).await
    }

    async fn all_after(
        &self,
        store: StoreName,
        key: &str,
    ) -> Result<Vec<(String, Value)>, StorageError> {
        hashed_keys(store)?;
        let stored = self.raw.all_after(store, key).await?;
        self.open_all(store, stored).await
    }

    async fn count_after(&self, store: StoreName, key: &str) -> Result<u32, StorageError> {
        hashed_keys(store)?;
        self.raw.count_after(store, key).await
    }

    async fn last_key(&self, store: StoreName) -> Result<Option<String>, StorageError> {
        hashed_keys(store)?;
        self.raw.last_key(store).await
    }

    async fn commit_durable(&self, batch: &Batch) -> Result<(), StorageError> {
        let writes = self.sealed_writes(batch).await?;
        self.raw.commit_durable(&Batch { writes }).await
    }

    async fn commit_durable_with(
        &self,
        batch: &Batch,
        ready: &[Prepared],
    ) -> Result<(), StorageError> {
        let mut writes = self.sealed_writes(batch).await?;
        for prepared in ready {
            let (store, records, sealed) = prepared.parts();
            let sealed_now;
            let records = if sealed {
                records
            } else {
                sealed_now = self.seal_all(store, records).await?;
                &sealed_now
            };
            writes.extend(
                records
                    .iter()
                    .map(|(key, value)| Write::Put(store, key.clone(), value.to_string())),
            );
        }
        if writes.is_empty() {
            return Ok(());
        }
        self.raw.commit_durable(&Batch { writes }).await
    }

    fn known_last_key(&self, store: StoreName) -> Option<Option<String>> {
        if rules::keyed(store) {
            return None;
        }
        self.raw.known_last_key(store)
    }
}

/// Refuses to list or order the keys of a store whose keys are stored hashed.
fn hashed_keys(store: StoreName) -> Result<(), StorageError> {
    if rules::keyed(store) {
        return Err(StorageError::Operation(format!(
            "{store}: its keys are hashed and have no order"
        )));
    }
    Ok(())
}

/// Seals every record stored before encryption came (a tablet updated with data on it), in
/// place: once, at the sign-in that makes the tablet's data key.
pub async fn seal_legacy(vault: &Vault) -> Result<usize, StorageError> {
    let mut sealed = 0;
    for store in crate::storage::schema::current_stores() {
        let mut writes = Vec::new();
        for (stored_key, value) in vault.raw.all(store).await? {
            if rules::form(store, &stored_key) == Form::Clear
                || rules::sealed_text(&value).is_some()
            {
                continue;
            }
            writes.push(Write::Delete(store, stored_key.clone()));
            let (new_key, envelope) = vault.seal(store, &stored_key, &value).await?;
            writes.push(Write::Put(store, new_key, envelope.to_string()));
        }
        if !writes.is_empty() {
            sealed += writes.len() / 2;
            vault.raw.commit_durable(&Batch { writes }).await?;
        }
    }
    Ok(sealed)
}
