use leptos::prelude::*;

use crate::desk::visit::{LineDraft, VisitDraft};
use crate::i18n::Key;
use crate::ui::components::search_results::{found_items, keep_rows, picked, RowAction};
use crate::ui::context::use_app;

#[component]
pub fn CatalogueSearch(draft: RwSignal<VisitDraft>) -> impl IntoView {
    let app = use_app();
    let query = RwSignal::new(String::new());
    let input = NodeRef::<leptos::html::Input>::new();
    let list = NodeRef::new();
    keep_rows(list, RowAction::Pick, found_items(app, query));
    view! {
        <section class="card">
            <input class="search" type="search" data-testid="catalogue-search" node_ref=input
                placeholder=move || app.t(Key::SearchCatalogue)
                on:input=move |ev| query.set(event_target_value(&ev))
                on:focus=move |_| if let Some(input) = input.get_untracked() { bring_up(&input) }/>
            <ul class="results" data-testid="catalogue-results" node_ref=list
                on:click=move |ev| if let Some(code) = picked(&ev) {
                    draft.update(|d| d.lines.push(LineDraft { code, quantity: "1".into() }));
                    query.set(String::new());
                    // Ready for the next item.
                    if let Some(input) = input.get_untracked() {
                        input.set_value("");
                        let _ = input.focus();
                    }
                }>
            </ul>
        </section>
    }
}

/// Scrolls a search box in the lower part of the screen up to the top, so that its results
/// show below it rather than under the on-screen keyboard or past the bottom edge.
fn bring_up(input: &web_sys::HtmlInputElement) {
    let top = input.get_bounding_client_rect().top();
    let height = window()
        .inner_height()
        .ok()
        .and_then(|h| h.as_f64())
        .unwrap_or(0.0);
    if top > height * 0.4 {
        input.scroll_into_view_with_bool(true);
    }
}
