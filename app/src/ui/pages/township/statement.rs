//! One clinic's statement of a month: totals and lines, issued (locked) and marked paid here,
//! exported as CSV and printed on A4 with signature lines and page numbers.

use chrono::NaiveDate;
use cunbao_domain::statement::{PaymentRequest, Statement, StatementState};
use cunbao_domain::text::{Bilingual, Text};
use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use super::sampling::SamplingCard;
use super::staff_only::StaffOnline;
use super::statements::state_key;
use crate::i18n::{Key, Label};
use crate::routes::{Route, Section};
use crate::sync::http::FETCH;
use crate::sync::transport::statement_path;
use crate::ui::context::use_app;

#[component]
pub fn StatementPage() -> impl IntoView {
    let app = use_app();
    view! {
        <p class="no-print"><A href=Route::Section(Section::Statements).href()>{move || app.t(Key::BackToStatements)}</A></p>
        <StaffOnline><OneStatement/></StaffOnline>
    }
}

#[component]
fn OneStatement() -> impl IntoView {
    let app = use_app();
    let params = use_params_map();
    let key = move || {
        params.with(|p| {
            (
                p.get("clinic").unwrap_or_default(),
                p.get("month").unwrap_or_default(),
            )
        })
    };
    let statement = RwSignal::new(None::<Result<Statement, Text>>);
    let error = RwSignal::new(None::<Text>);
    let load = move || {
        let (clinic, month) = key();
        app.with_token(move |token| async move {
            let result = FETCH.statement(&token, &clinic, &month).await;
            statement.set(Some(result.map_err(|e| e.text())));
        });
    };
    Effect::new(move |_| {
        params.track();
        load();
    });
    let issue = move |_| {
        let (clinic, month) = key();
        error.set(None);
        app.with_token(move |token| async move {
            match FETCH.issue_statement(&token, &clinic, &month).await {
                Ok(_) => load(),
                Err(e) => error.set(Some(e.text())),
            }
        });
    };
    let paid_on = RwSignal::new(crate::device::today().to_string());
    let reference = RwSignal::new(String::new());
    let pay = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let (clinic, month) = key();
        let Ok(paid_on) = NaiveDate::parse_from_str(&paid_on.get_untracked(), "%Y-%m-%d") else {
            return;
        };
        let payment = PaymentRequest {
            paid_on,
            payment_reference: reference.get_untracked().trim().to_string(),
        };
        error.set(None);
        app.with_token(move |token| async move {
            match FETCH
                .statement_paid(&token, &clinic, &month, &payment)
                .await
            {
                Ok(_) => load(),
                Err(e) => error.set(Some(e.text())),
            }
        });
    };
    let download = move |_| {
        let (clinic, month) = key();
        app.with_token(move |token| async move {
            let path = statement_path(&clinic, &month, "/lines.csv");
            let name = format!("结算明细-{clinic}-{month}.csv");
            if let Err(e) = crate::sync::http::download(&path, &token, &name).await {
                error.set(Some(e.text()));
            }
        });
    };
    let print = move |_| crate::ui::components::print::print_as("a4");
    view! {
        {move || match statement.get() {
            None => view! { <p>{app.t(Key::Loading)}</p> }.into_any(),
            Some(Err(e)) => view! { <p class="card field-error" role="alert">{app.say(&e)}</p> }.into_any(),
            Some(Ok(s)) => {
                let state = s.state;
                let (clinic, month) = (s.clinic_id.clone(), s.month.clone());
                view! {
                    <StatementSheet statement=s/>
                    <SamplingCard clinic=clinic month=month changed=Callback::new(move |_| load())/>
                    <section class="card no-print actions" data-testid="statement-actions">
                        <button data-testid="lines-csv" on:click=download>{move || app.t(Key::DownloadLinesCsv)}</button>
                        <button data-testid="print-statement" on:click=print>{move || app.t(Key::PrintA4)}</button>
                        {(state == StatementState::Draft).then(|| view! {
                            <button class="primary" data-testid="issue" on:click=issue>{move || app.t(Key::IssueStatement)}</button>
                        })}
                        {(state == StatementState::Issued).then(|| view! {
                            <form class="filters" on:submit=pay data-testid="pay-form">
                                <label><span>{move || app.t(Key::PaidOn)}</span>
                                    <input type="date" name="paid_on" prop:value=paid_on
                                        on:input=move |ev| paid_on.set(event_target_value(&ev))/></label>
                                <label><span>{move || app.t(Key::PaymentReference)}</span>
                                    <input name="payment_reference" maxlength="64" required prop:value=reference
                                        on:input=move |ev| reference.set(event_target_value(&ev))/></label>
                                <button class="primary" type="submit">{move || app.t(Key::MarkPaid)}</button>
                            </form>
                        })}
                    </section>
                }.into_any()
            }
        }}
        {move || error.get().map(|e| view! { <p class="field-error no-print" role="alert">{app.say(&e)}</p> })}
    }
}

/// The statement as it prints: heading, totals, lines and signature lines.
#[component]
fn StatementSheet(statement: Statement) -> impl IntoView {
    let app = use_app();
    let s = statement;
    let t = s.totals.clone();
    let totals = [
        (Key::ClaimsCount, t.claims.to_string()),
        (Key::ClaimsTotal, t.claims_total.to_string()),
        (Key::FundPayable, t.fund_payable.to_string()),
        (Key::RejectedCount, t.rejected.to_string()),
        (Key::WaitingReview, t.waiting_review.to_string()),
        (Key::Adjustments, t.adjustments.to_string()),
        (Key::ReceiptsCount, t.receipts.to_string()),
        (Key::ReceiptsTotal, t.receipts_total.to_string()),
        (Key::RefundsTotal, t.refunds_total.to_string()),
        (Key::CashHandedIn, t.cash_handed_in.to_string()),
    ];
    let state = s.state;
    view! {
        <article class="card statement" data-testid="statement">
            <h1 data-testid="section-title">{format!("{} · {}", s.township_name, s.clinic_name)}</h1>
            <p class="statement-sub">
                {move || app.t(Key::StatementTitle)}" "{s.month.clone()}" · "
                <span data-testid="statement-state">{move || app.t(state_key(state))}</span>
                {s.issued_by.clone().map(|by| view! { " · "{move || app.t(Key::IssuedBy)}" "{by.clone()}" "{s.issued_at.as_deref().map(crate::ui::format::datetime_of).unwrap_or_default()} })}
                {s.paid_on.map(|d| view! { " · "{move || app.t(Key::PaidOn)}" "{d.to_string()}" "{s.payment_reference.clone().unwrap_or_default()} })}
            </p>
            <dl class="facts statement-totals" data-testid="statement-totals">
                {totals.into_iter().map(|(key, value)| view! {
                    <dt>{move || app.t(key)}</dt><dd class="num">{value}</dd>
                }).collect_view()}
                <dt><strong>{move || app.t(Key::NetPayable)}</strong></dt>
                <dd class="num"><strong data-testid="net-payable">{t.net_payable.to_string()}</strong></dd>
            </dl>
            {if s.lines.is_empty() {
                view! { <p>{move || app.t(Key::NoStatementLines)}</p> }.into_any()
            } else {
                view! {
                    <table class="records" data-testid="statement-lines">
                        <thead><tr>
                            <th>{move || app.t(Key::Record)}</th><th>{move || app.t(Key::VisitDate)}</th>
                            <th>{move || app.t(Key::Patient)}</th><th>{move || app.t(Key::Status)}</th>
                            <th class="num">{move || app.t(Key::Total)}</th><th class="num">{move || app.t(Key::Fund)}</th>
                            <th class="num">{move || app.t(Key::Payable)}</th>
                        </tr></thead>
                        <tbody>
                            {s.lines.into_iter().map(|line| {
                                let status = line.status;
                                view! { <tr class:carried=line.carried>
                                    <td class="mono">{line.claim_id}</td><td>{line.visit_date.to_string()}</td>
                                    <td class="mono">{line.person}</td>
                                    <td>{move || status.label(app.lang.get())}
                                        {line.carried.then(|| view! { "（"{move || app.t(if line.finding { Key::FindingLine } else { Key::Carried })}"）" })}</td>
                                    <td class="num">{line.total.to_string()}</td><td class="num">{line.fund.to_string()}</td>
                                    <td class="num">{line.payable.to_string()}</td>
                                </tr> }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any()
            }}
            <div class="signatures">
                <p>{move || app.t(Key::SignTownship)}</p>
                <p>{move || app.t(Key::SignReviewer)}</p>
                <p>{move || app.t(Key::SignClinic)}</p>
            </div>
        </article>
    }
}
