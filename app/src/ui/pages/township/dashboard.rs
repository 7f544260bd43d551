//! The township's dashboard (统计看板): for a scheme year, enrolment against each clinic's
//! target, contributions collected and handed in, claims and the fund's payments by month and
//! benefit, rules fired and rejections by reason and clinic, review ages against the 24/48 h
//! limits, and clinics not synced for a day. Each chart has its table beside it and a CSV.

use chrono::Datelike;
use cunbao_domain::dashboard::{Dashboard, DashboardTable};
use cunbao_domain::policy::BenefitKind;
use cunbao_domain::text::{Bilingual, Text};
use leptos::prelude::*;

use super::dashboard_tables::{
    CashTable, EnrolmentTable, MonthsTable, RejectionsTable, RulesTable, SyncsTable,
};
use super::staff_only::StaffOnline;
use crate::i18n::{Key, Label};
use crate::routes::Section;
use crate::sync::http::FETCH;
use crate::ui::components::charts::{Bar, Column, HBars, Line, StackedColumns};
use crate::ui::context::use_app;

#[component]
pub fn DashboardPage() -> impl IntoView {
    let app = use_app();
    view! {
        <h1 data-testid="section-title">{move || app.t(Section::Dashboard.label())}</h1>
        <p class="hint">{move || app.t(Key::DashboardPlan)}</p>
        <StaffOnline><Figures/></StaffOnline>
    }
}

#[component]
fn Figures() -> impl IntoView {
    let app = use_app();
    let this_year = crate::device::today().year();
    let year = RwSignal::new(this_year);
    let figures = RwSignal::new(None::<Result<Dashboard, Text>>);
    Effect::new(move |_| {
        let y = year.get();
        figures.set(None);
        app.with_token(move |token| async move {
            figures.set(Some(FETCH.dashboard(&token, y).await.map_err(|e| e.text())));
        });
    });
    view! {
        <section class="card filters">
            <label>
                <span>{move || app.t(Key::SchemeYear)}</span>
                <select name="year" on:change=move |ev| {
                    if let Ok(y) = event_target_value(&ev).parse() { year.set(y) }
                }>
                    {(this_year - 2..=this_year + 1).rev().map(|y| view! {
                        <option value=y.to_string() selected=move || year.get() == y>{y}</option>
                    }).collect_view()}
                </select>
            </label>
        </section>
        {move || match figures.get() {
            None => view! { <p>{app.t(Key::Loading)}</p> }.into_any(),
            Some(Err(e)) => view! { <p class="field-error" role="alert">{app.say(&e)}</p> }.into_any(),
            Some(Ok(d)) => view! { <Panels d=d/> }.into_any(),
        }}
    }
}

/// A chart's card: its title, the chart, the table and the CSV of `table`.
#[component]
fn Panel(title: Key, year: i32, table: DashboardTable, children: Children) -> impl IntoView {
    let app = use_app();
    let error = RwSignal::new(None::<Text>);
    let download = move |_| {
        app.with_token(move |token| async move {
            let name = table.as_str();
            let path = format!("/api/v1/township/dashboard.csv?year={year}&table={name}");
            let file = format!("统计看板-{year}-{name}.csv");
            if let Err(e) = crate::sync::http::download(&path, &token, &file).await {
                error.set(Some(e.text()));
            }
        });
    };
    view! {
        <section class="card panel" data-testid=format!("panel-{}", table.as_str())>
            <div class="panel-head">
                <h2>{move || app.t(title)}</h2>
                <button class="no-print" on:click=download>{move || app.t(Key::DownloadCsv)}</button>
            </div>
            <div class="panel-body">{children()}</div>
            {move || error.get().map(|e| view! { <p class="field-error" role="alert">{app.say(&e)}</p> })}
        </section>
    }
}

#[component]
fn Panels(d: Dashboard) -> impl IntoView {
    let app = use_app();
    let lang = app.lang.get_untracked();
    let say = move |t: &Text| app.say(t);
    let year = d.scheme_year;

    let enrolment_bars: Vec<Bar> = d
        .enrolment
        .iter()
        .map(|l| Bar {
            label: l.clinic_name.clone(),
            value: i64::from(l.enrolled),
            shown: match l.target {
                Some(t) => format!("{} / {t}", l.enrolled),
                None => l.enrolled.to_string(),
            },
            target: l.target.map(i64::from),
        })
        .collect();
    let cash_bars: Vec<Bar> = d
        .cash
        .iter()
        .map(|l| Bar {
            label: l.clinic_name.clone(),
            value: l.handed_in.fen(),
            shown: format!("{} / {}", l.handed_in, l.collected),
            target: Some(l.collected.fen()),
        })
        .collect();
    let mut benefits: Vec<BenefitKind> = Vec::new();
    for m in &d.months {
        for b in &m.by_benefit {
            if !benefits.contains(&b.benefit) {
                benefits.push(b.benefit);
            }
        }
    }
    let columns: Vec<Column> = d
        .months
        .iter()
        .map(|m| Column {
            label: m.month[5..].to_string(),
            parts: benefits
                .iter()
                .map(|kind| {
                    m.by_benefit
                        .iter()
                        .find(|b| b.benefit == *kind)
                        .map_or(0, |b| b.fund.fen())
                })
                .collect(),
        })
        .collect();
    let legend: Vec<String> = benefits.iter().map(|b| say(&b.text())).collect();
    let claims_line: Vec<(String, i64)> = d
        .months
        .iter()
        .map(|m| (m.month[5..].to_string(), i64::from(m.claims)))
        .collect();
    let count_bars = |rows: Vec<(String, u32)>| -> Vec<Bar> {
        rows.into_iter()
            .map(|(label, n)| Bar {
                label,
                value: i64::from(n),
                shown: n.to_string(),
                target: None,
            })
            .collect()
    };
    let rule_bars = count_bars(
        d.rules
            .iter()
            .map(|r| (r.rule.label(lang).to_string(), r.total))
            .collect(),
    );
    let reason_bars = count_bars(
        d.rejections
            .iter()
            .map(|r| (say(&r.label), r.total))
            .collect(),
    );
    let ages = &d.review_ages;
    let age_bars = count_bars(vec![
        (app.t(Key::Within24h).to_string(), ages.within_24h),
        (app.t(Key::Within48h).to_string(), ages.within_48h),
        (app.t(Key::Over48h).to_string(), ages.over_48h),
    ]);
    let t = move |k: Key| app.t(k).to_string();
    view! {
        <div class="dashboard" data-testid="dashboard">
            <Panel title=Key::PanelEnrolment year=year table=DashboardTable::Enrolment>
                <HBars title=t(Key::PanelEnrolment) bars=enrolment_bars/>
                <EnrolmentTable lines=d.enrolment.clone() editable=Signal::derive(move || app.is_administrator())/>
            </Panel>
            <Panel title=Key::PanelCash year=year table=DashboardTable::Cash>
                <HBars title=t(Key::PanelCash) bars=cash_bars/>
                <CashTable lines=d.cash.clone()/>
            </Panel>
            <Panel title=Key::PanelMonths year=year table=DashboardTable::Months>
                <StackedColumns title=t(Key::FundByMonth) columns=columns legend=legend/>
                <Line title=t(Key::ClaimsByMonth) points=claims_line/>
                <MonthsTable lines=d.months.clone()/>
            </Panel>
            <Panel title=Key::PanelRules year=year table=DashboardTable::Rules>
                <HBars title=t(Key::PanelRules) bars=rule_bars/>
                <RulesTable lines=d.rules.clone()/>
            </Panel>
            <Panel title=Key::PanelRejections year=year table=DashboardTable::Rejections>
                <HBars title=t(Key::PanelRejections) bars=reason_bars/>
                <RejectionsTable lines=d.rejections.clone()/>
            </Panel>
            <section class="card panel" data-testid="panel-reviews">
                <h2>{t(Key::PanelReviews)}</h2>
                <HBars title=t(Key::PanelReviews) bars=age_bars/>
            </section>
            <Panel title=Key::PanelSyncs year=year table=DashboardTable::Syncs>
                <SyncsTable lines=d.syncs.clone()/>
            </Panel>
        </div>
    }
}
