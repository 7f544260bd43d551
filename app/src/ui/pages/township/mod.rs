pub mod cash;
pub mod chronic;
pub mod dashboard;
mod dashboard_tables;
mod decision_bar;
pub mod devices;
mod enrolment_target;
pub mod proposals;
mod publications;
pub mod publishing;
mod record_list;
pub mod report;
pub mod review_claim;
pub mod review_queue;
mod sampling;
mod second_person;
mod staff_only;
pub mod statement;
pub mod statements;
pub mod users;

use leptos::prelude::*;

use crate::routes::Section;
use crate::township;
use crate::ui::context::use_app;
use record_list::RecordList;

/// Read-only: what the township's clinics have synced, so the round trip can be seen.
#[component]
pub fn TownshipPage() -> impl IntoView {
    let app = use_app();
    view! {
        <h1 data-testid="section-title">{move || app.t(Section::Township.label())}</h1>
        <staff_only::StaffOnline>
            {township::LISTED.into_iter().map(|kind| view! { <RecordList kind=kind/> }).collect_view()}
        </staff_only::StaffOnline>
    }
}
