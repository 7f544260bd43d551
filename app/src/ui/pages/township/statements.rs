//! The monthly statements (月度结算单): every clinic of the township for a month, with its
//! state and totals; one clinic's statement opens from its row. The summary exports as CSV.

use cunbao_domain::statement::{month_of, StatementState, StatementSummary};
use cunbao_domain::text::{Bilingual, Text};
use leptos::prelude::*;
use leptos_router::components::A;

use super::staff_only::StaffOnline;
use crate::i18n::Key;
use crate::routes::{Route, Section};
use crate::sync::http::FETCH;
use crate::ui::context::use_app;

pub fn state_key(state: StatementState) -> Key {
    match state {
        StatementState::Draft => Key::StateDraft,
        StatementState::Issued => Key::StateIssued,
        StatementState::Paid => Key::StatePaid,
    }
}

#[component]
pub fn StatementsPage() -> impl IntoView {
    let app = use_app();
    view! {
        <h1 data-testid="section-title">{move || app.t(Section::Statements.label())}</h1>
        <StaffOnline><Statements/></StaffOnline>
    }
}

#[component]
fn Statements() -> impl IntoView {
    let app = use_app();
    let month = RwSignal::new(month_of(crate::device::today()));
    let list = RwSignal::new(None::<Result<Vec<StatementSummary>, Text>>);
    let error = RwSignal::new(None::<Text>);
    Effect::new(move |_| {
        let month = month.get();
        app.with_token(move |token| async move {
            let result = FETCH.statements(&token, &month).await;
            list.set(Some(result.map_err(|e| e.text())));
        });
    });
    let download = move |_| {
        let month = month.get_untracked();
        app.with_token(move |token| async move {
            let path = format!("/api/v1/township/statements.csv?month={month}");
            let name = format!("月度结算单-{month}.csv");
            if let Err(e) = crate::sync::http::download(&path, &token, &name).await {
                error.set(Some(e.text()));
            }
        });
    };
    view! {
        <section class="card filters">
            <label>
                <span>{move || app.t(Key::Month)}</span>
                <input type="month" name="month" prop:value=month
                    on:change=move |ev| { let v = event_target_value(&ev); if !v.is_empty() { month.set(v) } }/>
            </label>
            <button data-testid="statements-csv" on:click=download>{move || app.t(Key::DownloadCsv)}</button>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{app.say(&e)}</p> })}
        </section>
        <section class="card">
            {move || match list.get() {
                None => view! { <p>{app.t(Key::Loading)}</p> }.into_any(),
                Some(Err(e)) => view! { <p class="field-error" role="alert">{app.say(&e)}</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <table class="records queue" data-testid="statements">
                        <thead><tr>
                            <th>{app.t(Key::Clinic)}</th><th>{app.t(Key::StatementState)}</th>
                            <th class="num">{app.t(Key::ClaimsCount)}</th><th class="num">{app.t(Key::FundPayable)}</th>
                            <th class="num">{app.t(Key::RejectedCount)}</th><th class="num">{app.t(Key::Adjustments)}</th>
                            <th class="num">{app.t(Key::ReceiptsTotal)}</th><th class="num">{app.t(Key::CashHandedIn)}</th>
                            <th class="num">{app.t(Key::NetPayable)}</th><th></th>
                        </tr></thead>
                        <tbody>
                            {list.into_iter().map(|s| {
                                let href = Route::Statement { clinic_id: &s.clinic_id, month: &s.month }.href();
                                let t = s.totals;
                                view! { <tr data-testid="statement-row" data-clinic=s.clinic_id.clone()>
                                    <td>{s.clinic_name}</td><td>{move || app.t(state_key(s.state))}</td>
                                    <td class="num">{t.claims}</td><td class="num">{t.fund_payable.to_string()}</td>
                                    <td class="num">{t.rejected}</td><td class="num">{t.adjustments.to_string()}</td>
                                    <td class="num">{t.receipts_total.to_string()}</td><td class="num">{t.cash_handed_in.to_string()}</td>
                                    <td class="num"><strong>{t.net_payable.to_string()}</strong></td>
                                    <td><A href=href>{move || app.t(Key::Open)}</A></td>
                                </tr> }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            }}
        </section>
    }
}
