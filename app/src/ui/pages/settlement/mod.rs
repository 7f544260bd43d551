//! The settlement screen: the page, and one file per part of its form.

mod benefit;
mod breakdown;
mod catalogue_search;
mod diagnosis_picker;
mod identity_fields;
mod lines;
mod patient_picker;
mod risk;
mod self_pay;
mod visit_form;

use cunbao_domain::text::Text;
use leptos::prelude::*;
use leptos_router::hooks::use_params_map;

use crate::desk::visit;
use crate::routes::Section;
use crate::ui::components::desk::WithDesk;
use crate::ui::context::use_app;
use crate::ui::pages::slip::ClaimSlip;
use visit_form::VisitForm;

/// Outpatient settlement: patient, identity check, diagnosis, catalogue lines, a live
/// breakdown and risk results; confirm writes durably before the slip is shown.
///
/// `/settlement` is the form, `/settlement/<claim id>` that claim's slip. One route, so that
/// the slip of a claim just saved replaces the form at once, and the address follows without
/// drawing the page again.
#[component]
pub fn SettlementPage() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    let in_address = move || params.with(|p| p.get("claim"));
    // Saved here, until the address names it.
    let saved = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if in_address().is_some() {
            saved.set(None);
        }
    });
    let shown = Memo::new(move |_| in_address().or_else(|| saved.get()));
    // The form stays up, hidden, until the slip that replaced it has been painted.
    let form_open = RwSignal::new(shown.get_untracked().is_none());
    Effect::new(move |_| {
        if shown.with(Option::is_none) {
            form_open.set(true);
        }
    });
    view! {
        <div hidden=move || shown.with(Option::is_some)>
            <Show when=move || form_open.get()>
                <h1 data-testid="section-title">{move || app.t(Section::Settlement.label())}</h1>
                <WithDesk><VisitForm shown_saved=saved form_open=form_open/></WithDesk>
            </Show>
        </div>
        {move || shown.get().map(|id| view! { <ClaimSlip id=id/> })}
    }
}

/// The live quote of the visit form: the settlement and the lines in error, or why none.
type QuoteMemo = Memo<Option<Result<(visit::Quote, Vec<visit::LineError>), Text>>>;
