use cunbao_domain::policy::ChronicCondition;
use cunbao_domain::text::{Bilingual, Text};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::desk::qualifications::{apply, CONDITIONS};
use crate::device::today;
use crate::i18n::{option_value, Key, Label};
use crate::ui::context::use_app;
use crate::ui::pages::changes::{maker, saved};

/// 申请慢特病认定: the condition and the hospital's diagnosis document, saved here as pending
/// with its outbox entry; the township decides after the next sync.
#[component]
pub fn ApplyQualificationForm(enrolment_id: String, version: RwSignal<u32>) -> impl IntoView {
    let app = use_app();
    let condition = RwSignal::new(option_value(ChronicCondition::Hypertension));
    let evidence = RwSignal::new(String::new());
    // (about the evidence field, message)
    let error = RwSignal::new(None::<(bool, Text)>);
    let done = RwSignal::new(false);
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let chosen: Option<ChronicCondition> =
            serde_json::from_value(serde_json::Value::String(condition.get_untracked())).ok();
        let Some(chosen) = chosen else { return };
        let Some(store) = app.store() else { return };
        let id = enrolment_id.clone();
        let typed = evidence.get_untracked();
        busy.set(true);
        done.set(false);
        spawn_local(async move {
            let Some(maker) = maker(app) else {
                busy.set(false);
                return;
            };
            match apply(store.as_ref(), &id, chosen, &typed, today(), maker).await {
                Ok(_) => {
                    error.set(None);
                    evidence.set(String::new());
                    done.set(true);
                    version.update(|v| *v += 1);
                    saved(app);
                }
                Err(err) => error.set(Some((err.is_about_evidence(), err.text()))),
            }
            busy.set(false);
        });
    };
    let error_at = move |evidence_field: bool| {
        error
            .get()
            .filter(|(about, _)| *about == evidence_field)
            .map(|(_, e)| view! { <span class="field-error" role="alert" data-testid="application-error">{app.say(&e)}</span> })
    };
    view! {
        <form class="card" data-testid="apply-qualification" on:submit=submit novalidate>
            <h3>{move || app.t(Key::ApplyQualification)}</h3>
            <div class="grid">
                <label>
                    <span>{move || app.t(Key::ChronicCondition)}</span>
                    <select name="qualification_condition" prop:value=move || condition.get()
                        on:change=move |ev| condition.set(event_target_value(&ev))>
                        {CONDITIONS.into_iter().map(|c| view! {
                            <option value=option_value(c)>{move || c.label(app.lang.get())}</option>
                        }).collect_view()}
                    </select>
                    {move || error_at(false)}
                </label>
                <label>
                    <span>{move || app.t(Key::QualificationEvidence)}</span>
                    <input name="qualification_evidence" required
                        placeholder=move || app.t(Key::EvidenceHint)
                        prop:value=move || evidence.get()
                        on:input=move |ev| evidence.set(event_target_value(&ev))/>
                    {move || error_at(true)}
                </label>
            </div>
            <button type="submit" class="primary" data-testid="submit-application" disabled=move || busy.get()>
                {move || app.t(Key::SubmitApplication)}
            </button>
            <Show when=move || done.get()>
                <p class="hint" role="status" data-testid="application-saved">{move || app.t(Key::ApplicationSaved)}</p>
            </Show>
        </form>
    }
}
