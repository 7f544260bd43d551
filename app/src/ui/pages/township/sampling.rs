//! Sampling (结果质检) on a clinic's statement page: the month's draw of its paid claims (the
//! policy's share, the seed shown), and a finding on each claim drawn — in order, or a
//! deduction with a standard reason, which the statement then takes back.

use cunbao_domain::money::Money;
use cunbao_domain::sampling::{FindingRequest, SampledClaim, Sampling};
use cunbao_domain::text::{Bilingual, Text};
use leptos::prelude::*;

use super::decision_bar::reasons;
use crate::i18n::Key;
use crate::routes::Route;
use crate::sync::http::FETCH;
use crate::ui::context::use_app;

/// `changed` runs after a finding is recorded (the statement takes it).
#[component]
pub fn SamplingCard(
    clinic: String,
    month: String,
    #[prop(into)] changed: Callback<()>,
) -> impl IntoView {
    let app = use_app();
    let sampling = RwSignal::new(None::<Result<Option<Sampling>, Text>>);
    let error = RwSignal::new(None::<Text>);
    let (c, m) = (clinic.clone(), month.clone());
    let load = move || {
        let (clinic, month) = (c.clone(), m.clone());
        app.with_token(move |token| async move {
            let result = FETCH.sampling(&token, &clinic, &month).await;
            sampling.set(Some(result.map_err(|e| e.text())));
        });
    };
    load();
    let (c, m) = (clinic.clone(), month.clone());
    let draw = move |_| {
        let (clinic, month) = (c.clone(), m.clone());
        error.set(None);
        app.with_token(move |token| async move {
            match FETCH.draw_sample(&token, &clinic, &month).await {
                Ok(s) => sampling.set(Some(Ok(Some(s)))),
                Err(e) => error.set(Some(e.text())),
            }
        });
    };
    let found = Callback::new(move |s: Sampling| {
        sampling.set(Some(Ok(Some(s))));
        changed.run(());
    });
    view! {
        <section class="card no-print" data-testid="sampling">
            <h2>{move || app.t(Key::Sampling)}</h2>
            {move || match sampling.get() {
                None => view! { <p>{app.t(Key::Loading)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="field-error" role="alert">{app.say(&e)}</p> }.into_any(),
                Some(Ok(None)) => view! {
                    <p class="hint">{app.t(Key::SamplingHelp)}</p>
                    <button class="primary" data-testid="draw-sample" on:click=draw.clone()>{app.t(Key::DrawSample)}</button>
                }.into_any(),
                Some(Ok(Some(s))) => {
                    let summary = format!(
                        "{} {}% · {} {} / {} · {} {} · {} {}",
                        app.t(Key::SamplingShare), s.percent,
                        app.t(Key::SamplingDrawn), s.claims.len(), s.population,
                        app.t(Key::SamplingSeed), s.seed,
                        s.drawn_by, crate::ui::format::datetime_of(&s.drawn_at),
                    );
                    let (clinic, month) = (clinic.clone(), month.clone());
                    let nothing = s.claims.is_empty();
                    view! {
                        <p data-testid="sampling-summary">{summary}</p>
                        {nothing.then(|| view! { <p class="empty">{app.t(Key::NothingToSample)}</p> })}
                        <table class="records" class:hidden=nothing>
                            <thead><tr>
                                <th>{app.t(Key::VisitDate)}</th><th>{app.t(Key::Patient)}</th>
                                <th class="num">{app.t(Key::Total)}</th><th class="num">{app.t(Key::Fund)}</th>
                                <th>{app.t(Key::Finding)}</th>
                            </tr></thead>
                            <tbody>
                                {s.claims.into_iter().map(|claim| view! {
                                    <SampledRow claim=claim clinic=clinic.clone() month=month.clone() found=found/>
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }
            }}
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{app.say(&e)}</p> })}
        </section>
    }
}

#[component]
fn SampledRow(
    claim: SampledClaim,
    clinic: String,
    month: String,
    found: Callback<Sampling>,
) -> impl IntoView {
    let app = use_app();
    let deduction = RwSignal::new(String::new());
    let reason = RwSignal::new(String::new());
    let note = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Text>);
    let id = claim.claim_id.clone();
    let send = move |in_order: bool| {
        let amount = if in_order {
            Money::ZERO
        } else {
            match Money::parse(deduction.get_untracked().trim()) {
                Ok(m) if m > Money::ZERO => m,
                _ => {
                    error.set(Some(Text::new(
                        "请填写扣减金额，如 12.50",
                        "Enter the deduction, e.g. 12.50",
                    )));
                    return;
                }
            }
        };
        let request = FindingRequest {
            claim_id: id.clone(),
            deduction: amount,
            reason: (!in_order).then(|| reason.get_untracked()),
            note: Some(note.get_untracked()).filter(|n| !n.trim().is_empty()),
        };
        let (clinic, month) = (clinic.clone(), month.clone());
        error.set(None);
        app.with_token(move |token| async move {
            match FETCH
                .record_finding(&token, &clinic, &month, &request)
                .await
            {
                Ok(s) => found.run(s),
                Err(e) => error.set(Some(e.text())),
            }
        });
    };
    let in_order = {
        let send = send.clone();
        move |_| send(true)
    };
    let deduct = move |_| send(false);
    let finding = claim.finding.clone();
    view! {
        <tr data-testid="sampled-claim" data-claim=claim.claim_id.clone()>
            <td><a href=Route::ReviewClaim { claim_id: &claim.claim_id }.href()>{claim.visit_date.to_string()}</a></td>
            <td class="mono">{claim.person.clone()}</td>
            <td class="num">{claim.total.to_string()}</td><td class="num">{claim.fund.to_string()}</td>
            <td>
                {match finding {
                    Some(f) if f.deduction == Money::ZERO => view! {
                        <span class="badge ok" data-testid="finding">{move || app.t(Key::FindingInOrder)}" · "{f.found_by.clone()}</span>
                    }.into_any(),
                    Some(f) => {
                        let reason = f.reason.map(|r| Text::new(r.zh, r.en));
                        view! {
                            <span class="badge bad" data-testid="finding">
                                {move || app.t(Key::FindingDeducted)}" ¥"{f.deduction.to_string()}
                                {reason.map(|r| view! { " · " {move || app.say(&r)} })}
                                {f.note.map(|n| format!("（{n}）"))}" · "{f.found_by.clone()}
                            </span>
                        }.into_any()
                    }
                    None => view! {
                        <div class="row finding-form">
                            <button data-testid="in-order" on:click=in_order.clone()>{move || app.t(Key::FindingInOrder)}</button>
                            <input name="deduction" inputmode="decimal" size="8" placeholder=move || app.t(Key::DeductionYuan)
                                prop:value=deduction on:input=move |ev| deduction.set(event_target_value(&ev))/>
                            <select name="finding_reason" aria-label=move || app.t(Key::FindingReason)
                                on:change=move |ev| reason.set(event_target_value(&ev))>
                                <option value="">{move || app.t(Key::Choose)}</option>
                                {reasons().into_iter().map(|r| {
                                    let words = Text::new(r.zh.clone(), r.en.clone());
                                    view! { <option value=r.code.clone()>{move || app.say(&words)}</option> }
                                }).collect_view()}
                            </select>
                            <input name="finding_note" maxlength="200" placeholder=move || app.t(Key::FindingNote)
                                prop:value=note on:input=move |ev| note.set(event_target_value(&ev))/>
                            <button data-testid="deduct" on:click=deduct.clone()>{move || app.t(Key::Deduct)}</button>
                        </div>
                    }.into_any(),
                }}
                {move || error.get().map(|e| view! { <p class="field-error" role="alert">{app.say(&e)}</p> })}
            </td>
        </tr>
    }
}
