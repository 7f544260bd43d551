//! One claim's review page: the visit, the tablet's and the server's figures side by side,
//! the rules found, and the patient's other visits of the 30 days before it.

use cunbao_domain::review::ReviewClaim;
use cunbao_domain::settlement::Settlement;
use cunbao_domain::text::{Bilingual, Text};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::decision_bar::DecisionBar;
use super::proposals::ProposeVoid;
use super::staff_only::StaffOnline;
use crate::i18n::{Key, Label};
use crate::routes::{Route, Section};
use crate::sync::http::FETCH;
use crate::ui::context::use_app;
use cunbao_domain::claim::ClaimAction;

#[component]
pub fn ReviewClaimPage() -> impl IntoView {
    let app = use_app();
    view! {
        <h1 data-testid="section-title">{move || app.t(Key::ReviewClaimTitle)}</h1>
        <p><A href=Route::Section(Section::Review).href()>{move || app.t(Key::BackToQueue)}</A></p>
        <StaffOnline><ClaimView/></StaffOnline>
    }
}

#[component]
fn ClaimView() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    let claim_id = move || params.with(|p| p.get("claim").unwrap_or_default());
    let claim = RwSignal::new(None::<Result<ReviewClaim, Text>>);
    let load = move || {
        let id = claim_id();
        app.with_token(move |token| async move {
            let result = FETCH.review_claim(&token, &id).await;
            claim.set(Some(result.map_err(|e| e.text())));
        });
    };
    Effect::new(move |_| {
        params.track();
        load();
    });
    let this = Signal::derive(move || vec![claim_id()]);
    view! {
        {move || match claim.get() {
            None => view! { <p>{app.t(Key::Loading)}</p> }.into_any(),
            Some(Err(e)) => view! { <p class="card field-error" role="alert">{app.say(&e)}</p> }.into_any(),
            Some(Ok(c)) => {
                let voidable = c.item.status.after(ClaimAction::VoidApproved).is_some();
                let id = c.item.claim_id.clone();
                view! {
                    <Claim claim=c/>
                    {voidable.then(|| view! { <ProposeVoid claim_id=id/> })}
                }.into_any()
            }
        }}
        <section class="card">
            <DecisionBar claims=this decided=Callback::new(move |_| load())/>
        </section>
    }
}

#[component]
fn Claim(claim: ReviewClaim) -> impl IntoView {
    let app = use_app();
    let item = claim.item.clone();
    let benefit = item.benefit.text();
    let decision = claim.decision.clone().map(|d| {
        let reason = d
            .reason
            .map(|r| Text::new(r.zh, r.en))
            .unwrap_or_else(|| Text::new("", ""));
        (
            d.status,
            reason,
            d.note.unwrap_or_default(),
            d.decided_by,
            d.decided_at,
        )
    });
    let server_lines = claim.server_lines.clone();
    view! {
        <section class="card" data-testid="review-claim">
            <dl class="facts">
                <dt>{move || app.t(Key::Clinic)}</dt><dd>{item.clinic_name.clone()}</dd>
                <dt>{move || app.t(Key::Patient)}</dt><dd class="mono" data-testid="claim-person">{item.person.clone()}</dd>
                <dt>{move || app.t(Key::VisitDate)}</dt><dd>{item.visit_date.to_string()}</dd>
                <dt>{move || app.t(Key::Benefit)}</dt><dd>{move || app.say(&benefit)}</dd>
                <dt>{move || app.t(Key::Diagnosis)}</dt>
                <dd>{claim.diagnoses.iter().map(|d| d.code.clone()).collect::<Vec<_>>().join("；")}</dd>
                <dt>{move || app.t(Key::Operator)}</dt>
                <dd>{claim.operator.as_ref().map(|o| o.display_name.clone()).unwrap_or_default()}</dd>
                <dt>{move || app.t(Key::Status)}</dt><dd data-testid="claim-status">{move || item.status.label(app.lang.get())}</dd>
                <dt>{move || app.t(Key::Waiting)}</dt><dd>{move || format!("{} {}", item.waiting_hours, app.t(Key::HoursUnit))}</dd>
                {claim.reason.clone().map(|r| view! {
                    <dt>{move || app.t(Key::ClinicReason)}</dt><dd>{r}</dd>
                })}
            </dl>
            {decision.map(|(status, reason, note, by, at)| view! {
                <p class="notice" data-testid="claim-decision">
                    {move || status.label(app.lang.get())}" · "{move || app.say(&reason)}" "{note.clone()}
                    " · "{by.clone()}" "{at.clone()}
                </p>
            })}
        </section>
        <section class="card">
            <h2>{move || app.t(Key::RulesFound)}</h2>
            {(item.price_differences > 0).then(|| view! {
                <p class="notice" data-testid="price-differences">
                    {move || app.t(Key::PriceDifferences)}{item.price_differences}
                </p>
            })}
            {claim.rule_hits.is_empty().then(|| view! { <p data-testid="no-rule-hits">{move || app.t(Key::NoRuleHits)}</p> })}
            <ul data-testid="rule-hits">
                {claim.rule_hits.iter().map(|hit| {
                    let message = Text::new(hit.message_zh.clone(), hit.message_en.clone());
                    let rule = hit.rule;
                    view! { <li><strong>{move || rule.label(app.lang.get())}</strong>"："{move || app.say(&message)}</li> }
                }).collect_view()}
            </ul>
        </section>
        <section class="card">
            <h2>{move || app.t(Key::Lines)}</h2>
            <table class="records">
                <thead><tr>
                    <th>"#"</th><th>{move || app.t(Key::Item)}</th><th class="num">{move || app.t(Key::Quantity)}</th>
                    <th class="num">{move || app.t(Key::PriceTablet)}</th><th class="num">{move || app.t(Key::PriceServer)}</th>
                </tr></thead>
                <tbody>
                    {claim.lines.iter().enumerate().map(|(i, line)| {
                        let server = server_lines.as_ref().and_then(|l| l.get(i)).map(|l| l.price.to_string());
                        let tablet = line.price.to_string();
                        let differs = server.as_ref().is_some_and(|s| *s != tablet);
                        view! { <tr>
                            <td>{i + 1}</td><td>{format!("{} {}", line.code.clone().unwrap_or_default(), line.name.clone().unwrap_or_default())}</td>
                            <td class="num">{line.quantity.to_string()}</td>
                            <td class="num" class:differs=differs>{tablet.clone()}</td>
                            <td class="num" class:differs=differs>{server.unwrap_or(tablet)}</td>
                        </tr> }
                    }).collect_view()}
                </tbody>
            </table>
        </section>
        <section class="card">
            <h2>{move || app.t(Key::FiguresSideBySide)}</h2>
            <Figures tablet=claim.device_settlement.clone() server=claim.server_settlement.clone()/>
        </section>
        <section class="card">
            <h2>{move || app.t(Key::RecentVisits)}</h2>
            {if claim.recent_visits.is_empty() {
                view! { <p data-testid="recent-none">{move || app.t(Key::NoRecentVisits)}</p> }.into_any()
            } else {
                view! {
                    <table class="records" data-testid="recent-visits">
                        <thead><tr>
                            <th>{move || app.t(Key::VisitDate)}</th><th>{move || app.t(Key::Clinic)}</th>
                            <th>{move || app.t(Key::Benefit)}</th><th class="num">{move || app.t(Key::Total)}</th>
                            <th class="num">{move || app.t(Key::Fund)}</th><th>{move || app.t(Key::Status)}</th>
                        </tr></thead>
                        <tbody>
                            {claim.recent_visits.iter().map(|v| {
                                let benefit = v.benefit.text();
                                let status = v.status;
                                view! { <tr>
                                    <td>{v.visit_date.to_string()}</td><td>{v.clinic_name.clone()}</td>
                                    <td>{move || app.say(&benefit)}</td><td class="num">{v.total.to_string()}</td>
                                    <td class="num">{v.fund.to_string()}</td><td>{move || status.label(app.lang.get())}</td>
                                </tr> }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
        </section>
    }
}

/// The tablet's and the server's settlement, figure by figure; those that differ marked.
#[component]
fn Figures(tablet: Settlement, server: Settlement) -> impl IntoView {
    let app = use_app();
    let rows = [
        (Key::Total, tablet.total, server.total),
        (Key::Fund, tablet.fund, server.fund),
        (
            Key::DeductibleTaken,
            tablet.deductible_taken,
            server.deductible_taken,
        ),
        (Key::PatientPays, tablet.patient, server.patient),
    ];
    view! {
        <table class="records" data-testid="figures">
            <thead><tr>
                <th></th><th class="num">{move || app.t(Key::OnTablet)}</th><th class="num">{move || app.t(Key::OnServer)}</th>
            </tr></thead>
            <tbody>
                {rows.into_iter().map(|(key, t, s)| view! {
                    <tr class:differs=t != s>
                        <th>{move || app.t(key)}</th><td class="num">{t.to_string()}</td><td class="num">{s.to_string()}</td>
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
    }
}
