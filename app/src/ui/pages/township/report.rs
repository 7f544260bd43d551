//! The township's monthly report (月度报表): for a month (the last one by default), the
//! dashboard's tables — enrolment, cash, claims and fund by benefit, rules, rejections, review
//! ages, syncs — on one sheet that prints on A4 with signature lines, and as one CSV, to send
//! up by the 10th of the next month.

use cunbao_domain::dashboard::Dashboard;
use cunbao_domain::text::{Bilingual, Text};
use leptos::prelude::*;

use super::dashboard_tables::{
    CashTable, EnrolmentTable, MonthsTable, RejectionsTable, ReviewAgesTable, RulesTable,
    SyncsTable,
};
use super::staff_only::StaffOnline;
use crate::i18n::{Key, Lang};
use crate::routes::Section;
use crate::sync::http::FETCH;
use crate::township::figures::{last_month, report_months};
use crate::ui::context::use_app;

#[component]
pub fn ReportPage() -> impl IntoView {
    let app = use_app();
    view! {
        <h1 class="no-print" data-testid="section-title">{move || app.t(Section::Report.label())}</h1>
        <p class="hint no-print">{move || app.t(Key::ReportPlan)}</p>
        <StaffOnline><Report/></StaffOnline>
    }
}

#[component]
fn Report() -> impl IntoView {
    let app = use_app();
    let today = crate::device::today();
    let month = RwSignal::new(last_month(today));
    let report = RwSignal::new(None::<Result<Dashboard, Text>>);
    let error = RwSignal::new(None::<Text>);
    Effect::new(move |_| {
        let m = month.get();
        report.set(None);
        app.with_token(move |token| async move {
            report.set(Some(
                FETCH.monthly_report(&token, &m).await.map_err(|e| e.text()),
            ));
        });
    });
    let download = move |_| {
        let m = month.get_untracked();
        app.with_token(move |token| async move {
            let path = format!("/api/v1/township/report.csv?month={m}");
            let file = format!("月度报表-{m}.csv");
            if let Err(e) = crate::sync::http::download(&path, &token, &file).await {
                error.set(Some(e.text()));
            }
        });
    };
    view! {
        <section class="card filters no-print">
            <label>
                <span>{move || app.t(Key::ReportMonth)}</span>
                <select name="month" on:change=move |ev| month.set(event_target_value(&ev))>
                    {report_months(today).into_iter().map(|(value, zh)| {
                        let (chosen, en) = (value.clone(), value.clone());
                        let shown = move || if app.lang.get() == Lang::Zh { zh.clone() } else { en.clone() };
                        view! { <option value=value selected=move || month.get() == chosen>{shown}</option> }
                    }).collect_view()}
                </select>
            </label>
            <div class="actions">
                <button data-testid="print-report" on:click=move |_| crate::ui::components::print::print_as("a4")>{move || app.t(Key::PrintA4)}</button>
                <button data-testid="report-csv" on:click=download>{move || app.t(Key::DownloadCsv)}</button>
            </div>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{app.say(&e)}</p> })}
        </section>
        {move || match report.get() {
            None => view! { <p>{app.t(Key::Loading)}</p> }.into_any(),
            Some(Err(e)) => view! { <p class="card field-error" role="alert">{app.say(&e)}</p> }.into_any(),
            Some(Ok(d)) => view! { <Sheet d=d/> }.into_any(),
        }}
    }
}

/// The report as it prints.
#[component]
fn Sheet(d: Dashboard) -> impl IntoView {
    let app = use_app();
    let t = move |k: Key| app.t(k);
    let month = d.month.clone().unwrap_or_default();
    let generated =
        crate::ui::format::datetime_of(&String::from(js_sys::Date::new_0().to_iso_string()));
    let section = |title: Key, testid: &'static str, empty: bool, table: AnyView| {
        view! {
            <section class="report-part" data-testid=testid>
                <h2>{move || app.t(title)}</h2>
                {if empty { view! { <p class="hint">{move || app.t(Key::NoneThisMonth)}</p> }.into_any() } else { table }}
            </section>
        }
    };
    view! {
        <article class="card statement report" data-testid="report">
            <h1>{format!("{} · {month}", d.township_name)}</h1>
            <p class="statement-sub">{t(Key::ReportHeading)}" · "{t(Key::GeneratedAt)}" "{generated}</p>
            {section(Key::ReportEnrolment, "report-enrolment", d.enrolment.is_empty(), view! { <EnrolmentTable lines=d.enrolment.clone()/> }.into_any())}
            {section(Key::ReportCash, "report-cash", d.cash.is_empty(), view! { <CashTable lines=d.cash.clone()/> }.into_any())}
            {section(Key::ReportClaims, "report-claims", false, view! { <MonthsTable lines=d.months.clone() by_benefit=true/> }.into_any())}
            {section(Key::ReportRules, "report-rules", d.rules.is_empty(), view! { <RulesTable lines=d.rules.clone()/> }.into_any())}
            {section(Key::ReportRejections, "report-rejections", d.rejections.is_empty(), view! { <RejectionsTable lines=d.rejections.clone()/> }.into_any())}
            {section(Key::ReportReviews, "report-reviews", false, view! { <ReviewAgesTable ages=d.review_ages.clone()/> }.into_any())}
            {section(Key::ReportSyncs, "report-syncs", d.syncs.is_empty(), view! { <SyncsTable lines=d.syncs.clone()/> }.into_any())}
            <div class="signatures">
                <p>{t(Key::SignPreparer)}</p>
                <p>{t(Key::SignReviewer)}</p>
                <p>{t(Key::SignHead)}</p>
            </div>
        </article>
    }
}
