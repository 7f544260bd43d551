//! The browser side of this device: its local database, id and network state.

use crate::storage::indexeddb::IndexedDbStore;
use crate::storage::schema::DB_NAME;
use crate::storage::{meta, StorageError};

/// A fresh random id from the browser's CSPRNG.
pub fn new_uuid() -> String {
    web_sys::window()
        .and_then(|w| w.crypto().ok())
        .map(|c| c.random_uuid())
        .unwrap_or_else(|| format!("dev-{:x}", js_sys::Date::now() as u64))
}

/// Today in the tablet's local time zone.
pub fn today() -> chrono::NaiveDate {
    let now = js_sys::Date::new_0();
    chrono::NaiveDate::from_ymd_opt(
        now.get_full_year() as i32,
        now.get_month() + 1,
        now.get_date(),
    )
    .unwrap_or_default()
}

pub fn now_ms() -> u64 {
    js_sys::Date::now() as u64
}

pub fn is_online() -> bool {
    web_sys::window().is_none_or(|w| w.navigator().on_line())
}

/// Opens the app's database and makes sure this device has an id.
pub async fn open() -> Result<(IndexedDbStore, String), StorageError> {
    let store = IndexedDbStore::open(DB_NAME).await?;
    let id = meta::device_id(&store, new_uuid).await?;
    Ok((store, id))
}

/// Whether a service worker controls this page, i.e. the app shell is cached for offline use.
pub fn shell_cached() -> bool {
    web_sys::window()
        .map(|w| w.navigator().service_worker().controller().is_some())
        .unwrap_or(false)
}

/// Calls `f` once the service worker takes control of this page (it then serves the app
/// offline), unless it already has.
pub fn on_shell_cached(f: impl Fn() + 'static) {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsCast;
    if shell_cached() {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let listener = Closure::<dyn Fn()>::new(f);
    let _ = window
        .navigator()
        .service_worker()
        .add_event_listener_with_callback("controllerchange", listener.as_ref().unchecked_ref());
    // Lives as long as the page.
    listener.forget();
}
