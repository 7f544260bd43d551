mod record_list;

use leptos::prelude::*;

use crate::i18n::Key;
use crate::routes::Section;
use crate::township;
use crate::ui::context::use_app;
use record_list::RecordList;

/// Read-only: what the township's clinics have synced, so the round trip can be seen.
#[component]
pub fn TownshipPage() -> impl IntoView {
    let app = use_app();
    let is_staff = move || app.is_township_staff();
    view! {
        <h1 data-testid="section-title">{move || app.t(Section::Township.label())}</h1>
        <Show when=is_staff fallback=move || view! { <p class="card notice">{app.t(Key::TownshipOnly)}</p> }>
            <Show when=move || app.online.get() fallback=move || view! { <p class="card notice">{app.t(Key::TownshipNeedsNetwork)}</p> }>
                {township::LISTED.into_iter().map(|kind| view! { <RecordList kind=kind/> }).collect_view()}
            </Show>
        </Show>
    }
}
