use leptos::prelude::*;
use leptos::task::spawn_local;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::desk::visit::ClaimRecord;
use crate::i18n::{Key, Lang};
use crate::storage::{Store, StoreName};
use crate::ui::components::desk::date_text;
use crate::ui::components::print::PrintButtons;
use crate::ui::context::use_app;
use crate::ui::format::time_of;

/// The settlement slip (结算单) of a saved claim, as printed.
#[component]
pub fn SlipPage() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    let id = move || params.with(|p| p.get("id").unwrap_or_default());
    // Just saved on the settlement screen: already on disk, shown at once without reading it
    // back.
    let just_saved = app
        .saved_claim
        .with_value(|c| c.clone().filter(|c| c.claim_id == untrack(id)));
    let found = RwSignal::new(just_saved.map(Some));
    Effect::new(move |_| {
        let id = id();
        if found.with_untracked(|f| matches!(f, Some(Some(c)) if c.claim_id == id)) {
            return;
        }
        let _ = app.device.get();
        let Some(store) = app.store() else { return };
        spawn_local(async move {
            let claim = store
                .get_as::<ClaimRecord>(StoreName::Claims, &id)
                .await
                .ok()
                .flatten();
            found.set(Some(claim));
        });
    });
    move || match found.get() {
        None => view! { <p>{app.t(Key::Loading)}</p> }.into_any(),
        Some(None) => view! { <p class="card notice">{app.t(Key::NoMatch)}</p> }.into_any(),
        Some(Some(c)) => {
            let s = c.settlement.clone();
            let row = move |key: Key, value: String, id: &'static str| {
                view! {
                    <dt>{move || app.t(key)}</dt><dd class="num" data-testid=format!("slip-{id}")>{value}</dd>
                }
            };
            view! {
                <article class="slip" data-testid="slip">
                    <h1>{move || app.t(Key::SettlementSlip)}</h1>
                    {c.pending_review.then(|| view! { <p class="notice-lead">{move || app.t(Key::PendingReview)}</p> })}
                    {c.voided.clone().map(|r| view! { <p class="notice-lead">{move || app.t(Key::Voided)}": "{r.clone()}</p> })}
                    <dl>
                        <dt>{move || app.t(Key::Patient)}</dt><dd>{c.patient_name.clone()}" "<span class="mono">{c.person.masked()}</span></dd>
                        <dt>{move || app.t(Key::VisitDate)}</dt><dd>{date_text(c.visit_date)}" "{time_of(c.saved_at_ms)}</dd>
                        <dt>{move || app.t(Key::Diagnosis)}</dt><dd>{c.diagnoses.join("、")}</dd>
                    </dl>
                    <table>
                        <thead><tr>
                            <th>{move || app.t(Key::Item)}</th><th class="num">{move || app.t(Key::Quantity)}</th>
                            <th class="num">{move || app.t(Key::AmountCol)}</th><th class="num">{move || app.t(Key::SelfPayFull)}</th>
                            <th class="num">{move || app.t(Key::SelfPayFirst)}</th>
                        </tr></thead>
                        <tbody>
                            {c.lines.iter().zip(&s.lines).map(|(l, b)| view! {
                                <tr>
                                    <td>{l.name.clone().unwrap_or_default()}</td>
                                    <td class="num">{l.quantity.to_string()}</td>
                                    <td class="num">{b.amount.to_string()}</td>
                                    <td class="num">{b.self_pay_full.to_string()}</td>
                                    <td class="num">{b.self_pay_first.to_string()}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                    <dl class="totals">
                        {row(Key::Total, s.total.to_string(), "total")}
                        {row(Key::InPolicy, s.in_policy.to_string(), "in-policy")}
                        {row(Key::DeductibleTaken, s.deductible_taken.to_string(), "deductible-taken")}
                        {row(Key::FundPays, s.fund.to_string(), "fund")}
                        {row(Key::PatientPays, s.patient.to_string(), "patient")}
                    </dl>
                    <p class="hint">
                        {move || app.t(Key::YearToDate)}": "{move || app.t(Key::DeductibleMet)}" "{s.accumulators_after.deductible_met.to_string()}
                        " · "{move || app.t(Key::FundPaid)}" "{s.accumulators_after.fund_paid.to_string()}
                    </p>
                    {(!c.hits.is_empty()).then(|| view! {
                        <ul class="risk">
                            {c.hits.iter().map(|h| {
                                let (zh, en) = (h.message_zh.clone(), h.message_en.clone());
                                view! { <li>{move || if app.lang.get() == Lang::Zh { zh.clone() } else { en.clone() }}</li> }
                            }).collect_view()}
                        </ul>
                    })}
                    <p>{move || app.t(Key::Operator)}": "{c.operator.clone()}</p>
                    <p class="mono hint">{c.claim_id.clone()}</p>
                </article>
                <PrintButtons/>
                <div class="actions no-print">
                    <A href="/settlement" attr:class="button">{move || app.t(Key::NewVisit)}</A>
                    <A href="/today" attr:class="button">{move || app.t(Key::NavToday)}</A>
                </div>
            }.into_any()
        }
    }
}
