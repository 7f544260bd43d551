use leptos::prelude::*;
use leptos_router::components::A;

use crate::routes::{Route, Section};
use crate::ui::context::use_app;

/// The section tabs; the router marks the current one with `aria-current="page"`. Township
/// staff do not see the clinic desk's tabs.
#[component]
pub fn NavBar() -> impl IntoView {
    let app = use_app();
    move || {
        view! {
            <nav class="sections">
                {Section::ALL
                    .into_iter()
                    .filter(|section| app.offers(*section))
                    .map(|section| {
                        view! {
                            <A href=Route::Section(section).href() exact=true>
                                {move || app.t(section.label())}
                            </A>
                        }
                    })
                    .collect_view()}
            </nav>
        }
    }
}
