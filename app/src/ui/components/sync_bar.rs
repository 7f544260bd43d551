use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::Key;
use crate::routes::{Route, Section};
use crate::ui::context::use_app;
use crate::ui::format::time_of;

/// Always visible: who is signed in, how much waits to upload, when the last sync was.
#[component]
pub fn SyncBar() -> impl IntoView {
    let app = use_app();
    let text = move || {
        let status = app.sync.get();
        // Locked, the session is sealed and names nobody, but someone is signed in.
        let locked = app.gate.get() == crate::access::Gate::Locked;
        if status.user.is_none() && !locked {
            return app.t(Key::NotSignedIn).to_string();
        }
        let last = status
            .last_sync_ms
            .map(time_of)
            .unwrap_or_else(|| app.t(Key::Never).to_string());
        let running = if app.sync_running.get() {
            format!(" · {}", app.t(Key::Syncing))
        } else {
            String::new()
        };
        format!(
            "{} {} · {} {last}{running}",
            app.t(Key::Pending),
            status.pending,
            app.t(Key::LastSync)
        )
    };
    view! {
        <A href=Route::Section(Section::Sync).href() attr:class="sync-bar" attr:data-testid="sync-bar">
            <span class:sync-problem=move || app.sync_error.get().is_some() || !app.sync.get().failed.is_empty()>
                {text}
            </span>
        </A>
    }
}
