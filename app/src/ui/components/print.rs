//! Printing: a slip is shown on screen as it will print; the buttons pick the 58 mm thermal
//! or the A4 layout (a class on `<body>` the print style sheet reads) and open the browser's
//! print dialog.

use leptos::prelude::*;

use crate::i18n::Key;
use crate::ui::context::use_app;

/// Prints the page in `layout` (`58` or `a4`, the class the print style sheet reads).
pub fn print_as(layout: &str) {
    let Some(window) = web_sys::window() else {
        return;
    };
    if let Some(body) = window.document().and_then(|d| d.body()) {
        body.set_class_name(&format!("print-{layout}"));
    }
    let _ = window.print();
}

#[component]
pub fn PrintButtons() -> impl IntoView {
    let app = use_app();
    view! {
        <div class="actions no-print">
            <button class="primary" data-testid="print-58" on:click=move |_| print_as("58")>{move || app.t(Key::Print58)}</button>
            <button data-testid="print-a4" on:click=move |_| print_as("a4")>{move || app.t(Key::PrintA4)}</button>
        </div>
    }
}
