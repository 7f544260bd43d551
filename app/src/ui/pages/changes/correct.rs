use cunbao_domain::enrolment::Correction;
use cunbao_domain::names::{PersonName, Phone};
use cunbao_domain::text::{Bilingual, Text};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{maker, saved};
use crate::desk::changes::correct;
use crate::i18n::Key;
use crate::ui::context::use_app;

/// Corrects a misspelt name or a wrong phone (更正). The ID number is not corrected here: the
/// form says how it is.
#[component]
pub fn CorrectionForm(enrolment_id: String) -> impl IntoView {
    let app = use_app();
    let field = RwSignal::new("phone".to_string());
    let value = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Text>);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = value.get_untracked();
        let correction = if field.get_untracked() == "name" {
            PersonName::parse(&typed).map(Correction::Name)
        } else if typed.trim().is_empty() {
            Ok(Correction::Phone(None))
        } else {
            Phone::parse(&typed).map(|p| Correction::Phone(Some(p)))
        };
        let correction = match correction {
            Ok(c) => c,
            Err(err) => {
                error.set(Some(err.text()));
                return;
            }
        };
        let Some(store) = app.store() else { return };
        let id = enrolment_id.clone();
        busy.set(true);
        spawn_local(async move {
            let Some(maker) = maker(app) else {
                busy.set(false);
                return;
            };
            match correct(store.as_ref(), &id, correction, maker).await {
                Ok(_) => {
                    error.set(None);
                    value.set(String::new());
                    saved(app);
                }
                Err(err) => error.set(Some(err.text())),
            }
            busy.set(false);
        });
    };
    view! {
        <form class="card" data-testid="correct" on:submit=submit novalidate>
            <h3>{move || app.t(Key::Correct)}</h3>
            <p class="hint" data-testid="id-not-corrected">{move || app.t(Key::IdNotCorrectedHere)}</p>
            <div class="grid">
                <label>
                    <span>{move || app.t(Key::CorrectField)}</span>
                    <select name="correct_field" prop:value=move || field.get()
                        on:change=move |ev| { field.set(event_target_value(&ev)); error.set(None); }>
                        <option value="phone">{move || app.t(Key::CorrectPhone)}</option>
                        <option value="name">{move || app.t(Key::CorrectName)}</option>
                    </select>
                </label>
                <label>
                    <span>{move || app.t(Key::NewValue)}</span>
                    <input name="correct_value" prop:value=move || value.get()
                        on:input=move |ev| value.set(event_target_value(&ev))/>
                    {move || error.get().map(|e| view! { <span class="field-error" role="alert" data-testid="correct-error">{app.say(&e)}</span> })}
                </label>
            </div>
            <button type="submit" class="primary" data-testid="confirm-correct" disabled=move || busy.get()>
                {move || app.t(Key::ConfirmCorrect)}
            </button>
        </form>
    }
}
