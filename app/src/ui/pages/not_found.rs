use leptos::prelude::*;
use leptos_router::components::A;

use crate::i18n::Key;
use crate::routes::{Route, Section};
use crate::ui::context::use_app;

#[component]
pub fn NotFoundPage() -> impl IntoView {
    let app = use_app();
    view! {
        <h1 data-testid="section-title">{move || app.t(Key::NotFoundTitle)}</h1>
        <p><A href=Route::Section(Section::Home).href()>{move || app.t(Key::BackHome)}</A></p>
    }
}
