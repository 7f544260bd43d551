//! The start-up sequence, run once by `App`: the shared state and the browser's events, then
//! the local database opened (its data brought up to date), the language and the gate read (never
//! open: the desk's data is loaded only after the PIN) and the first sync asked for.

use cunbao_domain::text::Bilingual;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::device;
use crate::routes::Bundle;
use crate::storage::indexeddb::IndexedDbStore;
use crate::storage::schema::{self, SCHEMA_VERSION};
use crate::storage::{meta, StorageError};
use crate::ui::context::{AppContext, DeviceState};
use crate::ui::{handoff, sync_runner};

/// Creates the shared state and starts opening the local database.
pub fn start(bundle: Bundle) -> AppContext {
    let ctx = AppContext::new(bundle);
    sync_runner::install(ctx);
    let online = ctx.online;
    let _ = window_event_listener(leptos::ev::online, move |_| online.set(true));
    let _ = window_event_listener(leptos::ev::offline, move |_| online.set(false));
    // The service worker takes control shortly after the first load (`clients.claim()`).
    device::on_shell_cached(move || ctx.shell_cached.set(true));
    Effect::new(move |_| {
        let tag = ctx.lang.get().tag();
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("lang", tag);
        }
    });
    spawn_local(open(ctx, bundle));
    ctx
}

async fn open(ctx: AppContext, bundle: Bundle) {
    match open_store().await {
        Ok((store, device_id)) => {
            if let Ok(lang) = meta::lang(&store).await {
                ctx.lang.set(lang);
            }
            // Never open at start: the desk waits for the PIN (or a sign-in).
            let gate = crate::access::at_start(&store)
                .await
                .unwrap_or(crate::access::Gate::SignIn(None));
            // Someone of the other build signed in on this tablet: that build asks the PIN.
            if gate == crate::access::Gate::Locked {
                if let Ok(Some(tablet)) = crate::access::clinic(&store).await {
                    let theirs = Bundle::for_user(tablet.is_township());
                    if theirs != bundle && handoff::go_to(theirs, false) {
                        return;
                    }
                }
            }
            ctx.set_store(store);
            // The public catalogue's index is built while the PIN is typed.
            let catalogue = ctx.catalogue_index();
            spawn_local(async move {
                catalogue.await;
            });
            ctx.gate.set(gate);
            ctx.device.set(DeviceState::Ready {
                device_id,
                schema: SCHEMA_VERSION,
            });
            sync_runner::ask_persistent_storage();
            sync_runner::refresh(ctx);
            // The desk's data is read once unlocked (`AppContext::open_desk`), not before.
            sync_runner::request(ctx);
        }
        Err(err) => ctx.device.set(DeviceState::Failed(err.text())),
    }
}

/// The database opened, this device's id, and the data steps not yet run on it done.
async fn open_store() -> Result<(IndexedDbStore, String), StorageError> {
    let (store, device_id) = device::open().await?;
    schema::migrate_data(&store, &schema::data_steps()).await?;
    Ok((store, device_id))
}
