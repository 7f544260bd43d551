use chrono::Datelike;
use cunbao_domain::id_number::Sex;
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::device::today;
use crate::i18n::{Key, Label};
use crate::routes::{Route, Section};
use crate::ui::components::desk::{date_text, desk, EligibilityBadge, WithDesk};
use crate::ui::components::search_results::{found_residents, keep_rows, RowAction};
use crate::ui::context::use_app;
use crate::ui::pages::changes::{
    CorrectionForm, CorrectionHistory, HouseholdReceipts, StopCoverForm,
};
use crate::ui::pages::qualifications::QualificationsSection;

/// Search as you type (ID number, name, pinyin initials); lists mask ID numbers.
#[component]
pub fn ResidentsPage() -> impl IntoView {
    let app = use_app();
    view! {
        <h1 data-testid="section-title">{move || app.t(Section::Residents.label())}</h1>
        <WithDesk><ResidentSearch/></WithDesk>
    }
}

#[component]
fn ResidentSearch() -> impl IntoView {
    let app = use_app();
    let query = RwSignal::new(String::new());
    let results = found_residents(app, query);
    let list = NodeRef::new();
    keep_rows(list, RowAction::Open, results);
    let count = move || {
        app.desk
            .with(|d| d.as_ref().map_or(0, |d| d.residents.len()))
    };
    view! {
        <section class="card">
            <div class="row">
                <input class="search" type="search" data-testid="resident-search" autofocus
                    placeholder=move || app.t(Key::SearchResidents)
                    on:input=move |ev| query.set(event_target_value(&ev))/>
                <A href=Route::Section(Section::Enrol).href() attr:class="button primary">{move || app.t(Key::NewHousehold)}</A>
            </div>
            <p class="hint">{move || app.t(Key::ResidentsOnDevice)}": "{count}</p>
            <Show when=move || results.with(Vec::is_empty) && !query.with(|q| q.trim().is_empty())>
                <p>{move || app.t(Key::NoMatch)}</p>
            </Show>
            <ul class="results" data-testid="resident-results" node_ref=list></ul>
        </section>
        <PendingDocumentsList/>
    }
}

#[component]
fn PendingDocumentsList() -> impl IntoView {
    let app = use_app();
    let pending = move || {
        desk()
            .residents
            .pending_documents()
            .into_iter()
            .cloned()
            .collect::<Vec<_>>()
    };
    view! {
        <Show when=move || !pending().is_empty()>
            <section class="card" data-testid="pending-documents">
                <h2>{move || app.t(Key::PendingDocuments)}</h2>
                <ul class="people">
                    {move || pending().into_iter().map(|r| {
                        let doc = r.record.pending_document.clone().expect("filtered");
                        view! {
                            <li>
                                <A href=Route::Resident { enrolment_id: &r.enrolment_id }.href()>{r.name().to_string()}</A>
                                <span>{doc.missing}</span>
                                <span>{move || app.t(Key::Deadline)}" "{date_text(doc.deadline)}</span>
                            </li>
                        }
                    }).collect_view()}
                </ul>
            </section>
        </Show>
    }
}

/// One person: the only place the full ID number is shown; household, coverage, eligibility.
#[component]
pub fn PersonPage() -> impl IntoView {
    let app = use_app();
    view! {
        <h1 data-testid="section-title">{move || app.t(Section::Residents.label())}</h1>
        <WithDesk><PersonView/></WithDesk>
    }
}

#[component]
fn PersonView() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    let person = move || {
        let id = params.with(|p| p.get("id").unwrap_or_default());
        desk().residents.get(&id).cloned()
    };
    move || {
        let Some(r) = person() else {
            return view! { <p class="card notice">{app.t(Key::NoMatch)}</p> }.into_any();
        };
        let member = r.record.member.clone();
        let household = desk()
            .residents
            .household(&r.record.household_id)
            .into_iter()
            .cloned()
            .collect::<Vec<_>>();
        // Applications are filed under the person's enrolment for this year.
        let this_year = desk()
            .residents
            .active_for(member.id_number.as_str(), today().year())
            .map(|r| r.enrolment_id.clone());
        let sex = match member.id_number.sex() {
            Sex::Male => app.t(Key::Male),
            Sex::Female => app.t(Key::Female),
        };
        view! {
            <section class="card status" data-testid="person">
                <h2>{member.name.to_string()}</h2>
                <dl>
                    <dt>{move || app.t(Key::IdNumber)}</dt>
                    <dd class="mono" data-testid="full-id">{member.id_number.to_string()}</dd>
                    <dt>{move || app.t(Key::BirthSex)}</dt>
                    <dd>{date_text(member.id_number.birth_date())}" · "{sex}</dd>
                    <dt>{move || app.t(Key::PhoneLabel)}</dt>
                    <dd data-testid="phone">{member.phone.as_ref().map_or_else(|| "—".to_string(), |p| p.as_str().to_string())}</dd>
                    <dt>{move || app.t(Key::Eligibility)}</dt>
                    <dd><EligibilityBadge eligibility=r.eligibility(today())/></dd>
                    {r.record.stopped.map(|stop| view! {
                        <dt>{move || app.t(Key::StoppedFrom)}</dt>
                        <dd data-testid="stopped">{date_text(stop.from)}" · "{move || stop.reason.label(app.lang.get())}</dd>
                    })}
                    <dt>{move || app.t(Key::Coverage)}</dt>
                    <dd>{r.record.coverage.map(|c| format!("{} – {}", date_text(c.from), date_text(c.to))).unwrap_or_else(|| "—".into())}</dd>
                    <dt>{move || app.t(Key::SchemeYear)}</dt>
                    <dd>{r.record.scheme_year}</dd>
                    {r.record.pending_document.clone().map(|d| view! {
                        <dt>{move || app.t(Key::PendingDocuments)}</dt>
                        <dd>{d.missing}" · "{move || app.t(Key::Deadline)}" "{date_text(d.deadline)}</dd>
                    })}
                </dl>
                <div class="actions">
                    <A href=Route::SettleFor { enrolment_id: &r.enrolment_id }.href() attr:class="button primary">{move || app.t(Key::Settle)}</A>
                    <A href=Route::AddToHousehold { household_id: &r.record.household_id }.href() attr:class="button">{move || app.t(Key::AddToHousehold)}</A>
                </div>
            </section>
            <QualificationsSection person=member.id_number.to_string() apply_with=this_year/>
            <section class="card" data-testid="changes">
                <h2>{move || app.t(Key::Changes)}</h2>
                {(r.active() && r.record.stopped.is_none()).then(|| view! {
                    <StopCoverForm enrolment_id=r.enrolment_id.clone()/>
                })}
                {r.active().then(|| view! { <CorrectionForm enrolment_id=r.enrolment_id.clone()/> })}
            </section>
            {(!r.record.corrections.is_empty()).then(|| view! {
                <CorrectionHistory corrections=r.record.corrections.clone()/>
            })}
            <HouseholdReceipts household_id=r.record.household_id.clone()/>
            <section class="card">
                <h2>{move || app.t(Key::Household)}</h2>
                <ul class="people" data-testid="household">
                    {household.into_iter().map(|m| {
                        let name = m.name().to_string();
                        view! {
                        <li>
                            <A href=Route::Resident { enrolment_id: &m.enrolment_id }.href()><strong>{name}</strong></A>
                            <span class="mono">{m.record.member.id_number.masked()}</span>
                            <EligibilityBadge eligibility=m.eligibility(today())/>
                        </li>
                    }}).collect_view()}
                </ul>
            </section>
        }.into_any()
    }
}
