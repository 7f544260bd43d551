//! Pieces the desk screens share: the "set up first" gate, eligibility badges, money.

use chrono::NaiveDate;
use cunbao_domain::enrolment::Eligibility;
use leptos::prelude::*;
use leptos::task::spawn_local;

use leptos_router::components::A;

use crate::i18n::{DatedLabel, Key};
use crate::routes::{Route, Section};
use crate::ui::context::{use_app, Desk};

/// Renders `children` with the desk's data once the tablet is set up (policy downloaded);
/// otherwise says what to do.
#[component]
pub fn WithDesk(children: ChildrenFn) -> impl IntoView {
    let app = use_app();
    let ready = move || {
        app.desk
            .with(|d| d.as_ref().is_some_and(|d| d.policy.is_some()))
    };
    let set_up = move || {
        app.desk
            .with(|d| d.as_ref().is_some_and(|d| d.has_policies))
    };
    view! {
        <Show when=move || ready() && !app.is_township_staff() fallback=move || if app.is_township_staff() {
            view! {
                <p class="card notice" data-testid="township-not-desk">{move || app.t(Key::TownshipNotDesk)}</p>
            }.into_any()
        } else if set_up() {
            view! {
                <p class="card notice" data-testid="no-policy-today">
                    {move || app.t(Key::NoPolicyToday)}" "
                    <A href=Route::Section(Section::Sync).href()>{move || app.t(Key::NavSync)}</A>
                </p>
            }.into_any()
        } else {
            view! {
                <p class="card notice" data-testid="needs-setup">
                    {move || app.t(Key::NeedsSetup)}" "
                    <A href=Route::Section(Section::Sync).href()>{move || app.t(Key::GoSignIn)}</A>
                </p>
            }.into_any()
        }>
            {children()}
        </Show>
    }
}

/// Keeps a form's draft on the device: `restore` gets what was saved (if anything) once the
/// database is open, and from then on every change is written, so a reload or a crashed tab
/// loses nothing that was typed.
pub fn keep_draft<T>(
    name: &'static str,
    draft: RwSignal<T>,
    restore: impl Fn(Option<T>) + Send + Sync + 'static,
) where
    T: serde::Serialize + serde::de::DeserializeOwned + Clone + Send + Sync + 'static,
{
    let app = use_app();
    let loaded = RwSignal::new(false);
    let restore = std::sync::Arc::new(restore);
    Effect::new(move |_| {
        let Some(store) = app.store() else { return };
        let restore = restore.clone();
        spawn_local(async move {
            let saved = crate::desk::local::load_draft(store.as_ref(), name)
                .await
                .ok()
                .flatten();
            restore(saved);
            loaded.set(true);
        });
    });
    Effect::new(move |_| {
        let d = draft.get();
        if !loaded.get_untracked() {
            return;
        }
        if let Some(store) = app.store() {
            spawn_local(async move {
                let _ = crate::desk::local::save_draft(store.as_ref(), name, &d).await;
            });
        }
    });
}

/// The desk's data; only call inside [`WithDesk`].
pub fn desk() -> Desk {
    use_app().desk.get().expect("inside WithDesk")
}

/// How eligibility is coloured: `ok`, `warn` or `bad`.
pub fn eligibility_tone(e: Eligibility) -> &'static str {
    match e {
        Eligibility::Eligible => "ok",
        Eligibility::Waiting { .. } => "warn",
        _ => "bad",
    }
}

#[component]
pub fn EligibilityBadge(eligibility: Eligibility) -> impl IntoView {
    let app = use_app();
    view! {
        <span class=format!("badge {}", eligibility_tone(eligibility)) data-testid="eligibility">
            {move || eligibility.label(app.lang.get())}
        </span>
    }
}

pub fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}
