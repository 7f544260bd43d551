//! Which outpatient benefit the visit settles under, decided as the server decides it
//! (`benefit_for`): chronic only with a qualification approved by the township and valid
//! today. A chronic diagnosis without one says why the visit is general.

use cunbao_domain::qualification::{benefit_for, Qualification};
use cunbao_domain::text::Bilingual;
use leptos::prelude::*;

use crate::desk::benefit::benefit_text;
use crate::desk::visit::VisitDraft;
use crate::device::today;
use crate::i18n::Key;
use crate::ui::components::desk::desk;
use crate::ui::context::use_app;

/// Shown under the diagnoses once one is chosen: the benefit, and why it is not chronic.
#[component]
pub fn BenefitNotice(
    draft: RwSignal<VisitDraft>,
    qualifications: Memo<Option<Vec<Qualification>>>,
) -> impl IntoView {
    let app = use_app();
    move || {
        let held = qualifications.get()?;
        let policy = desk().policy?;
        let (benefit, why) = draft.with(|d| {
            (!d.diagnoses.is_empty()).then(|| benefit_for(&d.diagnoses, &held, today()))
        })?;
        let words = benefit_text(&policy, benefit);
        Some(view! {
            <section class="card benefit" data-testid="benefit">
                <p>
                    <strong>{move || app.t(Key::Benefit)}</strong>": "
                    <span data-testid="benefit-kind">{move || app.say(&words)}</span>
                </p>
                {why.map(|why| view! {
                    <p class="notice-lead" role="status" data-testid="not-qualified">
                        {move || app.say(&why.text())}
                    </p>
                })}
            </section>
        })
    }
}
