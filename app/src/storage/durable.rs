//! Strict-durability writes (`{durability: "strict"}`): the browser reports the transaction
//! complete only once the data is flushed to disk. rexie cannot ask for this, so these writes
//! use a second, plain web-sys connection to the same database.

use js_sys::{Function, Object, Promise, Reflect};
use serde::Serialize;
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransaction};

use super::{StorageError, StoreName};

fn op(e: JsValue) -> StorageError {
    StorageError::Operation(format!("{e:?}"))
}

/// Resolves on `success`, rejects on `error`.
fn request_done(request: &IdbRequest) -> JsFuture {
    JsFuture::from(Promise::new(&mut |resolve: Function, reject: Function| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    }))
}

/// Resolves on `complete`, rejects on `error` or `abort`.
fn transaction_done(tx: &IdbTransaction) -> JsFuture {
    JsFuture::from(Promise::new(&mut |resolve: Function, reject: Function| {
        tx.set_oncomplete(Some(&resolve));
        tx.set_onerror(Some(&reject));
        tx.set_onabort(Some(&reject));
    }))
}

/// Opens `name` at its current version (never upgrading it: rexie owns the schema).
pub async fn open(name: &str) -> Result<IdbDatabase, StorageError> {
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or_else(|| StorageError::Open("IndexedDB is not available".into()))?;
    let request = factory.open(name).map_err(op)?;
    request_done(&request).await.map_err(op)?;
    let db: IdbDatabase = request.result().map_err(op)?.unchecked_into();
    // Let another tab upgrade the schema: close this connection when asked to.
    let closer = db.clone();
    let on_version_change =
        wasm_bindgen::closure::Closure::<dyn FnMut()>::new(move || closer.close());
    db.set_onversionchange(Some(on_version_change.as_ref().unchecked_ref()));
    on_version_change.forget();
    Ok(db)
}

/// Writes all records in one strict-durability transaction; returns once it has committed.
pub async fn put_all(
    db: &IdbDatabase,
    store: StoreName,
    records: &[(String, Value)],
) -> Result<(), StorageError> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let values = records
        .iter()
        .map(|(key, value)| {
            value
                .serialize(&serializer)
                .map(|v| (JsValue::from_str(key), v))
                .map_err(|e| StorageError::Format(e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    // db.transaction(store, "readwrite", {durability: "strict"}) — web-sys has this binding
    // only behind its unstable-API flag, so it is called directly.
    let options = Object::new();
    Reflect::set(&options, &"durability".into(), &"strict".into()).map_err(op)?;
    let transaction: Function = Reflect::get(db, &"transaction".into())
        .map_err(op)?
        .dyn_into()
        .map_err(op)?;
    let tx: IdbTransaction = transaction
        .call3(db, &store.as_str().into(), &"readwrite".into(), &options)
        .map_err(op)?
        .dyn_into()
        .map_err(op)?;
    let done = transaction_done(&tx);
    let object_store = tx.object_store(store.as_str()).map_err(op)?;
    for (key, value) in &values {
        object_store.put_with_key(value, key).map_err(op)?;
    }
    done.await.map_err(op)?;
    Ok(())
}
