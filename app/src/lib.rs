//! Cunbao's tablet app. Logic lives in plain modules that also build natively (`i18n`,
//! `routes`, `storage`, `html`); the Leptos UI (`ui`) is compiled for the browser only.

pub mod access;
pub mod closed;
pub mod desk;
pub mod html;
pub mod i18n;
pub mod pin;
pub mod routes;
pub mod sort;
pub mod storage;
pub mod sync;
pub mod township;
pub mod vault;

#[cfg(target_arch = "wasm32")]
pub mod device;
#[cfg(target_arch = "wasm32")]
pub mod ui;
