use cunbao_domain::diagnosis::DIAGNOSES;
use leptos::prelude::*;

use crate::desk::visit::VisitDraft;
use crate::i18n::{Key, Lang};
use crate::ui::context::use_app;

#[component]
pub fn DiagnosisPicker(draft: RwSignal<VisitDraft>) -> impl IntoView {
    let app = use_app();
    let name = move |code: &str| {
        DIAGNOSES
            .iter()
            .find(|d| d.code == code)
            .map(|d| {
                if app.lang.get() == Lang::Zh {
                    d.name_zh
                } else {
                    d.name_en
                }
            })
            .unwrap_or("?")
    };
    view! {
        <section class="card">
            <h2>{move || app.t(Key::Diagnosis)}</h2>
            <div class="chips" data-testid="diagnoses">
                {move || draft.with(|d| d.diagnoses.clone()).into_iter().map(|code| {
                    let remove = code.clone();
                    view! {
                        <span class="chip">{code.clone()}" "{name(&code)}
                            <button class="link" aria-label="remove" on:click=move |_| draft.update(|d| d.diagnoses.retain(|c| *c != remove))>"×"</button>
                        </span>
                    }
                }).collect_view()}
            </div>
            <select name="diagnosis" data-testid="diagnosis-select" prop:value=""
                on:change=move |ev| {
                    let code = event_target_value(&ev);
                    // Back to the prompt, ready for the next diagnosis.
                    event_target::<web_sys::HtmlSelectElement>(&ev).set_value("");
                    if !code.is_empty() {
                        draft.update(|d| if !d.diagnoses.contains(&code) { d.diagnoses.push(code) });
                    }
                }>
                <option value="">{move || format!("+ {}", app.t(Key::Diagnosis))}</option>
                {DIAGNOSES.iter().map(|d| view! {
                    <option value=d.code>{d.code}" "{move || if app.lang.get() == Lang::Zh { d.name_zh } else { d.name_en }}</option>
                }).collect_view()}
            </select>
        </section>
    }
}
