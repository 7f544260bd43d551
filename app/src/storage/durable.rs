//! Strict-durability writes (`{durability: "strict"}`): the browser reports the transaction
//! complete only once the data is flushed to disk. rexie cannot ask for this, so these writes
//! use a second, plain web-sys connection to the same database.

use js_sys::{Array, Function, Object, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbRequest, IdbTransaction};

use super::js_json::text_to_js;
use super::{Batch, StorageError, Write};

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

/// Commits the batch in one strict-durability transaction over the stores it writes; returns
/// once it has committed. An insert whose key exists aborts it all with `Conflict`.
pub async fn commit(db: &IdbDatabase, batch: &Batch) -> Result<(), StorageError> {
    // Everything is converted before the transaction starts, so nothing can fail half-way.
    let mut writes = Vec::with_capacity(batch.writes.len());
    for write in &batch.writes {
        writes.push(match write {
            Write::Put(store, key, value) => (*store, key, Some(text_to_js(value)?), false),
            Write::Insert(store, key, value) => (*store, key, Some(text_to_js(value)?), true),
            Write::Delete(store, key) => (*store, key, None, false),
        });
    }
    let stores = Array::new();
    for store in batch.stores() {
        stores.push(&store.as_str().into());
    }
    // db.transaction(stores, "readwrite", {durability: "strict"}) — web-sys has this binding
    // only behind its unstable-API flag, so it is called directly.
    let options = Object::new();
    Reflect::set(&options, &"durability".into(), &"strict".into()).map_err(op)?;
    let transaction: Function = Reflect::get(db, &"transaction".into())
        .map_err(op)?
        .dyn_into()
        .map_err(op)?;
    let tx: IdbTransaction = transaction
        .call3(db, &stores, &"readwrite".into(), &options)
        .map_err(op)?
        .dyn_into()
        .map_err(op)?;
    let done = transaction_done(&tx);
    for (store, key, value, insert) in &writes {
        let object_store = tx.object_store(store.as_str()).map_err(op)?;
        let key = JsValue::from_str(key);
        match value {
            Some(value) if *insert => object_store.add_with_key(value, &key).map(drop),
            Some(value) => object_store.put_with_key(value, &key).map(drop),
            None => object_store.delete(&key).map(drop),
        }
        .map_err(op)?;
    }
    if let Err(e) = done.await {
        // The failed request's error (an `error` event), else the transaction's (`abort`).
        let error = e
            .dyn_ref::<web_sys::Event>()
            .and_then(web_sys::Event::target)
            .and_then(|target| target.dyn_into::<IdbRequest>().ok())
            .and_then(|request| request.error().ok().flatten())
            .or_else(|| tx.error());
        return Err(match error {
            Some(error) if error.name() == "ConstraintError" => {
                StorageError::Conflict(error.message())
            }
            Some(error) => {
                StorageError::Operation(format!("{}: {}", error.name(), error.message()))
            }
            None => op(e),
        });
    }
    Ok(())
}
