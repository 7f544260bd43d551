use leptos::prelude::*;

use crate::i18n::Key;
use crate::routes::Section;
use crate::ui::context::use_app;

/// A section that has not been built yet says so plainly, and what it will do.
#[component]
pub fn NotBuiltPage(section: Section) -> impl IntoView {
    let app = use_app();
    view! {
        <h1 data-testid="section-title">{move || app.t(section.label())}</h1>
        <section class="card notice" data-testid="not-built">
            <p class="notice-lead">{move || app.t(Key::NotBuiltYet)}</p>
            {section.plan().map(|plan| view! { <p>{move || app.t(plan)}</p> })}
        </section>
    }
}
