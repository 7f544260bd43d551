use leptos::prelude::*;

use crate::desk::residents::Resident;
use crate::desk::visit::VisitDraft;
use crate::device::today;
use crate::i18n::Key;
use crate::ui::components::desk::EligibilityBadge;
use crate::ui::components::search_results::{found_residents, keep_rows, picked, RowAction};
use crate::ui::context::use_app;

#[component]
pub fn PatientPicker(
    draft: RwSignal<VisitDraft>,
    patient: Memo<Option<Resident>>,
) -> impl IntoView {
    let app = use_app();
    let query = RwSignal::new(String::new());
    move || {
        match patient.get() {
        Some(p) => view! {
            <section class="card patient" data-testid="patient">
                <strong>{p.name().to_string()}</strong>
                <span class="mono">{p.record.member.id_number.masked()}</span>
                <EligibilityBadge eligibility=p.eligibility(today())/>
                <button class="link" on:click=move |_| draft.set(VisitDraft { identity: "id_card".into(), ..VisitDraft::default() })>
                    {move || app.t(Key::ChangePatient)}
                </button>
            </section>
        }.into_any(),
        None => {
            let list = NodeRef::new();
            keep_rows(list, RowAction::Pick, found_residents(app, query));
            view! {
            <section class="card">
                <h2>{move || app.t(Key::FindPatient)}</h2>
                <input class="search" type="search" data-testid="patient-search"
                    placeholder=move || app.t(Key::SearchResidents)
                    on:input=move |ev| query.set(event_target_value(&ev))/>
                <ul class="results" node_ref=list
                    on:click=move |ev| if let Some(id) = picked(&ev) {
                        draft.update(|d| d.enrolment_id = id);
                    }>
                </ul>
            </section>
        }.into_any()
        }
    }
    }
}
