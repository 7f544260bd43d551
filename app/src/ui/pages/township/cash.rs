//! Cash handed in (现金解缴): each clinic's receipts, the cash it handed in and the gap until
//! it closes; a hand-in recorded here.

use chrono::NaiveDate;
use cunbao_domain::money::Money;
use cunbao_domain::statement::{CashHandIn, CashStanding};
use cunbao_domain::text::{Bilingual, Text};
use leptos::prelude::*;

use super::staff_only::StaffOnline;
use crate::i18n::Key;
use crate::routes::Section;
use crate::sync::http::FETCH;
use crate::ui::context::use_app;

#[component]
pub fn CashPage() -> impl IntoView {
    let app = use_app();
    view! {
        <h1 data-testid="section-title">{move || app.t(Section::Cash.label())}</h1>
        <StaffOnline><Cash/></StaffOnline>
    }
}

#[component]
fn Cash() -> impl IntoView {
    let app = use_app();
    let standings = RwSignal::new(None::<Result<Vec<CashStanding>, Text>>);
    let load = move || {
        app.with_token(move |token| async move {
            standings.set(Some(FETCH.cash(&token).await.map_err(|e| e.text())));
        });
    };
    Effect::new(move |_| load());
    let clinic = RwSignal::new(String::new());
    let amount = RwSignal::new(String::new());
    let received_on = RwSignal::new(crate::device::today().to_string());
    let covered = RwSignal::new(String::new());
    let error = RwSignal::new(None::<Text>);
    let record = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(money) = Money::parse(amount.get_untracked().trim()) else {
            error.set(Some(Text::new(
                "请填写金额，如 1200.00",
                "Enter an amount, e.g. 1200.00",
            )));
            return;
        };
        let Ok(day) = NaiveDate::parse_from_str(&received_on.get_untracked(), "%Y-%m-%d") else {
            return;
        };
        let hand_in = CashHandIn {
            clinic_id: clinic.get_untracked(),
            amount: money,
            received_on: day,
            receipts_covered: covered.get_untracked().trim().to_string(),
        };
        error.set(None);
        app.with_token(move |token| async move {
            match FETCH.hand_in(&token, &hand_in).await {
                Ok(_) => {
                    amount.set(String::new());
                    covered.set(String::new());
                    load();
                }
                Err(e) => error.set(Some(e.text())),
            }
        });
    };
    let list = move || match standings.get() {
        Some(Ok(list)) => list,
        _ => Vec::new(),
    };
    view! {
        <section class="card">
            {move || match standings.get() {
                None => view! { <p>{app.t(Key::Loading)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="field-error" role="alert">{app.say(&e)}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <table class="records" data-testid="cash">
                        <thead><tr>
                            <th>{app.t(Key::Clinic)}</th><th class="num">{app.t(Key::ReceiptsCount)}</th>
                            <th class="num">{app.t(Key::ReceiptsTotal)}</th><th class="num">{app.t(Key::RefundsTotal)}</th><th class="num">{app.t(Key::CashHandedIn)}</th>
                            <th class="num">{app.t(Key::Gap)}</th><th>{app.t(Key::HandIns)}</th>
                        </tr></thead>
                        <tbody>
                            {list.into_iter().map(|c| view! {
                                <tr data-testid="cash-row" data-clinic=c.clinic_id.clone()>
                                    <td>{c.clinic_name}</td><td class="num">{c.receipts}</td>
                                    <td class="num">{c.receipts_total.to_string()}</td><td class="num">{c.refunded.to_string()}</td><td class="num">{c.handed_in.to_string()}</td>
                                    <td class="num" class:differs=!c.gap.is_zero() data-testid="gap">{c.gap.to_string()}</td>
                                    <td>{c.hand_ins.iter().map(|h| format!("{} {} {}", h.received_on, h.amount, h.receipts_covered)).collect::<Vec<_>>().join("；")}</td>
                                </tr>
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
        </section>
        <form class="card filters" on:submit=record data-testid="hand-in">
            <h2>{move || app.t(Key::RecordHandIn)}</h2>
            <label><span>{move || app.t(Key::Clinic)}</span>
                <select name="clinic" required on:change=move |ev| clinic.set(event_target_value(&ev))>
                    <option value="">{move || app.t(Key::Choose)}</option>
                    {move || list().into_iter().map(|c| view! { <option value=c.clinic_id>{c.clinic_name}</option> }).collect_view()}
                </select></label>
            <label><span>{move || app.t(Key::AmountYuan)}</span>
                <input name="amount" inputmode="decimal" required prop:value=amount
                    on:input=move |ev| amount.set(event_target_value(&ev))/></label>
            <label><span>{move || app.t(Key::ReceivedOn)}</span>
                <input type="date" name="received_on" prop:value=received_on
                    on:input=move |ev| received_on.set(event_target_value(&ev))/></label>
            <label><span>{move || app.t(Key::ReceiptsCovered)}</span>
                <input name="receipts_covered" maxlength="200" prop:value=covered
                    on:input=move |ev| covered.set(event_target_value(&ev))/></label>
            <button class="primary" type="submit">{move || app.t(Key::RecordHandIn)}</button>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{app.say(&e)}</p> })}
        </form>
    }
}
