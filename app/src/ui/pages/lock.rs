use cunbao_domain::text::{Bilingual, Text};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::access::{Closed, Gate};
use crate::i18n::Key;
use crate::pin::{PinError, PIN_MAX_LENGTH};
use crate::routes::Bundle;
use crate::ui::context::use_app;
use crate::ui::{handoff, sync_runner};

/// Shown instead of every page while the tablet is locked: the operator's PIN opens it,
/// offline. Too many wrong PINs end the session: the sign-in form then says what happened
/// (nothing is lost; an online sign-in of the clinic uploads it).
#[component]
pub fn LockScreen() -> impl IntoView {
    let app = use_app();
    let entered = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Text>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(store) = app.device_store() else {
            return;
        };
        busy.set(true);
        spawn_local(async move {
            match crate::vault::unlock(store, &entered.get_untracked()).await {
                Ok(vault) => {
                    error.set(None);
                    app.open_desk(vault);
                    sync_runner::refresh(app);
                    sync_runner::request(app);
                }
                Err(PinError::LockedOut) => {
                    error.set(None);
                    app.close_desk(Gate::SignIn(Some(Closed::LockedOut)));
                    sync_runner::refresh(app);
                }
                Err(PinError::OfflineTooLong(_)) => {
                    error.set(None);
                    app.close_desk(Gate::SignIn(Some(Closed::OfflineTooLong)));
                    sync_runner::refresh(app);
                }
                Err(PinError::NotSet) => {
                    error.set(None);
                    app.close_desk(Gate::SignIn(None));
                    sync_runner::refresh(app);
                }
                Err(err) => error.set(Some(err.text())),
            }
            entered.set(String::new());
            busy.set(false);
        });
    };
    // The session is sealed until the PIN opens it: the name comes from the PIN record.
    let operator = LocalResource::new(move || async move {
        let store = app.device_store()?;
        crate::pin::record(store.as_ref())
            .await
            .ok()
            .flatten()
            .map(|r| r.display_name)
            .filter(|n| !n.is_empty())
    });
    let operator = move || operator.get().flatten().unwrap_or_default();
    view! {
        <form class="card form lock" on:submit=submit data-testid="lock-screen">
            <h1>{move || app.t(Key::LockedTitle)}</h1>
            <p class="hint">{move || app.t(Key::LockedHint)}</p>
            {handoff::asked_again().then(|| view! { <p class="hint" data-testid="pin-again">{move || app.t(Key::PinAgainHint)}</p> })}
            // The name comes with the sync status, read just after the lock screen shows.
            <Show when=move || !operator().is_empty()>
                <p data-testid="lock-operator">{move || app.t(Key::OperatorLabel)}{move || match app.lang.get() { crate::i18n::Lang::Zh => "：", crate::i18n::Lang::En => ": " }}<strong>{operator}</strong></p>
            </Show>
            <label>
                <span>"PIN"</span>
                <input name="pin" type="password" inputmode="numeric" autocomplete="off"
                    maxlength=PIN_MAX_LENGTH.to_string() autofocus
                    prop:value=entered on:input=move |ev| entered.set(event_target_value(&ev))/>
            </label>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{app.say(&e)}</p> })}
            <button class="primary" type="submit" disabled=move || busy.get()>{move || app.t(Key::Unlock)}</button>
        </form>
        <crate::ui::pages::home::DeviceStatus/>
    }
}

/// Shown instead of every page while nobody is signed in: why (too many wrong PINs, the
/// tablet revoked, signed out, the sign-in expired), what waits to upload, and the sign-in
/// form. No residents' data.
#[component]
pub fn SignInGate() -> impl IntoView {
    let app = use_app();
    let closed = move || match app.gate.get() {
        Gate::SignIn(closed) => closed,
        _ => None,
    };
    let notice = move || {
        let (title, hint, testid) = match closed()? {
            Closed::LockedOut => (Key::LockedOutTitle, Some(Key::LockedOutHint), "locked-out"),
            Closed::Revoked => (Key::RevokedTitle, Some(Key::RevokedHint), "revoked"),
            Closed::SignedOut => (Key::SignedOutTitle, None, "signed-out"),
            Closed::OfflineTooLong => (
                Key::OfflineTooLongTitle,
                Some(Key::OfflineTooLongHint),
                "offline-too-long",
            ),
            Closed::Expired => (Key::ExpiredTitle, Some(Key::ExpiredHint), "expired"),
            Closed::Disabled => (
                Key::DisabledTitle,
                Some(Key::DisabledHint),
                "account-disabled",
            ),
        };
        Some(view! {
            <section class="card notice-card" role="status" data-testid=testid>
                <h1>{move || app.t(title)}</h1>
                {hint.map(|hint| view! { <p>{move || app.t(hint)}</p> })}
            </section>
        })
    };
    let pending = move || app.sync.get().pending;
    view! {
        {notice}
        <Show when=move || { pending() > 0 }>
            <p class="card hint" data-testid="work-waiting">
                {move || app.t(Key::WorkWaiting)}" "<strong>{pending}</strong>
            </p>
        </Show>
        <crate::ui::pages::sync::SignInForm/>
        <crate::ui::pages::home::DeviceStatus/>
    }
}

/// Shown to a signed-in user of the other build (township staff in the clinic's, a clinic's
/// user in the township's) while the page goes there, or why it cannot.
#[component]
pub fn OtherBuild() -> impl IntoView {
    let app = use_app();
    let target = Bundle::for_user(untrack(|| app.is_township_staff()));
    let (key, testid) = match (handoff::go_to(target, true), target) {
        (true, Bundle::Township) => (Key::OpeningTownship, "opening-other"),
        (true, Bundle::Clinic) => (Key::OpeningDesk, "opening-other"),
        (false, _) => (Key::OtherBuildUnavailable, "other-unavailable"),
    };
    view! { <p class="card notice" role="status" data-testid=testid>{move || app.t(key)}</p> }
}
