//! The IndexedDB store (rexie). One transaction per call, never held across another await.

use rexie::{Direction, Index, KeyRange, ObjectStore, Rexie, Transaction, TransactionMode};
use serde_json::Value;
use wasm_bindgen::JsValue;

use super::js_json::{from_js, from_js_all, to_js_all};
use super::last_keys::LastKeys;
use super::schema::{current_stores, IndexName, SCHEMA_VERSION};
use super::{StorageError, Store, StoreName};

pub struct IndexedDbStore {
    db: Rexie,
    /// A plain connection for strict-durability writes (see `durable`).
    strict: web_sys::IdbDatabase,
    last_keys: LastKeys,
}

fn op(e: impl std::fmt::Debug) -> StorageError {
    StorageError::Operation(format!("{e:?}"))
}

impl IndexedDbStore {
    /// Opens (creating or upgrading) the database `name` at the current schema version.
    pub async fn open(name: &str) -> Result<IndexedDbStore, StorageError> {
        let builder = current_stores().fold(
            Rexie::builder(name).version(SCHEMA_VERSION),
            |builder, store| {
                let object_store = IndexName::of(store).fold(
                    ObjectStore::new(store.as_str()),
                    |object_store, index| {
                        object_store.add_index(
                            Index::new(index.as_str(), index.key_path())
                                .unique(false)
                                .multi_entry(false),
                        )
                    },
                );
                builder.add_object_store(object_store)
            },
        );
        let db = builder
            .build()
            .await
            .map_err(|e| StorageError::Open(format!("{e:?}")))?;
        let strict = super::durable::open(name).await?;
        Ok(IndexedDbStore {
            db,
            strict,
            last_keys: LastKeys::default(),
        })
    }

    /// The schema version the opened database reports.
    pub fn version(&self) -> Result<u32, StorageError> {
        self.db.version().map_err(op)
    }

    pub fn close(self) {
        self.strict.close();
        self.db.close();
    }

    pub async fn delete_database(name: &str) -> Result<(), StorageError> {
        Rexie::delete(name).await.map_err(op)
    }
}

/// Pairs the keys read with the values read.
fn keyed(
    store: StoreName,
    keys: Vec<JsValue>,
    values: Vec<Value>,
) -> Result<Vec<(String, Value)>, StorageError> {
    keys.into_iter()
        .zip(values)
        .map(|(key, value)| {
            let key = key
                .as_string()
                .ok_or_else(|| StorageError::Format(format!("{store}: non-string key")))?;
            Ok((key, value))
        })
        .collect()
}

impl IndexedDbStore {
    /// A transaction on one store, and that store.
    fn on(
        &self,
        store: StoreName,
        mode: TransactionMode,
    ) -> Result<(Transaction, rexie::Store), StorageError> {
        let tx = self.db.transaction(&[store.as_str()], mode).map_err(op)?;
        let object_store = tx.store(store.as_str()).map_err(op)?;
        Ok((tx, object_store))
    }
}

impl Store for IndexedDbStore {
    async fn commit_durable(&self, batch: &super::Batch) -> Result<(), StorageError> {
        super::durable::commit(&self.strict, batch).await?;
        self.last_keys.note_inserts(batch);
        Ok(())
    }

    fn known_last_key(&self, store: StoreName) -> Option<Option<String>> {
        self.last_keys.get(store)
    }

    async fn get(&self, store: StoreName, key: &str) -> Result<Option<Value>, StorageError> {
        let (tx, object_store) = self.on(store, TransactionMode::ReadOnly)?;
        let value = object_store.get(JsValue::from_str(key)).await.map_err(op)?;
        tx.done().await.map_err(op)?;
        value
            .filter(|v| !v.is_undefined())
            .map(|v| from_js(&v))
            .transpose()
    }

    async fn get_many(
        &self,
        store: StoreName,
        keys: &[String],
    ) -> Result<Vec<Option<Value>>, StorageError> {
        if keys.is_empty() {
            return Ok(Vec::new());
        }
        let (tx, object_store) = self.on(store, TransactionMode::ReadOnly)?;
        // Every request at once, in one transaction.
        let values = futures::future::try_join_all(
            keys.iter()
                .map(|key| object_store.get(JsValue::from_str(key))),
        )
        .await
        .map_err(op)?;
        tx.done().await.map_err(op)?;
        values
            .into_iter()
            .map(|value| {
                value
                    .filter(|v| !v.is_undefined())
                    .map(|v| from_js(&v))
                    .transpose()
            })
            .collect()
    }

    async fn put_all(
        &self,
        store: StoreName,
        records: &[(String, Value)],
    ) -> Result<(), StorageError> {
        let values: Vec<(JsValue, JsValue)> = records
            .iter()
            .map(|(key, _)| JsValue::from_str(key))
            .zip(to_js_all(records.iter().map(|(_, value)| value))?)
            .collect();
        let (tx, object_store) = self.on(store, TransactionMode::ReadWrite)?;
        // Issue every request at once (polling them together), then wait for the commit.
        futures::future::try_join_all(
            values
                .iter()
                .map(|(key, value)| object_store.put(value, Some(key))),
        )
        .await
        .map_err(op)?;
        // Success is reported only once the transaction has committed.
        tx.commit().await.map_err(op)
    }

    async fn delete(&self, store: StoreName, key: &str) -> Result<(), StorageError> {
        let (tx, object_store) = self.on(store, TransactionMode::ReadWrite)?;
        object_store
            .delete(JsValue::from_str(key))
            .await
            .map_err(op)?;
        tx.commit().await.map_err(op)
    }

    async fn all(&self, store: StoreName) -> Result<Vec<(String, Value)>, StorageError> {
        let (tx, object_store) = self.on(store, TransactionMode::ReadOnly)?;
        let keys = object_store.get_all_keys(None, None).await.map_err(op)?;
        let values = object_store.get_all(None, None).await.map_err(op)?;
        tx.done().await.map_err(op)?;
        let records = keyed(store, keys, from_js_all(&values)?)?;
        self.last_keys
            .note(store, records.last().map(|(last, _)| last.as_str()));
        Ok(records)
    }

    async fn all_in(
        &self,
        index: IndexName,
        value: &str,
    ) -> Result<Vec<(String, Value)>, StorageError> {
        let store = index.store();
        let (tx, object_store) = self.on(store, TransactionMode::ReadOnly)?;
        let by = object_store.index(index.as_str()).map_err(op)?;
        let only = || KeyRange::only(&JsValue::from_str(value)).map_err(op);
        // Both lists come in index order, then key order: the same order, one transaction.
        let keys = by.get_all_keys(Some(only()?), None).await.map_err(op)?;
        let values = by.get_all(Some(only()?), None).await.map_err(op)?;
        tx.done().await.map_err(op)?;
        keyed(store, keys, from_js_all(&values)?)
    }

    async fn keys_in(&self, index: IndexName, value: &str) -> Result<Vec<String>, StorageError> {
        let (tx, object_store) = self.on(index.store(), TransactionMode::ReadOnly)?;
        let by = object_store.index(index.as_str()).map_err(op)?;
        let only = KeyRange::only(&JsValue::from_str(value)).map_err(op)?;
        let keys = by.get_all_keys(Some(only), None).await.map_err(op)?;
        tx.done().await.map_err(op)?;
        Ok(keys.iter().filter_map(|key| key.as_string()).collect())
    }

    async fn count_in(&self, index: IndexName, value: &str) -> Result<u32, StorageError> {
        let (tx, object_store) = self.on(index.store(), TransactionMode::ReadOnly)?;
        let by = object_store.index(index.as_str()).map_err(op)?;
        let only = KeyRange::only(&JsValue::from_str(value)).map_err(op)?;
        let count = by.count(Some(only)).await.map_err(op)?;
        tx.done().await.map_err(op)?;
        Ok(count)
    }

    async fn all_after(
        &self,
        store: StoreName,
        key: &str,
    ) -> Result<Vec<(String, Value)>, StorageError> {
        let (tx, object_store) = self.on(store, TransactionMode::ReadOnly)?;
        let after = || KeyRange::lower_bound(&JsValue::from_str(key), Some(true)).map_err(op);
        let keys = object_store
            .get_all_keys(Some(after()?), None)
            .await
            .map_err(op)?;
        let values = object_store
            .get_all(Some(after()?), None)
            .await
            .map_err(op)?;
        tx.done().await.map_err(op)?;
        keyed(store, keys, from_js_all(&values)?)
    }

    async fn count_after(&self, store: StoreName, key: &str) -> Result<u32, StorageError> {
        let (tx, object_store) = self.on(store, TransactionMode::ReadOnly)?;
        let after = KeyRange::lower_bound(&JsValue::from_str(key), Some(true)).map_err(op)?;
        let count = object_store.count(Some(after)).await.map_err(op)?;
        tx.done().await.map_err(op)?;
        Ok(count)
    }

    async fn count(&self, store: StoreName) -> Result<u32, StorageError> {
        let (tx, object_store) = self.on(store, TransactionMode::ReadOnly)?;
        let count = object_store.count(None).await.map_err(op)?;
        tx.done().await.map_err(op)?;
        Ok(count)
    }

    async fn last_key(&self, store: StoreName) -> Result<Option<String>, StorageError> {
        let (tx, object_store) = self.on(store, TransactionMode::ReadOnly)?;
        let last = object_store
            .scan(None, Some(1), None, Some(Direction::Prev))
            .await
            .map_err(op)?;
        tx.done().await.map_err(op)?;
        let last = last.into_iter().next().and_then(|(key, _)| key.as_string());
        self.last_keys.note(store, last.as_deref());
        Ok(last)
    }
}
