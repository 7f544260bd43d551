//! The review queue (审核队列): the township's flagged and held claims, oldest first, with
//! filters; a selection decided in one go.

use std::collections::BTreeSet;

use cunbao_domain::policy::BenefitKind;
use cunbao_domain::review::QueueItem;
use cunbao_domain::risk::RuleId;
use cunbao_domain::text::{Bilingual, Text};
use leptos::prelude::*;
use leptos_router::components::A;

use super::decision_bar::DecisionBar;
use super::staff_only::StaffOnline;
use crate::i18n::{Key, Label};
use crate::routes::{Route, Section};
use crate::sync::http::FETCH;
use crate::township::review::{clinics, QueueFilter, Wait};
use crate::ui::context::use_app;

const RULES: [RuleId; 13] = [
    RuleId::NotEligible,
    RuleId::ProxyWithoutRelationship,
    RuleId::DuplicateCharge,
    RuleId::PriceAboveCatalogue,
    RuleId::SexRestriction,
    RuleId::AgeRestriction,
    RuleId::QuantityOverVisitLimit,
    RuleId::QuantityOverPeriodLimit,
    RuleId::DiagnosisRestriction,
    RuleId::SeveralVisitsSameDay,
    RuleId::PriceAbovePaymentStandard,
    RuleId::VisitsPerMonth,
    RuleId::ClaimAboveThreshold,
];

/// The benefit filter's choices: the benefit's tag and its words.
fn benefits() -> [(&'static str, Text); 3] {
    [
        ("general_outpatient", BenefitKind::GeneralOutpatient.text()),
        (
            "chronic_outpatient",
            Text::new("门诊慢特病", "chronic outpatient"),
        ),
        ("inpatient", Text::new("住院", "inpatient")),
    ]
}

fn tag<T: serde::Serialize>(value: T) -> String {
    crate::i18n::labels::option_value(value)
}

#[component]
pub fn ReviewQueuePage() -> impl IntoView {
    let app = use_app();
    view! {
        <h1 data-testid="section-title">{move || app.t(Section::Review.label())}</h1>
        <StaffOnline><Queue/></StaffOnline>
    }
}

#[component]
fn Queue() -> impl IntoView {
    let app = use_app();
    let filter = RwSignal::new(QueueFilter::default());
    let items = RwSignal::new(None::<Result<Vec<QueueItem>, Text>>);
    // The clinic filter's choices: from the whole queue, not the filtered one.
    let all_clinics = RwSignal::new(Vec::<(String, String)>::new());
    let selected = RwSignal::new(BTreeSet::<String>::new());
    let reload = move || {
        let filter = filter.get_untracked();
        app.with_token(move |token| async move {
            let result = FETCH.review_queue(&token, &filter).await;
            if let Ok(list) = &result {
                if filter.clinic.is_empty() {
                    all_clinics.set(clinics(list));
                }
                // Nothing stays selected that is no longer listed.
                selected.update(|s| s.retain(|id| list.iter().any(|i| &i.claim_id == id)));
            }
            items.set(Some(result.map_err(|e| e.text())));
        });
    };
    Effect::new(move |_| {
        filter.track();
        reload();
    });
    let set = move |f: fn(&mut QueueFilter, String)| {
        move |ev: leptos::ev::Event| {
            let value = event_target_value(&ev);
            filter.update(|filter| f(filter, value));
        }
    };
    let claims = Signal::derive(move || selected.get().into_iter().collect::<Vec<_>>());
    let listed = move || match items.get() {
        Some(Ok(list)) => list,
        _ => Vec::new(),
    };
    let all_selected = move || {
        let list = listed();
        !list.is_empty() && selected.with(|s| list.iter().all(|i| s.contains(&i.claim_id)))
    };
    view! {
        <section class="card filters" data-testid="review-filters">
            <label>
                <span>{move || app.t(Key::Clinic)}</span>
                <select name="clinic" on:change=set(|f, v| f.clinic = v)>
                    <option value="">{move || app.t(Key::All)}</option>
                    {move || all_clinics.get().into_iter().map(|(id, name)| view! {
                        <option value=id>{name}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>
                <span>{move || app.t(Key::Rule)}</span>
                <select name="rule" on:change=set(|f, v| f.rule = v)>
                    <option value="">{move || app.t(Key::All)}</option>
                    {RULES.into_iter().map(|rule| view! {
                        <option value=tag(rule)>{move || rule.label(app.lang.get())}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>
                <span>{move || app.t(Key::Benefit)}</span>
                <select name="benefit" on:change=set(|f, v| f.benefit = v)>
                    <option value="">{move || app.t(Key::All)}</option>
                    {benefits().into_iter().map(|(tag, words)| view! {
                        <option value=tag>{move || app.say(&words)}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>
                <span>{move || app.t(Key::Waiting)}</span>
                <select name="min_hours" on:change=set(|f, v| f.min_hours = v.parse().ok())>
                    <option value="">{move || app.t(Key::All)}</option>
                    <option value="24">{move || app.t(Key::Over24Hours)}</option>
                    <option value="48">{move || app.t(Key::Over48Hours)}</option>
                </select>
            </label>
        </section>
        <section class="card">
            <DecisionBar claims=claims decided=Callback::new(move |_| reload())/>
            {move || match items.get() {
                None => view! { <p>{app.t(Key::Loading)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="field-error" role="alert">{app.say(&e)}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! {
                    <p data-testid="queue-empty">{app.t(Key::QueueEmpty)}</p>
                }.into_any(),
                Some(Ok(list)) => view! {
                    <div class="table-scroll">
                    <table class="records queue" data-testid="review-queue">
                        <thead><tr>
                            <th>
                                <input type="checkbox" data-testid="select-all"
                                    aria-label=move || app.t(Key::SelectAll)
                                    prop:checked=all_selected
                                    on:change=move |ev| {
                                        let on = event_target_checked(&ev);
                                        let ids: Vec<String> = listed().into_iter().map(|i| i.claim_id).collect();
                                        selected.update(|s| if on { s.extend(ids) } else { s.clear() });
                                    }/>
                            </th>
                            <th>{app.t(Key::Waiting)}</th><th>{app.t(Key::Clinic)}</th>
                            <th>{app.t(Key::Patient)}</th><th>{app.t(Key::VisitDate)}</th>
                            <th>{app.t(Key::Benefit)}</th><th class="num">{app.t(Key::Total)}</th>
                            <th class="num">{app.t(Key::FundTablet)}</th><th class="num">{app.t(Key::FundServer)}</th>
                            <th>{app.t(Key::Rule)}</th><th>{app.t(Key::Status)}</th><th></th>
                        </tr></thead>
                        <tbody>
                            {list.into_iter().map(|item| view! { <QueueRow item=item selected=selected/> }).collect_view()}
                        </tbody>
                    </table>
                    </div>
                }.into_any(),
            }}
        </section>
    }
}

#[component]
fn QueueRow(item: QueueItem, selected: RwSignal<BTreeSet<String>>) -> impl IntoView {
    let app = use_app();
    let id = item.claim_id.clone();
    let checked = {
        let id = id.clone();
        move || selected.with(|s| s.contains(&id))
    };
    let toggle = {
        let id = id.clone();
        move |ev: leptos::ev::Event| {
            let on = event_target_checked(&ev);
            let id = id.clone();
            selected.update(|s| {
                if on {
                    s.insert(id);
                } else {
                    s.remove(&id);
                }
            });
        }
    };
    let wait = Wait::of(item.waiting_hours);
    let benefit = item.benefit.text();
    let rules = item.rules.clone();
    let differ = item.device_fund != item.server_fund;
    let href = Route::ReviewClaim { claim_id: &id }.href();
    view! {
        <tr data-testid="queue-row" data-claim=id.clone()>
            <td><input type="checkbox" data-testid="select" prop:checked=checked on:change=toggle
                aria-label=move || app.t(Key::Select)/></td>
            <td class=wait.class()>{move || format!("{} {}", item.waiting_hours, app.t(Key::HoursUnit))}</td>
            <td>{item.clinic_name.clone()}</td>
            <td class="mono">{item.person.clone()}</td>
            <td>{item.visit_date.to_string()}</td>
            <td>{move || app.say(&benefit)}</td>
            <td class="num">{item.total.to_string()}</td>
            <td class="num" class:differs=differ>{item.device_fund.to_string()}</td>
            <td class="num" class:differs=differ>{item.server_fund.to_string()}</td>
            <td>{move || rules.iter().map(|r| r.label(app.lang.get())).collect::<Vec<_>>().join("、")}</td>
            <td>{move || item.status.label(app.lang.get())}</td>
            <td><A href=href>{move || app.t(Key::Open)}</A></td>
        </tr>
    }
}
