//! A clinic's enrolment target, set by an administrator in the dashboard's enrolment table: a
//! number (or nothing, for no target) and a save button; the error beside the field.

use cunbao_domain::text::{Bilingual, Text};
use leptos::prelude::*;

use crate::i18n::Key;
use crate::sync::http::FETCH;
use crate::township::figures::parse_target;
use crate::ui::context::use_app;

#[component]
pub fn TargetCell(clinic_id: String, target: Option<u32>) -> impl IntoView {
    let app = use_app();
    let field = RwSignal::new(target.map(|t| t.to_string()).unwrap_or_default());
    let saved = RwSignal::new(false);
    let error = RwSignal::new(None::<Text>);
    let clinic = StoredValue::new(clinic_id.clone());
    let save = move |_| {
        saved.set(false);
        let target = match parse_target(&field.get_untracked()) {
            Ok(target) => target,
            Err(key) => return error.set(Some(crate::i18n::both(key))),
        };
        error.set(None);
        app.with_token(move |token| async move {
            match FETCH
                .set_enrolment_target(&token, &clinic.get_value(), target)
                .await
            {
                Ok(_) => saved.set(true),
                Err(e) => error.set(Some(e.text())),
            }
        });
    };
    view! {
        <div class="target-cell" data-testid=format!("target-{clinic_id}")>
            <input type="text" inputmode="numeric" name="target" aria-label=move || app.t(Key::Target)
                prop:value=move || field.get() on:input=move |ev| { saved.set(false); field.set(event_target_value(&ev)) }/>
            <button class="no-print" on:click=save>{move || app.t(Key::SaveTarget)}</button>
            {move || saved.get().then(|| view! { <span class="badge ok" role="status">{app.t(Key::TargetSaved)}</span> })}
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{app.say(&e)}</p> })}
        </div>
    }
}
