//! The tablet's local storage: one trait, an in-memory implementation (native tests, and a
//! fallback) and the IndexedDB one (rexie) the app runs on. Every implementation passes the
//! shared test suite in `app/tests/store_suite/`.

pub mod batch;
pub mod data_steps;
pub mod last_keys;
pub mod memory;
pub mod meta;
pub mod records;
pub mod schema;

#[cfg(target_arch = "wasm32")]
pub mod durable;
#[cfg(target_arch = "wasm32")]
pub mod indexeddb;
#[cfg(target_arch = "wasm32")]
mod js_json;

pub use batch::{Batch, Write};
pub use schema::{IndexName, StoreName};

use cunbao_domain::text::{Bilingual, Text};
use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StorageError {
    Open(String),
    Operation(String),
    Format(String),
    /// An insert found its key taken (another tab wrote it first); nothing was written.
    Conflict(String),
}

impl Bilingual for StorageError {
    fn text(&self) -> Text {
        match self {
            StorageError::Open(why) => Text::new(
                format!("本地数据库无法打开：{why}"),
                format!("the local database cannot be opened: {why}"),
            ),
            StorageError::Operation(why) => Text::new(
                format!("本地数据库读写失败：{why}"),
                format!("local database operation failed: {why}"),
            ),
            StorageError::Format(why) => Text::new(
                format!("本地数据格式错误：{why}"),
                format!("stored data is not in the expected format: {why}"),
            ),
            StorageError::Conflict(key) => Text::new(
                format!("记录已存在：{key}"),
                format!("the record already exists: {key}"),
            ),
        }
    }
}

cunbao_domain::bilingual_error!(StorageError);

/// Records ready to be written to a store ([`Store::prepare`]); `sealed` when they are in the
/// form the database keeps (the vault's envelopes), else as given. (Only the vault, in the
/// browser, seals.)
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub struct Prepared {
    store: StoreName,
    records: Vec<(String, Value)>,
    sealed: bool,
}

#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
impl Prepared {
    /// Records already in the form the database keeps (for the vault's `prepare`).
    pub(crate) fn sealed(store: StoreName, records: Vec<(String, Value)>) -> Prepared {
        Prepared {
            store,
            records,
            sealed: true,
        }
    }

    /// The store, the records and whether they are sealed.
    pub(crate) fn parts(&self) -> (StoreName, &[(String, Value)], bool) {
        (self.store, &self.records, self.sealed)
    }
}

/// A key-value store with named object stores. Keys are strings; values are JSON, so money
/// (serialised as decimal strings) is stored exactly. Writes of several records in one call
/// are atomic.
#[allow(async_fn_in_trait)] // used generically, never as `dyn`; IndexedDB futures are !Send.
pub trait Store {
    async fn get(&self, store: StoreName, key: &str) -> Result<Option<Value>, StorageError>;

    /// The records under `keys`, in their order (none where there is none), read together:
    /// one transaction on IndexedDB rather than one per key.
    async fn get_many(
        &self,
        store: StoreName,
        keys: &[String],
    ) -> Result<Vec<Option<Value>>, StorageError> {
        let mut records = Vec::with_capacity(keys.len());
        for key in keys {
            records.push(self.get(store, key).await?);
        }
        Ok(records)
    }

    /// Inserts or replaces the records, all or none.
    async fn put_all(
        &self,
        store: StoreName,
        records: &[(String, Value)],
    ) -> Result<(), StorageError>;

    async fn delete(&self, store: StoreName, key: &str) -> Result<(), StorageError>;

    /// Every record of the store, in key order.
    async fn all(&self, store: StoreName) -> Result<Vec<(String, Value)>, StorageError>;

    async fn count(&self, store: StoreName) -> Result<u32, StorageError>;

    /// The records of the index's store whose indexed field is `value`, in key order, without
    /// reading the others.
    async fn all_in(
        &self,
        index: IndexName,
        value: &str,
    ) -> Result<Vec<(String, Value)>, StorageError>;

    /// The keys of the records [`Store::all_in`] would read, without reading them. (Through the
    /// vault, only for stores whose keys are stored as they are, like [`Store::last_key`].)
    async fn keys_in(&self, index: IndexName, value: &str) -> Result<Vec<String>, StorageError> {
        Ok(self
            .all_in(index, value)
            .await?
            .into_iter()
            .map(|(key, _)| key)
            .collect())
    }

    /// How many records of the index's store have `value` in its field, without reading them.
    async fn count_in(&self, index: IndexName, value: &str) -> Result<u32, StorageError>;

    /// The records whose key sorts after `key`, in key order, without reading the others.
    /// (Through the vault, only for stores whose keys are stored as they are, like
    /// [`Store::last_key`].)
    async fn all_after(
        &self,
        store: StoreName,
        key: &str,
    ) -> Result<Vec<(String, Value)>, StorageError>;

    /// How many records [`Store::all_after`] would read, without reading them.
    async fn count_after(&self, store: StoreName, key: &str) -> Result<u32, StorageError>;

    /// The greatest key in the store, without reading the records. (Through the vault, only
    /// for stores whose keys are stored as they are: the outbox, meta and the public ones.)
    async fn last_key(&self, store: StoreName) -> Result<Option<String>, StorageError>;

    /// Commits the batch in one transaction (all or none), reported done only once it is on
    /// disk (strict durability): for what must survive a power cut the moment the user is
    /// told it is saved — settlements, contributions, every outbox entry.
    async fn commit_durable(&self, batch: &Batch) -> Result<(), StorageError>;

    /// The greatest key of `store` this handle has read (with `last_key` or `all`) or
    /// inserted, without reading the database; it may lag behind another tab's inserts (see
    /// [`last_keys`]). `None`: not known; `Some(None)`: the store was empty when read.
    fn known_last_key(&self, store: StoreName) -> Option<Option<String>>;

    /// [`Store::put_all`] with strict durability.
    async fn put_all_durable(
        &self,
        store: StoreName,
        records: &[(String, Value)],
    ) -> Result<(), StorageError> {
        let writes = records
            .iter()
            .map(|(key, value)| Write::Put(store, key.clone(), value.to_string()))
            .collect();
        self.commit_durable(&Batch { writes }).await
    }

    /// Records made ready to be written to `store` later with
    /// [`Store::commit_durable_with`]: the slow part of a write (sealing, in the vault) done
    /// ahead, while something that must be written with them is still being worked out.
    async fn prepare(
        &self,
        store: StoreName,
        records: Vec<(String, Value)>,
    ) -> Result<Prepared, StorageError> {
        Ok(Prepared {
            store,
            records,
            sealed: false,
        })
    }

    /// Commits `batch` and what [`Store::prepare`] made ready in one strict-durability
    /// transaction, all or none (a sync round's answers, a page of pulled records and the
    /// cursor past them land together). Nothing to write: no transaction.
    async fn commit_durable_with(
        &self,
        batch: &Batch,
        ready: &[Prepared],
    ) -> Result<(), StorageError> {
        let mut all = batch.clone();
        all.writes.extend(ready.iter().flat_map(|prepared| {
            prepared
                .records
                .iter()
                .map(|(key, value)| Write::Put(prepared.store, key.clone(), value.to_string()))
        }));
        if all.writes.is_empty() {
            return Ok(());
        }
        self.commit_durable(&all).await
    }

    async fn put(&self, store: StoreName, key: &str, value: Value) -> Result<(), StorageError> {
        self.put_all(store, &[(key.to_string(), value)]).await
    }

    async fn get_as<T: DeserializeOwned>(
        &self,
        store: StoreName,
        key: &str,
    ) -> Result<Option<T>, StorageError> {
        match self.get(store, key).await? {
            None => Ok(None),
            Some(value) => serde_json::from_value(value)
                .map(Some)
                .map_err(|e| StorageError::Format(format!("{store}/{key}: {e}"))),
        }
    }

    /// The records of [`Store::all_in`] that read as `T`; others (records of another shape
    /// kept in the same store, such as the server's) are left out.
    async fn all_in_as<T: DeserializeOwned>(
        &self,
        index: IndexName,
        value: &str,
    ) -> Result<Vec<T>, StorageError> {
        Ok(self
            .all_in(index, value)
            .await?
            .into_iter()
            .filter_map(|(_, v)| serde_json::from_value(v).ok())
            .collect())
    }

    async fn put_as<T: Serialize>(
        &self,
        store: StoreName,
        key: &str,
        value: &T,
    ) -> Result<(), StorageError> {
        let value = serde_json::to_value(value)
            .map_err(|e| StorageError::Format(format!("{store}/{key}: {e}")))?;
        self.put(store, key, value).await
    }
}
