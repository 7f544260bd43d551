use leptos::prelude::*;

use crate::i18n::Key;
use crate::ui::components::sync_bar::SyncBar;
use crate::ui::context::use_app;

/// The top bar: app name, network state and the language switch.
#[component]
pub fn Header() -> impl IntoView {
    let app = use_app();
    view! {
        <header class="topbar">
            <div class="brand">
                <span class="brand-name">{move || app.t(Key::AppName)}</span>
                <span class="brand-tagline">{move || if app.township_screens() { app.t(Key::TownshipTagline) } else { app.t(Key::Tagline) }}</span>
            </div>
            <div class="topbar-actions">
                <SyncBar/>
                <span
                    class="net-badge"
                    class:offline=move || !app.online.get()
                    data-testid="net-status"
                >
                    {move || if app.online.get() { app.t(Key::Online) } else { app.t(Key::Offline) }}
                </span>
                <Show when=move || app.signed_in() && app.gate.get().is_open()>
                    <button class="lang-switch" data-testid="lock-now"
                        on:click=move |_| app.close_desk(crate::access::Gate::Locked)>
                        {move || app.t(Key::LockNow)}
                    </button>
                </Show>
                <button class="lang-switch" data-testid="lang-switch" on:click=move |_| app.switch_lang()>
                    {move || app.t(Key::SwitchLanguage)}
                </button>
            </div>
        </header>
    }
}
