//! What every township screen says first: only for township staff, and only online.

use leptos::prelude::*;

use crate::i18n::Key;
use crate::ui::context::use_app;

/// Shows `children` to township staff while online; otherwise says why not.
#[component]
pub fn StaffOnline(children: ChildrenFn) -> impl IntoView {
    let app = use_app();
    let children = StoredValue::new(children);
    view! {
        <Show when=move || app.township_screens()
            fallback=move || view! { <p class="card notice" data-testid="township-only">{app.t(Key::TownshipOnly)}</p> }>
            <Show when=move || app.online.get()
                fallback=move || view! { <p class="card notice" data-testid="township-offline">{app.t(Key::TownshipNeedsNetwork)}</p> }>
                {children.read_value()()}
            </Show>
        </Show>
    }
}
