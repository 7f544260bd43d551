//! When the tablet syncs: at start, when the browser says it is back online, every minute,
//! and when the user asks — one tab at a time (Web Locks), retrying with exponential backoff
//! and jitter after a failure.

use cunbao_domain::text::Bilingual;
use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::time::Duration;

use js_sys::{Function, Object, Promise, Reflect};
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::{future_to_promise, JsFuture};

use crate::sync::http::FETCH;
use crate::sync::{self, backoff, SyncError};
use crate::ui::context::{AppContext, StorageInfo};

const LOCK: &str = "cunbao-sync";
const EVERY: Duration = Duration::from_secs(60);

/// Installs the triggers; the first sync runs once the local database is open.
pub fn install(ctx: AppContext) {
    let _ = window_event_listener(leptos::ev::online, move |_| request(ctx));
    set_interval(
        move || {
            if ctx.online.get_untracked() {
                request(ctx);
            }
        },
        EVERY,
    );
}

/// Reads the sync status and storage figures from the device into the shared signals (with
/// the desk closed, only what is in clear: what waits, nobody named).
pub fn refresh(ctx: AppContext) {
    let Some(raw) = ctx.device_store() else {
        return;
    };
    let vault = ctx.store();
    spawn_local(async move {
        let status = match vault {
            Some(vault) => sync::status(vault.as_ref()).await,
            None => sync::closed_status(raw.as_ref()).await,
        };
        if let Ok(status) = status {
            ctx.sync.set(status);
        }
        ctx.storage.set(storage_info().await);
    });
}

/// Starts a sync round unless one is running here or in another tab.
pub fn request(ctx: AppContext) {
    if ctx.sync_running.get_untracked() {
        return;
    }
    // Sync reads and writes residents' data: only with the desk open (the data key at hand).
    let (Some(store), Some(raw)) = (ctx.store(), ctx.device_store()) else {
        return;
    };
    ctx.sync_running.set(true);
    let session_store = store.clone();
    spawn_local(async move {
        // Whose session the round uses, read as it starts (its read is asked for first).
        let (used, outcome) = futures::join!(
            crate::access::session_device(session_store.as_ref()),
            with_web_lock(LOCK, async move {
                let mut progress = |p| ctx.setup_progress.set(Some(p));
                sync::sync_with_progress(
                    store.as_ref(),
                    &FETCH,
                    crate::device::now_ms(),
                    &mut progress,
                )
                .await
            })
        );
        ctx.sync_running.set(false);
        ctx.setup_progress.set(None);
        let by_township = match &outcome {
            Some(Err(err)) if crate::access::is_revocation(err) => {
                crate::access::revoked_by_township(session_store.as_ref(), used.as_deref()).await
            }
            _ => false,
        };
        let expired = match &outcome {
            Some(Err(err)) if crate::access::is_expiry(err) => {
                crate::access::still_signed_in(session_store.as_ref(), used.as_deref()).await
            }
            _ => false,
        };
        match outcome {
            // Another tab holds the lock and is syncing for both.
            None => {}
            Some(Ok(report)) => {
                ctx.sync_attempt.set_value(0);
                ctx.sync_error.set(None);
                ctx.session_refused.set(false);
                // Read the desk's data again only when the round changed what it holds
                // (residents, receipts, policies, the catalogue): claims and notices are read
                // by the screens, which follow the sync status.
                let stale = ctx.desk.with_untracked(|d| {
                    d.as_ref()
                        .is_none_or(|d| d.policy.is_none() || d.catalogue.is_empty())
                });
                if report.desk_changed || stale {
                    ctx.reload_desk();
                }
            }
            Some(Err(SyncError::NotSignedIn)) => ctx.sync_error.set(None),
            // A token this tablet gave back itself (signed out meanwhile): nothing to wipe.
            Some(Err(err)) if crate::access::is_revocation(&err) && !by_township => {
                ctx.sync_error.set(None);
            }
            // The sign-in expired: forget it (not a revocation: the work stays), ask for an
            // online sign-in, which uploads it. A session given up meanwhile needs nothing more.
            Some(Err(err)) if crate::access::is_expiry(&err) => {
                ctx.session_refused.set(false);
                ctx.sync_error.set(None);
                let why =
                    crate::access::ended_session(&err).unwrap_or(crate::access::Closed::Expired);
                if expired {
                    if let Err(err) = crate::access::expire(session_store.as_ref(), why).await {
                        leptos::logging::error!("forgetting the expired sign-in failed: {err}");
                    }
                    ctx.close_desk(crate::access::Gate::SignIn(Some(why)));
                }
            }
            // The township revoked this tablet (presumed stolen): wipe it and say why.
            Some(Err(err)) if crate::access::is_revocation(&err) => {
                ctx.close_desk(crate::access::Gate::SignIn(Some(
                    crate::access::Closed::Revoked,
                )));
                ctx.session_refused.set(false);
                ctx.sync_error.set(None);
                drop(session_store);
                if let Err(err) = crate::access::wipe_revoked(raw.as_ref()).await {
                    leptos::logging::error!("wiping the revoked tablet failed: {err}");
                }
            }
            Some(Err(err)) => {
                let retry = err.is_retryable();
                if matches!(
                    err,
                    SyncError::Transport(
                        crate::sync::transport::TransportError::Unauthorized { .. }
                    )
                ) {
                    ctx.session_refused.set(true);
                }
                ctx.sync_error.set(Some(err.text()));
                if retry {
                    let attempt = ctx.sync_attempt.get_value();
                    ctx.sync_attempt.set_value(attempt + 1);
                    let wait = backoff::delay(attempt, js_sys::Math::random());
                    set_timeout(move || request(ctx), wait.max(Duration::from_secs(1)));
                }
            }
        }
        refresh(ctx);
    });
}

/// Runs `work` holding the Web Lock `name` if it is free (`None` if another tab has it).
/// Browsers without Web Locks just run it.
async fn with_web_lock<T: 'static>(
    name: &str,
    work: impl Future<Output = T> + 'static,
) -> Option<T> {
    let navigator = window().navigator();
    let locks = Reflect::get(&navigator, &"locks".into())
        .ok()
        .filter(|v| !v.is_undefined() && !v.is_null());
    let Some(locks) = locks else {
        return Some(work.await);
    };
    let result: Rc<RefCell<Option<T>>> = Rc::default();
    let slot = result.clone();
    let work = RefCell::new(Some(work));
    let callback = Closure::once(move |lock: JsValue| -> Promise {
        let Some(work) = work.borrow_mut().take().filter(|_| !lock.is_null()) else {
            return Promise::resolve(&JsValue::UNDEFINED);
        };
        future_to_promise(async move {
            *slot.borrow_mut() = Some(work.await);
            Ok(JsValue::UNDEFINED)
        })
    });
    let options = Object::new();
    let _ = Reflect::set(&options, &"ifAvailable".into(), &JsValue::TRUE);
    let request: Option<Function> = Reflect::get(&locks, &"request".into())
        .ok()
        .and_then(|f| f.dyn_into().ok());
    let promise = request.and_then(|request| {
        request
            .call3(
                &locks,
                &name.into(),
                &options,
                callback.as_ref().unchecked_ref(),
            )
            .ok()
    });
    if let Some(promise) = promise {
        let _ = JsFuture::from(Promise::from(promise)).await;
    }
    drop(callback);
    let outcome = result.borrow_mut().take();
    outcome
}

/// `navigator.storage.estimate()` and `persisted()`.
pub async fn storage_info() -> Option<StorageInfo> {
    let storage = window().navigator().storage();
    let estimate = JsFuture::from(storage.estimate().ok()?).await.ok()?;
    let number = |key: &str| Reflect::get(&estimate, &key.into()).ok()?.as_f64();
    let persisted = match storage.persisted() {
        Ok(p) => JsFuture::from(p).await.ok().and_then(|v| v.as_bool()),
        Err(_) => None,
    };
    Some(StorageInfo {
        used: number("usage")?,
        quota: number("quota")?,
        persisted: persisted.unwrap_or(false),
    })
}

/// Asks the browser to keep this origin's data (not cleared under storage pressure).
pub fn ask_persistent_storage() {
    spawn_local(async {
        if let Ok(promise) = window().navigator().storage().persist() {
            let _ = JsFuture::from(promise).await;
        }
    });
}
