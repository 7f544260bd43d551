use cunbao_domain::text::{Bilingual, Text};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::i18n::Key;
use crate::pin::{self, PinError};
use crate::routes::{Route, Section};
use crate::ui::context::use_app;
use crate::ui::sync_runner;

/// Shown instead of every page while the tablet is locked: the operator's PIN opens it,
/// offline. Too many wrong PINs end the session (online sign-in again; nothing is lost).
#[component]
pub fn LockScreen() -> impl IntoView {
    let app = use_app();
    let entered = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Text>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(store) = app.store() else { return };
        busy.set(true);
        spawn_local(async move {
            match pin::unlock(store.as_ref(), &entered.get_untracked()).await {
                Ok(()) => {
                    error.set(None);
                    app.locked.set(false);
                    if app.desk.with_untracked(Option::is_none) {
                        app.reload_desk();
                    }
                }
                Err(PinError::LockedOut | PinError::NotSet) => {
                    error.set(None);
                    app.locked.set(false);
                    sync_runner::refresh(app);
                    if let Some(w) = web_sys::window() {
                        let _ = w.location().set_href(&Route::Section(Section::Sync).href());
                    }
                }
                Err(err) => error.set(Some(err.text())),
            }
            entered.set(String::new());
            busy.set(false);
        });
    };
    let operator = move || app.user_name();
    view! {
        <form class="card form lock" on:submit=submit data-testid="lock-screen">
            <h1>{move || app.t(Key::LockedTitle)}</h1>
            <p class="hint">{move || app.t(Key::LockedHint)}</p>
            <p>{move || app.t(Key::OperatorLabel)}": "<strong>{operator}</strong></p>
            <label>
                <span>"PIN"</span>
                <input name="pin" type="password" inputmode="numeric" autocomplete="off"
                    maxlength="6" autofocus
                    prop:value=entered on:input=move |ev| entered.set(event_target_value(&ev))/>
            </label>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{app.say(&e)}</p> })}
            <button class="primary" type="submit" disabled=move || busy.get()>{move || app.t(Key::Unlock)}</button>
        </form>
    }
}
