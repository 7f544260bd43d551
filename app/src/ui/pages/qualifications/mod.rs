//! Chronic qualifications on a person's page (慢特病认定): what the person holds or applied for,
//! as this tablet knows it, and the form to apply for one.

mod apply_form;

use cunbao_domain::qualification::{Qualification, QualificationStatus};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::desk::qualifications::qualifications_of;
use crate::i18n::{Key, Label};
use crate::ui::components::desk::date_text;
use crate::ui::context::use_app;
use apply_form::ApplyQualificationForm;

/// The person's qualifications, oldest first, and the application form, filed under
/// `apply_with`: the person's standing enrolment for this year (none: not enrolled here this
/// year, no form).
#[component]
pub fn QualificationsSection(person: String, apply_with: Option<String>) -> impl IntoView {
    let app = use_app();
    let list = RwSignal::new(None::<Vec<Qualification>>);
    // Bumped when an application is saved here.
    let version = RwSignal::new(0u32);
    Effect::new(move |_| {
        let _ = version.get();
        let _ = app.sync.get().last_sync_ms;
        let Some(store) = app.store() else { return };
        let person = person.clone();
        spawn_local(async move {
            if let Ok(held) = qualifications_of(store.as_ref(), &person).await {
                list.set(Some(held));
            }
        });
    });
    view! {
        <section class="card qualifications" data-testid="qualifications">
            <h2>{move || app.t(Key::Qualifications)}</h2>
            {move || list.get().map(|held| if held.is_empty() {
                view! { <p class="hint" data-testid="no-qualifications">{move || app.t(Key::NoQualifications)}</p> }.into_any()
            } else {
                view! {
                    <ul class="people">
                        {held.into_iter().map(|q| view! { <QualificationRow q=q/> }).collect_view()}
                    </ul>
                }.into_any()
            })}
            {match apply_with {
                Some(enrolment_id) => view! { <ApplyQualificationForm enrolment_id=enrolment_id version=version/> }.into_any(),
                None => view! { <p class="hint" data-testid="cannot-apply">{move || app.t(Key::ApplyNeedsEnrolment)}</p> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn QualificationRow(q: Qualification) -> impl IntoView {
    let app = use_app();
    let badge = match q.status {
        QualificationStatus::Pending => "badge warn",
        QualificationStatus::Approved => "badge ok",
        QualificationStatus::Rejected => "badge bad",
    };
    let validity = q
        .valid_from
        .zip(q.valid_to)
        .map(|(from, to)| format!("{} – {}", date_text(from), date_text(to)));
    let reason = q
        .note
        .clone()
        .filter(|_| q.status == QualificationStatus::Rejected);
    let (condition, status) = (q.condition, q.status);
    view! {
        <li data-testid="qualification">
            <strong data-testid="qualification-condition">{move || condition.label(app.lang.get())}</strong>
            <span class=badge data-testid="qualification-status">{move || status.label(app.lang.get())}</span>
            {validity.map(|v| view! {
                <span data-testid="qualification-validity">{move || app.t(Key::ValidPeriod)}" "{v.clone()}</span>
            })}
            {reason.map(|r| view! {
                <span class="field-error" data-testid="qualification-reason">{move || app.t(Key::RejectionReason)}"："{r.clone()}</span>
            })}
            <span class="hint">
                {move || app.t(Key::QualificationEvidence)}" "{q.evidence.clone()}
                " · "{move || app.t(Key::AppliedOn)}" "{date_text(q.applied_on)}
            </span>
        </li>
    }
}
